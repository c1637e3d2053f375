"""The artist pages on the demo store: the numbers shown equal independent SQL, an artist sees only their own data
(no widget or URL switches the scope), staff pick the artist, and an artist without data gets friendly empty pages."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import accounts
from dashboard.i18n.formatting import MOSCOW, moscow_today, number, rub, share_percent
from dashboard.i18n.translations import TEXTS, t, translated
from dashboard.metrics import artist as am
from dashboard.metrics.measures import ratio
from dashboard.metrics.periods import anchor_day, describe, period_between
from dashboard.period_presets import CUSTOM
from dashboard.store.connect import Store
from tests.apptest import APP, open_page, open_signed_in, parsed, texts
from tests.conftest import AS_OF
from tests.sql import rows, scalar
from tests.test_artist_queries import busiest_artists

PAGES = ("overview", "tracks", "audience", "concerts", "fans", "promotion")
PENDING_TABLES = ("tracks", "videos", "concerts", "news", "banner_ads", "promotion_campaigns", "pitching_submissions")


def page(name: str) -> str:
    return f"ui/views/artist_{name}.py"


def ru(key: str, **fmt: object) -> str:
    return t(key, "ru", **fmt)


def metrics(at: AppTest) -> dict[str, str]:
    """The page's cards by label; the first card wins (the tracks page repeats them for the one-track drill-down)."""
    return {m.label: m.value for m in reversed(list(at.metric))}


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    """The first table on the page that has all these (translated) columns, by the header the table shows (a short
    one where the column has one: "За всё время", the full text on hover)."""
    labels = [ru(f"artist.col.{c}.short") if f"artist.col.{c}.short" in TEXTS else ru(f"artist.col.{c}")
              for c in columns]
    for df in at.dataframe:
        if all(label in df.value.columns for label in labels):
            return parsed(df.value)
    raise AssertionError(f"no table with columns {labels}")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert "artist." not in texts(at), "an untranslated key is shown"


def moscow_date(value: Any) -> dt.date:
    return pd.Timestamp(value).tz_convert(MOSCOW).date()


class Expected:
    """What one artist's pages should show, computed with plain SQL and Python outside the code under test."""

    def __init__(self, store: Store, artist: str) -> None:
        self.store, self.artist = store, artist
        self.today = anchor_day(moscow_today(), AS_OF)
        self.start, self.end = self.today - dt.timedelta(days=27), self.today
        self.prev_start, self.prev_end = self.start - dt.timedelta(days=28), self.start - dt.timedelta(days=1)

    def track_sum(self, column: str, start: dt.date, end: dt.date) -> int:
        return int(scalar(self.store, f"""
            SELECT COALESCE(SUM(a.{column}), 0) FROM track_analytics a
            WHERE a.track_id IN (SELECT id FROM tracks WHERE user_id = :a) AND a.date BETWEEN :s AND :e""",
                          a=self.artist, s=start, e=end))

    def donations(self, start: dt.date, end: dt.date) -> list[tuple[Any, ...]]:
        """Completed RUB donations with their Moscow date in [start, end]: (name, is_anonymous, amount)."""
        got = rows(self.store, "SELECT donor_name, is_anonymous, amount, status, currency, created_at FROM donations "
                               "WHERE artist_id = :a", a=self.artist)
        return [r for r in got if r[3] == "completed" and (r[4] or "RUB") == "RUB"
                and start <= moscow_date(r[5]) <= end]

    def donated_rub(self, start: dt.date, end: dt.date) -> float:
        return float(sum(r[2] for r in self.donations(start, end)))

    def coin_balance(self) -> Any:
        got = rows(self.store, "SELECT balance FROM coins_balance WHERE user_id = :a", a=self.artist)
        return got[0][0] if got else None

    def upcoming(self) -> int:
        return int(scalar(self.store, """SELECT COUNT(*) FROM concerts WHERE user_id = :a AND date >= :d
                                         AND (status IS NULL OR status NOT IN ('rejected', 'draft', 'cancelled'))""",
                          a=self.artist, d=self.today))

    def pending(self) -> int:
        return sum(int(scalar(self.store, f"SELECT COUNT(*) FROM {table} WHERE user_id = :a AND status = 'pending'",
                              a=self.artist)) for table in PENDING_TABLES)

    def json_sums(self, sql: str) -> Counter[str]:
        total: Counter[str] = Counter()
        for (raw,) in rows(self.store, sql, a=self.artist, s=self.start, e=self.end):
            value = json.loads(raw) if isinstance(raw, str) else raw
            for key, n in (value or {}).items():
                total[key] += int(n)
        return total

    def track_titles(self) -> set[str]:
        return {r[0] for r in rows(self.store, "SELECT title FROM tracks WHERE user_id = :a", a=self.artist) if r[0]}


