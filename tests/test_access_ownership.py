"""Ownership by (owner, id): a snapshot row tracks:{A}:{B's track id} (and the same for a concert) must not put B's
analytics in A's totals, days, countries, platforms or track list, and B's track drill-down must not open for A —
on both engines, in the queries and on the signed-in artist's page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from dashboard.access import accounts as acc
from dashboard.i18n.formatting import number
from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.apptest import open_signed_in
from tests.conftest import StoreFactory
from tests.data import write_snapshot

A, B = "artist-a", "artist-b"
DAY = dt.date(2026, 10, 20)
T0 = "2026-10-01T10:00:00+03:00"


def analytics(kind: str, item: str, day: dt.date, **numbers: Any) -> dict[str, Any]:
    id_field = "track_id" if kind == "tracks" else "concert_id"
    return {"key": f"analytics:{kind}:{item}:{day}", "value": {"id": f"{item}-{day}", id_field: item,
                                                                "date": str(day), **numbers}}


RECORDS: list[dict[str, Any]] = [
    {"key": f"users:{A}:profile", "value": {"id": A, "name": "Артист А"}},
    {"key": f"users:{B}:profile", "value": {"id": B, "name": "Артист Б"}},
    {"key": f"users:{A}:base", "value": {"id": A, "email": "A.Platform@Example.com", "username": "a"}},
    {"key": f"tracks:{A}:ta", "value": {"id": "ta", "title": "Трек А", "status": "approved", "created_at": T0}},
    {"key": f"tracks:{B}:tb", "value": {"id": "tb", "title": "Трек Б", "status": "approved", "created_at": T0}},
    # the collision: a row under A's key naming B's track id (and a copy of B's title)
    {"key": f"tracks:{A}:tb", "value": {"id": "tb", "title": "Трек Б", "status": "approved", "created_at": T0}},
    {"key": f"concerts:{A}:ca", "value": {"id": "ca", "title": "Концерт А", "date": "2026-12-01", "status": "ok"}},
    {"key": f"concerts:{B}:cb", "value": {"id": "cb", "title": "Концерт Б", "date": "2026-12-02", "status": "ok"}},
    {"key": f"concerts:{A}:cb", "value": {"id": "cb", "title": "Концерт Б", "date": "2026-12-02", "status": "ok"}},
    analytics("tracks", "ta", DAY, plays=5, unique_listeners=3, likes=1, shares=0, downloads=0, playlist_adds=0,
              platform_stats={"vk_music": 5}, geographic_stats={"RU": 5}),
    analytics("tracks", "tb", DAY, plays=1000, unique_listeners=900, likes=50, shares=5, downloads=5,
              playlist_adds=7, platform_stats={"spotify": 1000}, geographic_stats={"KZ": 1000}),
    analytics("tracks", "tb", DAY + dt.timedelta(days=1), plays=2000, unique_listeners=1, likes=0, shares=0,
              downloads=0, playlist_adds=0, platform_stats={"spotify": 2000}, geographic_stats={"KZ": 2000}),
    analytics("concerts", "ca", DAY, views=10, clicks=2, ticket_views=1, share_count=0, referral_sources={"vk": 10}),
    analytics("concerts", "cb", DAY, views=700, clicks=70, ticket_views=7, share_count=1,
              referral_sources={"telegram": 700}),
]
PERIOD = {"start": DAY - dt.timedelta(days=27), "end": DAY + dt.timedelta(days=1)}


@pytest.fixture
def store(new_store: StoreFactory, tmp_path: Path) -> Store:
    s = new_store()
    ingest([write_snapshot(tmp_path / "collide.ndjson", RECORDS)], s, "seed", say=lambda _m: None)
    return s


def q(store: Store, name: str, **params: Any) -> list[dict[str, Any]]:
    return run_query(store, name, artist_id=A, **params).to_dict("records")


def test_b_s_analytics_never_reach_a(store: Store) -> None:
    totals = {r["period"]: r for r in q(store, "artist_period_totals", cur_start=PERIOD["start"],
                                        cur_end=PERIOD["end"], prev_start=PERIOD["start"] - dt.timedelta(days=28),
                                        prev_end=PERIOD["start"] - dt.timedelta(days=1))}
    assert (totals["current"]["plays"], totals["current"]["unique_listeners"]) == (5, 3)
    assert [(r["day"], r["plays"]) for r in q(store, "artist_plays_by_day", **PERIOD)] == [(DAY, 5)]
    assert [(r["country"], r["plays"]) for r in q(store, "artist_geography", **PERIOD)] == [("RU", 5)]
    assert {r["platform"] for r in q(store, "artist_platforms", **PERIOD)} <= {"vk_music"}
    assert [r["track_id"] for r in q(store, "artist_tracks_in_period", **PERIOD)] == ["ta"]
    assert q(store, "artist_track_by_day", track_id="tb", **PERIOD) == []  # B's drill-down does not open for A
    assert [r["plays"] for r in q(store, "artist_track_by_day", track_id="ta", **PERIOD)] == [5]
    assert q(store, "artist_data_dates")[0]["artist_last_day"] == DAY
    assert [(r["day"], r["views"]) for r in q(store, "artist_concert_by_day", **PERIOD)] == [(DAY, 10)]
    assert {r["source"] for r in q(store, "artist_concert_referrals", **PERIOD)} <= {"vk"}
    concerts = {r["concert_id"]: r["views"] for r in q(store, "artist_concerts")}
    assert concerts["ca"] == 10 and concerts.get("cb", 0) == 0


def test_the_artist_page_shows_only_a_s_numbers(store: Store) -> None:
    acc.add_account(store, acc.new_account("a@example.com", "artist", A))
    at = open_signed_in(store, "ui/views/artist_tracks.py", "a@example.com")
    assert not at.exception
    at.radio(key="artist_period").set_value("28d").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown[t("artist.kpi.plays")] == number(5)
    picker = [s for s in at.selectbox if s.key != "view_as"]
    assert picker and all("tb" not in [str(o) for o in s.options] and
                          not any("Трек Б" in str(o) for o in s.options) for s in picker)


def test_auto_mapping_by_verified_email(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """With PROMO_AUTO_ARTIST_BY_EMAIL=1 a verified email equal to the platform's users.email is that artist, with
    no account; off by default, and never for an unverified email."""
    from tests.apptest import signed_in_app

    at = signed_in_app(store, "a.platform@example.com").run()
    assert [x.value for x in at.title] == [t("access.refused.title")]  # off by default
    monkeypatch.setenv("PROMO_AUTO_ARTIST_BY_EMAIL", "1")
    at = signed_in_app(store, "a.platform@example.com", verified=False).run()
    assert [x.value for x in at.title] == [t("access.refused.title")]
    at = signed_in_app(store, "a.platform@example.com").run()
    at.switch_page("ui/views/artist_tracks.py").run()
    assert not at.exception
    assert at.session_state["identity"].artist_id == A
    assert {m.label: m.value for m in at.metric}[t("artist.kpi.plays")] == number(5)
