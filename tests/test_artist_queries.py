"""The artist queries: each is scoped by a bound :artist_id, runs on both engines with equal results, and keeps
donor emails and anonymous donors' names out of what it returns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest

from dashboard.i18n.formatting import MOSCOW, moscow_today
from dashboard.metrics import artist as am
from dashboard.metrics.periods import anchor_day, period_for
from dashboard.moderation.config import pending_params
from dashboard.store.connect import Store
from dashboard.store.queries import QueryError, all_queries, load_query, run_query
from tests.conftest import AS_OF
from tests.engines import assert_same_result
from tests.sql import rows, scalar
from tests.test_artist_deals import DEPLOYED_ONLY

SHELL_QUERIES = {"artists_matching"}  # the shell's picker list: not scoped to one artist
ARTIST_QUERIES = [q for q in all_queries() if q.startswith("artist_") and q not in SHELL_QUERIES]
EMPTY_ARTIST = "no-such-artist-0000"


def busiest_artists(store: Store) -> list[str]:
    """Two artists with plays, donations and concerts: the most donated-to, then the most played in the period."""
    donated = rows(store, """
        SELECT d.artist_id FROM donations d
        WHERE d.status = 'completed' AND EXISTS (SELECT 1 FROM tracks t WHERE t.user_id = d.artist_id)
          AND EXISTS (SELECT 1 FROM concerts c WHERE c.user_id = d.artist_id)
        GROUP BY d.artist_id ORDER BY COUNT(*) DESC, d.artist_id LIMIT 1""")[0][0]
    played = rows(store, """
        SELECT t.user_id FROM track_analytics a JOIN tracks t ON t.id = a.track_id
        WHERE a.date BETWEEN :start AND :end AND t.user_id <> :other
        GROUP BY t.user_id ORDER BY SUM(a.plays) DESC, t.user_id LIMIT 1""",
        start=AS_OF - dt.timedelta(days=27), end=AS_OF, other=donated)[0][0]
    return [donated, played]


def params_for(artist_id: str, store: Store) -> dict[str, Any]:
    today = anchor_day(moscow_today(), AS_OF)
    period = period_for(28, today)
    track = scalar(store, "SELECT MIN(id) FROM tracks WHERE user_id = :a AND status = 'approved'", a=artist_id)
    return {"artist_id": artist_id, "start": period.start, "end": period.end, "today": today,
            "track_id": track or "none", **period.params(), **pending_params("seed")}


def bound(name: str, params: dict[str, Any]) -> dict[str, Any]:
    return {p: params[p] for p in load_query(name).params}


@pytest.fixture(scope="module")
def artists(demo_duckdb: Store) -> list[str]:
    return busiest_artists(demo_duckdb)


def test_every_artist_query_is_scoped_by_a_bound_artist_id() -> None:
    assert len(ARTIST_QUERIES) >= 20
    for name in ARTIST_QUERIES:
        query = load_query(name)
        assert "artist_id" in query.params, name
        header = [line for line in query.sql.splitlines() if line.startswith("--")]
        assert any(h.startswith("-- Returns:") for h in header), name
        assert any(h.startswith("-- Params:") and ":artist_id" in h for h in header), name
        with pytest.raises(QueryError, match="artist_id"):
            run_query(Store("unused.duckdb"), name, **{p: None for p in query.params if p != "artist_id"})


def test_no_artist_query_selects_donor_emails() -> None:
    for name in ARTIST_QUERIES:
        assert "donor_email" not in load_query(name).path.read_text(encoding="utf-8").lower(), name


@pytest.mark.parametrize("name", ARTIST_QUERIES)
def test_query_gives_equal_results_on_both_engines(name: str, demo_stores: dict[str, Store],
                                                   artists: list[str]) -> None:
    duck, pg = demo_stores["duckdb"], demo_stores["postgresql"]
    seen_rows = 0
    for artist in [*artists, EMPTY_ARTIST]:
        params = bound(name, params_for(artist, duck))
        on_duck = run_query(duck, name, **params)
        on_pg = run_query(pg, name, **params)
        assert_same_result(on_duck, on_pg, label=(name, artist))
        seen_rows += len(on_duck) if artist != EMPTY_ARTIST else 0
    if name not in ("artist_track_by_day", *DEPLOYED_ONLY):  # DEPLOYED_ONLY: rows in tests/test_artist_deals.py
        assert seen_rows > 0, f"{name} returned nothing for the demo artists: the parity check proves little"


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_empty_artist_gets_zeros_not_errors(engine: str, demo_stores: dict[str, Store]) -> None:
    store = demo_stores[engine]
    params = params_for(EMPTY_ARTIST, store)
    totals = run_query(store, "artist_period_totals", **bound("artist_period_totals", params))
    assert list(totals["period"]) == ["current", "previous"]
    assert all(float(v) == 0 for v in totals.drop(columns="period").to_numpy().ravel())
    state = run_query(store, "artist_current_state", **bound("artist_current_state", params)).iloc[0]
    assert pd.isna(state["coin_balance"]) and int(state["upcoming_concerts"]) == 0 and int(state["pending_items"]) == 0
    for name in ARTIST_QUERIES:
        if name not in ("artist_period_totals", "artist_current_state", "artist_data_dates", "artist_lifetime_totals",
                        "artist_series_span", "artist_series_by_day"):  # one summary row, or one row per day
            assert run_query(store, name, **bound(name, params)).empty, name


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_period_totals_equal_independent_sums(engine: str, demo_stores: dict[str, Store],
                                              artists: list[str]) -> None:
    store = demo_stores[engine]
    for artist in artists:
        params = params_for(artist, store)
        totals = run_query(store, "artist_period_totals", **bound("artist_period_totals", params))
        cur, prev = am.two_periods(totals)
        for values, start, end in ((cur, params["cur_start"], params["cur_end"]),
                                   (prev, params["prev_start"], params["prev_end"])):
            plays, likes = rows(store, """
                SELECT COALESCE(SUM(a.plays), 0), COALESCE(SUM(a.likes), 0)
                FROM track_analytics a WHERE a.date BETWEEN :s AND :e
                  AND a.track_id IN (SELECT id FROM tracks WHERE user_id = :a)""", s=start, e=end, a=artist)[0]
            donated = [r for r in rows(store, """
                SELECT amount, status, currency, created_at FROM donations WHERE artist_id = :a""", a=artist)
                if r[1] == "completed" and (r[2] or "RUB") == "RUB"
                and start <= pd.Timestamp(r[3]).tz_convert(MOSCOW).date() <= end]
            assert values["plays"] == float(plays)
            assert values["likes"] == float(likes)
            assert values["donations"] == len(donated)
            assert values["donations_rub"] == float(sum(r[0] for r in donated))
        assert cur["plays"] > 0 or prev["plays"] > 0


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_anonymous_donors_are_one_row_without_a_name(engine: str, demo_stores: dict[str, Store],
                                                     artists: list[str]) -> None:
    store = demo_stores[engine]
    artist = artists[0]
    start, end = AS_OF - dt.timedelta(days=364), AS_OF
    donors = run_query(store, "artist_top_donors", artist_id=artist, start=start, end=end)
    feed = run_query(store, "artist_donation_feed", artist_id=artist, start=start, end=end)
    anonymous = donors[donors["is_anonymous"].map(int) == 1]
    expected = rows(store, """
        SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM donations
        WHERE artist_id = :a AND status = 'completed' AND (is_anonymous OR donor_name IS NULL OR donor_name = '')
          AND created_at >= :s AND created_at < :e""", a=artist,
        s=dt.datetime.combine(start, dt.time(), MOSCOW), e=dt.datetime.combine(end + dt.timedelta(days=1),
                                                                                     dt.time(), MOSCOW))[0]
    assert expected[0] > 0, "the demo artist should have anonymous donations"
    assert len(anonymous) == 1
    assert anonymous["donor_name"].isna().all()
    assert int(anonymous["donations"].iloc[0]) == expected[0]
    assert float(anonymous["amount_rub"].iloc[0]) == float(expected[1])
    hidden = {r[0] for r in rows(store, "SELECT donor_name FROM donations WHERE artist_id = :a AND is_anonymous "
                                        "AND donor_name IS NOT NULL", a=artist)}
    assert not hidden & set(donors["donor_name"].dropna()) and not hidden & set(feed["donor_name"].dropna())
    assert feed[feed["is_anonymous"].map(int) == 1]["donor_name"].isna().all()
    assert "donor_email" not in donors.columns and "donor_email" not in feed.columns


def test_queries_never_return_another_artists_rows(demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    a, b = artists
    b_tracks = {r[0] for r in rows(store, "SELECT id FROM tracks WHERE user_id = :b", b=b)}
    b_concerts = {r[0] for r in rows(store, "SELECT id FROM concerts WHERE user_id = :b", b=b)}
    b_donations = {r[0] for r in rows(store, "SELECT id FROM donations WHERE artist_id = :b", b=b)}
    params = params_for(a, store)
    params["track_id"] = next(iter(b_tracks))  # asking for B's track with A's scope gives nothing
    assert run_query(store, "artist_track_by_day", **bound("artist_track_by_day", params)).empty
    assert not set(run_query(store, "artist_tracks_in_period", **bound("artist_tracks_in_period", params))
                   ["track_id"]) & b_tracks
    assert not set(run_query(store, "artist_concerts", artist_id=a)["concert_id"]) & b_concerts
    assert not set(run_query(store, "artist_donation_feed", **bound("artist_donation_feed", params))
                   ["donation_id"]) & b_donations