@pytest.fixture(scope="module")
def artists(demo_duckdb: Store) -> list[str]:
    return busiest_artists(demo_duckdb)


# ------------------------------------------------------------------------------------------ numbers shown
@pytest.mark.parametrize(("engine", "which"), [("duckdb", 0), ("duckdb", 1), ("postgresql", 0), ("postgresql", 1)])
def test_overview_kpis_equal_independent_sql(engine: str, which: int, demo_stores: dict[str, Store],
                                             artists: list[str]) -> None:
    store = demo_stores[engine]
    exp = Expected(store, artists[which])
    at = open_page(store, page("overview"), "artist", exp.artist)
    assert_clean(at)
    shown = metrics(at)
    for metric in ("plays", "unique_listeners", "likes"):
        assert shown[ru(f"artist.kpi.{metric}")] == number(exp.track_sum(metric, exp.start, exp.end)), metric
    assert shown[ru("artist.kpi.donations_rub")] == rub(exp.donated_rub(exp.start, exp.end))
    assert shown[ru("artist.kpi.coin_balance")] == number(exp.coin_balance())
    assert shown[ru("artist.kpi.upcoming_concerts")] == number(exp.upcoming())
    assert shown[ru("artist.kpi.pending_items")] == number(exp.pending())
    previous_plays = exp.track_sum("plays", exp.prev_start, exp.prev_end)
    assert ru("artist.previous", value=number(previous_plays)) in [c.value for c in at.caption]
    if exp.pending():
        assert len(frame_with(at, "kind", "title")) == exp.pending()


@pytest.mark.parametrize("which", [0, 1])
def test_tracks_page_equals_independent_sql(which: int, demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[which])
    at = open_page(store, page("tracks"), "artist", exp.artist)
    assert_clean(at)
    shown = metrics(at)
    for metric in am.TRACK_METRICS:
        assert shown[ru(f"artist.kpi.{metric}")] == number(exp.track_sum(metric, exp.start, exp.end)), metric
    per_track = rows(store, """
        SELECT t.title, SUM(a.plays) FROM track_analytics a JOIN tracks t ON t.id = a.track_id
        WHERE t.user_id = :a AND a.date BETWEEN :s AND :e GROUP BY t.id, t.title HAVING SUM(a.plays) > 0""",
                     a=exp.artist, s=exp.start, e=exp.end)
    top = frame_with(at, "title", "plays", "lifetime_plays")
    assert sorted(zip(top[ru("artist.col.title")], top[ru("artist.col.plays")].map(int), strict=True)) == \
        sorted((title, int(plays)) for title, plays in per_track)
    statuses = frame_with(at, "status", "tracks")
    expected_status = {translated("artist.status", s or "unknown", "ru"): int(n) for s, n in rows(
        store, "SELECT status, COUNT(*) FROM tracks WHERE user_id = :a GROUP BY status", a=exp.artist)}
    assert dict(zip(statuses[ru("artist.col.status")], statuses[ru("artist.col.tracks")].map(int), strict=True)) == \
        expected_status
    # the drill-down starts on the most played track; its daily table sums to that track's plays
    daily = frame_with(at, "day", "plays", "playlist_adds")
    assert len(daily) == 28
    assert int(daily[ru("artist.col.plays")].sum()) == max(int(p) for _, p in per_track)


@pytest.mark.parametrize("which", [0, 1])
def test_audience_page_equals_independent_sql(which: int, demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[which])
    at = open_page(store, page("audience"), "artist", exp.artist)
    assert_clean(at)
    source = """SELECT CAST(a.{col} AS TEXT) FROM track_analytics a
                WHERE a.track_id IN (SELECT id FROM tracks WHERE user_id = :a) AND a.date BETWEEN :s AND :e"""
    countries = exp.json_sums(source.format(col="geographic_stats"))
    platforms = exp.json_sums(source.format(col="platform_stats"))
    geo = frame_with(at, "country_name", "plays", "share_pct", "country_code")
    assert dict(zip(geo[ru("artist.col.country_code")], geo[ru("artist.col.plays")].map(int), strict=True)) == \
        {k: v for k, v in countries.items() if v}
    assert {ru(f"country.{k}") for k, v in countries.items() if v} == set(geo[ru("artist.col.country_name")])
    by_platform = frame_with(at, "platform", "plays")
    assert dict(zip(by_platform[ru("artist.col.platform")], by_platform[ru("artist.col.plays")].map(int),
                    strict=True)) == {translated("artist.platform", k, "ru"): v for k, v in platforms.items()}
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("which", [0, 1])
def test_concerts_page_equals_independent_sql(which: int, demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[which])
    at = open_page(store, page("concerts"), "artist", exp.artist)
    assert_clean(at)
    views, clicks, other = rows(store, """
        SELECT COALESCE(SUM(ca.views), 0), COALESCE(SUM(ca.clicks), 0),
               COALESCE(SUM(ca.ticket_views), 0) + COALESCE(SUM(ca.share_count), 0) FROM concert_analytics ca
        WHERE ca.concert_id IN (SELECT id FROM concerts WHERE user_id = :a) AND ca.date BETWEEN :s AND :e""",
                                a=exp.artist, s=exp.start, e=exp.end)[0]
    shown = metrics(at)
    if views or clicks or other:
        assert shown[ru("artist.kpi.concert_views")] == number(views)
        assert shown[ru("artist.kpi.concert_clicks")] == number(clicks)
        assert shown[ru("artist.kpi.ctr")] == share_percent(ratio(clicks, views))
    else:  # nothing in the period: one sentence, no cards of zeros (issue 24 item 10)
        assert ru("artist.kpi.concert_views") not in shown
        assert any("просмотров страниц ваших концертов не было" in str(i.value) for i in at.info)
    dates = [r[0] for r in rows(store, "SELECT date FROM concerts WHERE user_id = :a", a=exp.artist)]
    listed = [frame for frame in at.dataframe if ru("artist.col.place") in frame.value.columns]
    assert sum(len(f.value) for f in listed) == len(dates)
    upcoming = sum(1 for d in dates if d is not None and am.as_date(d) >= exp.today)
    if upcoming:
        assert len(listed[0].value) == upcoming
    referrals = exp.json_sums("""SELECT CAST(ca.referral_sources AS TEXT) FROM concert_analytics ca
        WHERE ca.concert_id IN (SELECT id FROM concerts WHERE user_id = :a) AND ca.date BETWEEN :s AND :e""")
    if sum(referrals.values()):
        table = frame_with(at, "source", "views", "share_pct")
        assert dict(zip(table[ru("artist.col.source")], table[ru("artist.col.views")].map(int), strict=True)) == \
            {translated("artist.source", k, "ru"): v for k, v in referrals.items()}


@pytest.mark.parametrize("which", [0, 1])
def test_fans_page_equals_independent_sql(which: int, demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[which])
    at = open_page(store, page("fans"), "artist", exp.artist)
    assert_clean(at)
    donated = exp.donations(exp.start, exp.end)
    shown = metrics(at)
    assert shown[ru("artist.kpi.donations_rub")] == rub(sum(r[2] for r in donated))
    assert shown[ru("artist.kpi.donations")] == number(len(donated))
    by_donor: dict[str, float] = defaultdict(float)
    for name, anonymous, amount, *_ in donated:
        donor = ru("artist.fans.anonymous") if anonymous or not (name or "").strip() else name.strip()
        by_donor[donor] += float(amount)
    assert shown[ru("artist.kpi.donors")] == number(len(by_donor))
    if donated:
        top = frame_with(at, "donor", "donations", "amount_rub")
        assert dict(zip(top[ru("artist.col.donor")], top[ru("artist.col.amount_rub")].map(float), strict=True)) == \
            dict(by_donor)
    balance = exp.coin_balance()
    if balance is not None:
        assert shown[ru("artist.kpi.coin_balance")] == number(balance)
    emails = {r[0] for r in rows(store, "SELECT donor_email FROM donations WHERE donor_email IS NOT NULL")}
    page_text = texts(at)
    assert not any(e in page_text for e in emails)


def test_fans_page_over_a_year_aggregates_anonymous_donors(demo_duckdb: Store,
                                                            artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[0])
    at = open_page(store, page("fans"), "artist", exp.artist)
    at.radio(key="artist_period").set_value("365d").run()
    assert_clean(at)
    start = exp.today - dt.timedelta(days=364)
    donated = exp.donations(start, exp.today)
    anonymous = [r for r in donated if r[1] or not (r[0] or "").strip()]
    assert anonymous, "the demo artist should have anonymous donations in a year"
    top = frame_with(at, "donor", "donations", "amount_rub")
    rows_anonymous = top[top[ru("artist.col.donor")] == ru("artist.fans.anonymous")]
    assert len(rows_anonymous) == 1
    assert int(rows_anonymous[ru("artist.col.donations")].iloc[0]) == len(anonymous)
    assert float(rows_anonymous[ru("artist.col.amount_rub")].iloc[0]) == float(sum(r[2] for r in anonymous))
    hidden = {r[0] for r in rows(store, "SELECT donor_name FROM donations WHERE artist_id = :a AND is_anonymous "
                                        "AND donor_name IS NOT NULL AND donor_name <> ''", a=exp.artist)}
    assert not any(name in texts(at) for name in hidden - {r[0] for r in donated if not r[1]})
    feed = [e.value for e in at.text]
    assert feed, "messages are shown as text"


@pytest.mark.parametrize("which", [0, 1])
def test_promotion_page_equals_independent_sql(which: int, demo_duckdb: Store,
                                               artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[which])
    at = open_page(store, page("promotion"), "artist", exp.artist)
    assert_clean(at)
    shown = metrics(at)
    campaigns = rows(store, "SELECT COUNT(*), COALESCE(SUM(spent), 0), COALESCE(SUM(reach), 0) "
                            "FROM promotion_campaigns WHERE user_id = :a", a=exp.artist)[0]
    banners = rows(store, "SELECT COUNT(*), COALESCE(SUM(impressions), 0), COALESCE(SUM(clicks), 0) "
                          "FROM banner_ads WHERE user_id = :a", a=exp.artist)[0]
    pitches = int(scalar(store, "SELECT COUNT(*) FROM pitching_submissions WHERE user_id = :a", a=exp.artist))
    if campaigns[0]:
        assert shown[ru("artist.kpi.campaign_spent")] == rub(campaigns[1])
        assert shown[ru("artist.kpi.reach")] == number(campaigns[2])
        assert len(frame_with(at, "name", "reach", "conversion_rate_pct")) == campaigns[0]
    if banners[0]:
        assert shown[ru("artist.kpi.impressions")] == number(banners[1])
        assert shown[ru("artist.kpi.banner_clicks")] == number(banners[2])
    if pitches:
        assert shown[ru("artist.kpi.submissions")] == number(pitches)
    assert campaigns[0] or banners[0] or pitches


# ------------------------------------------------------------------------------------------ isolation
def shown_cells(at: AppTest) -> set[str]:
    cells: set[str] = set()
    for df in at.dataframe:
        cells |= {str(v) for v in df.value.to_numpy().ravel()}
    cells |= {m.value for m in at.metric}
    for element in at.text:
        cells |= set(str(element.value).replace(" · ", "\n").splitlines())
    for box in at.selectbox:
        if box.key != "view_as":
            cells |= {part for o in box.options for part in str(o).split(" · ")}
    return cells


def other_artists_values(store: Store, a: str, b: str) -> tuple[set[str], set[str]]:
    """(B's titles, names, donor names and ids that A does not also have (a shared title proves nothing), A's own)."""
    sql = {
        "tracks": "SELECT title FROM tracks WHERE user_id = :u",
        "concerts": "SELECT title FROM concerts WHERE user_id = :u",
        "campaigns": "SELECT name FROM promotion_campaigns WHERE user_id = :u",
        "banners": "SELECT title FROM banner_ads WHERE user_id = :u",
        "donors": "SELECT donor_name FROM donations WHERE artist_id = :u AND NOT is_anonymous",
        "donation ids": "SELECT id FROM donations WHERE artist_id = :u",
        "track ids": "SELECT id FROM tracks WHERE user_id = :u",
    }
    values: set[str] = set()
    own: set[str] = set()
    for query in sql.values():
        mine = {r[0] for r in rows(store, query, u=a) if r[0]}
        own |= mine
        values |= {r[0] for r in rows(store, query, u=b) if r[0]} - mine
    return values, own


def test_an_artist_sees_only_their_own_data(demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    a, b = artists
    foreign, own = other_artists_values(store, a, b)
    exp_a, exp_b = Expected(store, a), Expected(store, b)
    b_amounts = {rub(exp_b.donated_rub(exp_b.start, exp_b.end)), number(exp_b.track_sum("plays", exp_b.start,
                                                                                          exp_b.end))}
    a_amounts = {rub(exp_a.donated_rub(exp_a.start, exp_a.end)), number(exp_a.track_sum("plays", exp_a.start,
                                                                                          exp_a.end))}
    b_amounts -= a_amounts | {"0 ₽", "0"}
    assert foreign and b_amounts
    for name in PAGES:
        at = open_page(store, page(name), "artist", a)
        assert_clean(at)
        assert "staff_artist" not in [w.key for w in at.sidebar.selectbox], "an artist has no artist picker"
        cells = shown_cells(at)
        page_text = texts(at)
        leaked = {v for v in foreign if v in cells
                  or (len(v) >= 12 and v in page_text and not any(v in mine for mine in own))}
        assert not leaked, (name, leaked)
        assert not b_amounts & {m.value for m in at.metric}, name
        # a URL parameter does not switch the scope
        at.query_params["artist_id"] = b
        at.query_params["artist"] = b
        at.run()
        assert_clean(at)
        assert not {v for v in foreign if v in shown_cells(at)}, name
        assert not b_amounts & {m.value for m in at.metric}, name
    tracks = open_page(store, page("tracks"), "artist", a)
    assert exp_a.track_titles() & shown_cells(tracks), "the artist's own tracks are shown"
    as_b = set().union(*(shown_cells(open_page(store, page(n), "artist", b)) for n in ("tracks", "fans")))
    assert foreign & as_b, "control: B's own pages do show the values the check looks for"
    picker = tracks.selectbox(key="artist_track")
    ids_a = {r[0] for r in rows(store, "SELECT id FROM tracks WHERE user_id = :a", a=a)}
    assert len(picker.options) == len(ids_a)
    assert all(str(o).split(" · ")[0] in exp_a.track_titles() | {"—"} for o in picker.options)


def test_staff_pick_the_artist_in_the_sidebar(demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    a, b = artists
    at = open_page(store, page("tracks"), "admin")
    assert_clean(at)
    at.sidebar.text_input(key="staff_artist_search").set_value(b).run()  # the picker searches as you type
    picker = at.sidebar.selectbox(key="staff_artist")
    picker.set_value(b).run()
    assert_clean(at)
    exp = Expected(store, b)
    assert metrics(at)[ru("artist.kpi.plays")] == number(exp.track_sum("plays", exp.start, exp.end))
    assert exp.track_titles() & shown_cells(at)
    at.sidebar.text_input(key="staff_artist_search").set_value(a).run()
    picker = at.sidebar.selectbox(key="staff_artist")
    assert any(b in str(o) for o in picker.options), "the artist chosen before stays a choice while searching"
    picker.set_value(a).run()
    exp = Expected(store, a)
    assert metrics(at)[ru("artist.kpi.plays")] == number(exp.track_sum("plays", exp.start, exp.end))


# ------------------------------------------------------------------------------------------ empty artist, language
@contextmanager
def artist_account(store: Store, artist_id: str) -> Iterator[str]:
    """A signed-in artist's account for ``artist_id`` (which need not exist in the store), removed afterwards."""
    email = "artist-under-test@example.com"
    accounts.add_account(store, accounts.Account(email=email, role="artist", artist_id=artist_id))
    try:
        yield email
    finally:
        accounts.remove_account(store, email)


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_an_artist_without_data_gets_friendly_empty_pages(engine: str, demo_stores: dict[str, Store]) -> None:
    store = demo_stores[engine]
    empties = {"overview": "artist.overview.empty", "tracks": "artist.tracks.empty",
               "audience": "artist.audience.empty", "concerts": "artist.concerts.empty",
               "fans": "artist.fans.no_donations", "promotion": "artist.promotion.empty"}
    with artist_account(store, "new-artist-without-data") as email:
        for name, key in empties.items():
            at = open_signed_in(store, page(name), email)
            assert_clean(at)
            assert ru(key) in [i.value for i in at.info], name
            assert "staff_artist" not in [w.key for w in at.sidebar.selectbox]
        overview = open_signed_in(store, page("overview"), email)
    assert metrics(overview)[ru("artist.kpi.plays")] == "0"
    assert metrics(overview)[ru("artist.kpi.coin_balance")] == "—"


def test_pages_speak_english(demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    for name in PAGES:
        at = open_page(store, page(name), "artist", artists[0], lang="en")
        assert_clean(at)
        assert at.title[0].value == t(f"artist.{name}.title", "en")


def test_every_table_has_a_csv_download(demo_duckdb: Store, artists: list[str]) -> None:
    store = demo_duckdb
    for name in PAGES:
        at = open_page(store, page(name), "artist", artists[0])
        assert len(at.get("download_button")) >= len(at.dataframe) > 0, name
        assert ru("freshness.as_of", when="@").split("@")[0] in texts(at), name


def test_a_custom_range_is_compared_with_the_range_before(demo_duckdb: Store,
                                                          artists: list[str]) -> None:
    store = demo_duckdb
    exp = Expected(store, artists[1])
    start, end = exp.today - dt.timedelta(days=59), exp.today - dt.timedelta(days=20)
    at = open_page(store, page("tracks"), "artist", exp.artist)
    at.radio(key="artist_period").set_value(CUSTOM).run()
    at.date_input(key="artist_range").set_value((start, end)).run()
    assert_clean(at)
    before_start, before_end = start - dt.timedelta(days=40), start - dt.timedelta(days=1)
    assert metrics(at)[ru("artist.kpi.plays")] == number(exp.track_sum("plays", start, end))
    assert ru("artist.previous", value=number(exp.track_sum("plays", before_start, before_end))) in \
        [c.value for c in at.caption]
    assert describe(period_between(start, end), "ru") in [c.value for c in at.caption]
    assert (period_between(start, end).prev_start, period_between(start, end).prev_end) == (before_start, before_end)


def test_bench_pages_runs_each_page_as_each_identity(demo_duckdb: Store, artists: list[str]) -> None:
    import subprocess
    import sys

    from ui.bench_pages import bench_pages

    done = subprocess.run([sys.executable, "-c", "import sys, ui.bench_pages; "
                           "sys.exit('streamlit' in sys.modules)"], check=False, cwd=APP.parent)
    assert done.returncode == 0, "ui.bench_pages imports streamlit at import time"
    result = bench_pages(demo_duckdb, [page("overview"), page("fans")],
                         [("artist", artists[0]), ("admin", None)], repeats=2)
    assert [(r["page"], r["role"]) for r in result] == [
        (page("overview"), "artist"), (page("overview"), "admin"), (page("fans"), "artist"), (page("fans"), "admin")]
    for row in result:
        assert row["errors"] == [] and row["runs"] == 2
        assert 0 < row["median_ms"] <= row["max_ms"]
