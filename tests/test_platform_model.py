"""Issue 18: the platform's real layout, modelled. The deployed fixture (shared/fixtures/deployed-kv-snapshot.ndjson)
ingested with --layout deployed on both engines: every area of KEYS.md has its table, with the row counts and money
sums computed here from the fixture's own rows; what stays unmapped is at most 24 keys, each named with its reason;
and the derived daily series (dashboard/ingest/series.py) from the totals recorded at each ingest."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from dashboard.i18n.formatting import MOSCOW
from dashboard.ingest.build import ingest
from dashboard.ingest.layout import load_layout
from dashboard.ingest.result import IngestError
from dashboard.ingest.series import SNAPSHOT_AT_ENV
from dashboard.store import schema
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.conftest import ENGINES, StoreFactory
from tests.data import decoded
from tests.pg_server import create_database
from tests.sql import rows, scalar

SANDRA = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"  # the artist who owns analytics:3f6b2c1e-…: 12 plays over 3 tracks


def records(path: Path) -> dict[str, Any]:
    """key → decoded value of every fixture row."""
    out: dict[str, Any] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            out[row["key"]] = decoded(row["value"])
    return out


def money(value: Any) -> Decimal:
    """A RUB amount as DECIMAL(…,2) holds it (the platform writes unrounded floats: 218.12000000000003)."""
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


Pick = Callable[[str], bool]


def prefix(*prefixes: str) -> Pick:
    return lambda key: key.startswith(prefixes)


# table → (which keys, object or array, {column: source field} whose money sum is checked)
AREAS: dict[str, tuple[Pick, str, dict[str, str]]] = {
    "beats": (prefix("beat:public:"), "object", {"price": "price"}),
    "digital_goods": (prefix("digital_good:public:"), "object", {"price": "price"}),
    "producer_services": (prefix("producer_service:public:"), "object", {"base_price": "basePrice"}),
    "service_orders": (prefix("service_order:"), "object",
                       {"price": "price", "commission": "commission", "producer_payout": "producerPayout"}),
    "contracts": (prefix("contract:"), "object", {"total_amount": "totalAmount", "paid_amount": "paidAmount"}),
    "producer_profiles": (prefix("producer_profile:"), "object", {"hourly_rate": "hourlyRate"}),
    "producer_reviews": (prefix("producer_review:"), "object", {}),
    "producer_orders": (prefix("producer_order:"), "object", {"price": "price"}),
    "producer_wallets": (prefix("producer_wallet:"), "object", {"balance": "balance", "total_earned": "totalEarned"}),
    "producer_portfolio_items": (prefix("portfolio:public:all"), "array", {}),
    "collab_offers": (lambda k: k.startswith("collab_offers:"), "array", {"price": "price"}),
    "bookings": (prefix("booking:"), "object",
                 {"offered_price": "offeredPrice", "platform_commission": "platformCommission",
                  "performer_fee": "performerFee"}),
    "dj_profiles": (prefix("dj:profile:"), "object", {"price_from": "priceFrom"}),
    "dj_mixes": (prefix("dj:mixes:"), "array", {}),
    "dj_reviews": (prefix("dj:reviews:"), "array", {}),
    "dj_subscriptions": (prefix("dj:subscription:"), "object", {"price": "price"}),
    "radio_stations": (prefix("radio_station:"), "object", {}),
    "radio_ad_slots": (prefix("radio_ad_slot:"), "object", {"price": "price"}),
    "radio_venue_requests": (prefix("radio_venue_requests:"), "array",
                             {"total_price": "totalPrice", "platform_fee": "platformFee",
                              "station_payout": "stationPayout"}),
    "radio_artist_requests": (prefix("radio_artist_requests:"), "array", {}),
    "radio_finances": (prefix("radio_finance:"), "object", {"total_revenue": "totalRevenue"}),
    "venue_profiles": (prefix("venue_profile:"), "object", {}),
    "venue_analytics": (prefix("venue_analytics:"), "object", {"monthly_spending": "monthlySpending"}),
    "venue_spending": (prefix("venue_spending:"), "array", {"amount": "amount"}),
    "venue_playlists": (prefix("venue_playlists:"), "array", {}),
    "track_test_requests": (prefix("track_test:requests:"), "object", {"payment_amount": "payment_amount"}),
    "track_test_reviews": (prefix("track_test:reviews:"), "object", {}),
    "track_test_expert_stats": (prefix("track_test:expert_stats:"), "object", {}),
    "publish_orders": (prefix("publish_order:"), "object", {"price": "price"}),
    "promotion_campaigns": (prefix("marketing_campaign:"), "object", {"budget": "final_price"}),
    "concert_email_campaigns": (prefix("campaign:"), "object", {}),
    "email_preferences": (prefix("email_subscription:"), "object", {}),
    "ticket_providers": (prefix("ticket_provider:"), "object", {"commission": "commission"}),
    "ticket_sales": (prefix("ticket_sale:"), "object",
                     {"total_amount": "totalAmount", "commission": "commission", "net_amount": "netAmount"}),
    "tickets": (lambda k: k.startswith("ticket:"), "object", {}),
    "accounting_reports": (prefix("accounting:reports"), "array", {"amount": "amount", "tax_amount": "taxAmount"}),
    "accounting_documents": (prefix("accounting:documents"), "array", {"amount": "amount"}),
    "accounting_ledger_entries": (prefix("accounting:ledger"), "array", {"amount": "amount"}),
    "accounting_counterparties": (prefix("accounting:counterparties"), "array", {"balance": "balance"}),
    "accounting_calendar_events": (prefix("accounting:calendar"), "array", {"amount": "amount"}),
    "track_totals": (lambda k: k.startswith("analytics:") and ":track:" in k, "object", {}),
    "artists": (prefix("artist:"), "object", {}),
    "artist_slugs": (prefix("artist_slug:"), "object", {}),
    "guide_venues": (prefix("guide:venue:"), "object", {}),
    "devlab_tasks": (prefix("devlab:task:"), "object", {}),
    "subscriptions": (prefix("subscription:"), "object", {"price": "price"}),
    "donations": (prefix("donation:"), "object", {"amount": "amount"}),
}


def expected_rows(data: dict[str, Any], pick: Pick, shape: str) -> list[dict[str, Any]]:
    values = [v for k, v in data.items() if pick(k)]
    if shape == "array":
        return [e for v in values for e in v]
    return [v if isinstance(v, dict) else {} for v in values]


@pytest.fixture(scope="module", params=ENGINES)
def fixture_store(request: pytest.FixtureRequest, fixture_snapshot: Path,
                  tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The fixture ingested with --layout deployed, once per engine for this module's tests, which only read it:
    (store, IngestResult)."""
    if request.param == "duckdb":
        store = Store(str(tmp_path_factory.mktemp("fixture_store") / "fixture.duckdb"))
    else:
        store = Store(create_database(request.getfixturevalue("pg_url"), f"fixture_store_{os.getpid()}"))
    result = ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    return store, result


def test_every_area_has_its_rows_and_money(fixture_store: Any, fixture_snapshot: Path) -> None:
    store, result = fixture_store
    data = records(fixture_snapshot)
    for table, (pick, shape, sums) in AREAS.items():
        expected = expected_rows(data, pick, shape)
        assert expected, f"the fixture has no rows for {table}: the check would prove nothing"
        # one statement per table (each read opens the DuckDB file: ~20 ms): rows, rows without a source key, rows
        # whose source key is not in kv_store, then each money column's sum
        orphans = f"(SELECT COUNT(*) FROM {table} AS o WHERE NOT EXISTS (SELECT 1 FROM kv_store AS k " \
                  "WHERE k.key = o.source_key))"
        got = rows(store, f"SELECT COUNT(*), COUNT(*) FILTER (WHERE source_key IS NULL), {orphans}"
                          f"{''.join(f', SUM({column})' for column in sums)} FROM {table}")[0]
        assert got[0] == len(expected) == result.table_counts[table], table
        assert got[1:3] == (0, 0), table
        for (column, field), total in zip(sums.items(), got[3:], strict=True):
            want = sum((money(r[field]) for r in expected if r.get(field) is not None), Decimal(0))
            assert money(total or 0) == want, (table, column)


def test_the_platforms_quirks(fixture_store: Any, fixture_snapshot: Path) -> None:
    """Double encoding, camelCase beside snake_case, numbers as strings, demo-user, arrays and index keys."""
    store, _ = fixture_store
    data = records(fixture_snapshot)
    # contract milestones: one row per element of contract:{orderId}.milestones (derived after the build)
    milestones = [m for k, v in data.items() if k.startswith("contract:") for m in v["milestones"]]
    assert rows(store, "SELECT COUNT(*), SUM(amount) FROM contract_milestones") == [
        (len(milestones), sum(money(m["amount"]) for m in milestones))]
    approved = [m for m in milestones if m["status"] == "approved"]
    assert scalar(store, "SELECT SUM(amount) FROM contract_milestones WHERE status = 'approved'") == sum(
        money(m["amount"]) for m in approved)
    # demo-user: the client of the service orders a caller without X-User-Id made
    clients = [v["clientId"] for k, v in data.items() if k.startswith("service_order:")]
    assert scalar(store, "SELECT COUNT(*) FROM service_orders WHERE client_id = 'demo-user'") == clients.count(
        "demo-user")
    # camelCase (ticket sales) and snake_case (track tests) side by side; a guest's test has no user
    assert scalar(store, "SELECT COUNT(*) FROM track_test_requests WHERE user_id IS NULL") == sum(
        1 for k, v in data.items() if k.startswith("track_test:requests:") and v.get("user_id") is None)
    # DM messages: an array under one key, one row each, text into content
    dm = [m for k, v in data.items() if k.startswith("dm:messages:") for m in v]
    assert sorted(r[0] for r in rows(store, "SELECT content FROM messages WHERE conversation_id LIKE '%::%'")) == \
        sorted(m["text"] for m in dm)
    # index keys: their ids in kv_index, in order
    index = data["track_test:all_requests"]
    assert [r[0] for r in rows(store, "SELECT item_id FROM kv_index WHERE list_key = 'track_test:all_requests' "
                                      "ORDER BY position")] == index
    # the ticket vendor's API key is not copied anywhere but kv_store
    assert "api_key" not in {c for c, _ in schema.ENTITY_TABLES["ticket_providers"]}
    # an artist's own totals: analytics:{u}:track:{t}
    assert rows(store, "SELECT COUNT(*), SUM(plays) FROM track_totals WHERE user_id = :u", u=SANDRA) == [(3, 12)]
    # a subscription's price (pmf tiers), the revenue line of artist subscriptions
    assert scalar(store, "SELECT billing_interval FROM subscriptions WHERE user_id = 'artist-dan'") == "year"


def test_unmapped_keys_are_few_and_each_is_named(fixture_store: Any, fixture_snapshot: Path) -> None:
    store, result = fixture_store
    data = records(fixture_snapshot)
    assert result.rows_read == len(data) == 486
    unmapped = rows(store, "SELECT key, pattern FROM kv_unmapped ORDER BY key")
    assert len(unmapped) == result.rows_unmapped <= 24
    reasons = {e.pattern: e.reason for e in load_layout("deployed").entries if e.shape == "unmodeled"}
    for key, pattern in unmapped:
        assert reasons.get(pattern), (key, pattern)  # a layout entry, not modelled on purpose
    summary = "\n".join(result.summary_lines())
    assert f"not modelled on purpose: {len(unmapped)} keys" in summary
    for pattern in {p for _, p in unmapped}:
        assert f"{pattern} {result.unmapped_by_pattern[pattern]}: {reasons[pattern]}" in summary
    assert "unknown" not in summary


def test_unknown_keys_are_told_apart(new_store: StoreFactory, fixture_snapshot: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.ndjson"
    extra.write_text('{"key": "totally_new:1", "value": {"a": 1}}\n', encoding="utf-8")
    result = ingest([fixture_snapshot, extra], new_store(), "deployed", say=lambda _m: None)
    summary = "\n".join(result.summary_lines())
    assert "unknown (no layout entry): 1 key: totally_new:* 1" in summary
    assert "not modelled on purpose: 20 keys in 11 patterns" in summary


@pytest.mark.parametrize("bad", [
    {"pattern": "x:{id}", "shape": "unmodeled"},
    {"pattern": "x:{id}", "shape": "unmodeled", "reason": "  "},
    {"pattern": "x:{id}", "table": "beats", "reason": "only unmodeled entries take one"},
    {"pattern": "x:{id}", "table": "contract_milestones"},
    {"pattern": "x:{id}", "table": "beats", "fields": {"no_such_column": ["a"]}},
])
def test_bad_layout_entries_are_refused(bad: dict[str, Any]) -> None:
    from dashboard.ingest.layout import LayoutError, parse_layout

    with pytest.raises(LayoutError) as err:
        parse_layout({"entries": [bad]}, "bad")
    assert "\n" not in str(err.value)


def test_every_platform_column_is_described() -> None:
    for table, columns in schema.PLATFORM_TABLES.items():
        assert schema.TABLE_DESCRIPTIONS[table]
        for column, _ in columns:
            assert schema.COLUMN_DESCRIPTIONS[table][column].strip(), (table, column)
        assert table == table.lower() and table.endswith(("s", "analytics", "spending", "entries")), table
    for table, columns in schema.REFERENCE_EXTENSION_SPECS.items():
        assert all(c in dict(schema.ENTITY_TABLES[table]) for c, _, _ in columns)


# ------------------------------------------------------------------------------------- the derived daily series


def snapshot_with_plays(fixture: Path, out: Path, extra: dict[str, int]) -> Path:
    """The fixture with ``extra`` plays added to some of Сандра's tracks (the analytics row and the track row, as
    the platform's play endpoint does), written double-encoded as the platform writes them."""
    lines = []
    for line in fixture.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        value = decoded(row["value"])
        for track_id, more in extra.items():
            if row["key"] in (f"analytics:{SANDRA}:track:{track_id}", f"track:{SANDRA}:{track_id}"):
                value = {**value, "plays": int(value.get("plays") or 0) + more}
                row["value"] = json.dumps(value, ensure_ascii=False)
        lines.append(json.dumps(row, ensure_ascii=False))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def sandra_tracks(fixture: Path) -> list[str]:
    return sorted(k.rsplit(":", 1)[1] for k in records(fixture) if k.startswith(f"analytics:{SANDRA}:track:"))


def ingest_at(store: Any, path: Path, when: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SNAPSHOT_AT_ENV, when.isoformat())
    ingest([path], store, "deployed", say=lambda _m: None)


def series(store: Any, start: dt.date, end: dt.date) -> dict[dt.date, float]:
    frame = run_query(store, "artist_series_by_day", artist_id=SANDRA, start=start, end=end)
    return {pd_day(d): float(p) for d, p in zip(frame["day"], frame["plays"], strict=True)}


def pd_day(value: Any) -> dt.date:
    return value if type(value) is dt.date else value.date()


def test_two_snapshots_a_day_apart_give_the_growth_per_day(new_store: StoreFactory, fixture_snapshot: Path,
                                                           tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = new_store()
    one, two, three = sandra_tracks(fixture_snapshot)
    day1 = dt.datetime(2026, 2, 17, tzinfo=MOSCOW)  # Moscow midnights: the growth lies within one day
    ingest_at(store, fixture_snapshot, day1, monkeypatch)
    first = run_query(store, "artist_series_span", artist_id=SANDRA).iloc[0]
    assert (int(first["recordings"]), int(first["tracks"]), int(first["grown"])) == (1, 3, 0)
    assert sum(series(store, day1.date() - dt.timedelta(days=3), day1.date() + dt.timedelta(days=3)).values()) == 0

    grown = snapshot_with_plays(fixture_snapshot, tmp_path / "day2.ndjson", {one: 5, two: 2})
    ingest_at(store, grown, day1 + dt.timedelta(days=1), monkeypatch)
    days = series(store, dt.date(2026, 2, 16), dt.date(2026, 2, 19))
    assert days == {dt.date(2026, 2, 16): 0, dt.date(2026, 2, 17): 7, dt.date(2026, 2, 18): 0,
                    dt.date(2026, 2, 19): 0}
    span = run_query(store, "artist_series_span", artist_id=SANDRA).iloc[0]
    assert int(span["recordings"]) == 2 and int(span["grown"]) == 2
    assert pd_day(span["first_day"]) == dt.date(2026, 2, 17)

    # the same snapshot again, a day later: its totals did not move, so no plays are added
    ingest_at(store, grown, day1 + dt.timedelta(days=2), monkeypatch)
    assert sum(series(store, dt.date(2026, 2, 10), dt.date(2026, 2, 28)).values()) == 7
    assert scalar(store, "SELECT COUNT(*) FROM track_totals_history WHERE track_id IS NOT NULL AND user_id = :u",
                  u=SANDRA) == 5  # 3 baselines + 2 changes

    # 36 hours later with 3 more plays: spread over the time between the two recordings (24 h + 12 h)
    more = snapshot_with_plays(fixture_snapshot, tmp_path / "day4.ndjson", {one: 5, two: 2, three: 3})
    ingest_at(store, more, day1 + dt.timedelta(days=3, hours=12), monkeypatch)
    days = series(store, dt.date(2026, 2, 19), dt.date(2026, 2, 20))
    assert days[dt.date(2026, 2, 19)] == pytest.approx(2.0) and days[dt.date(2026, 2, 20)] == pytest.approx(1.0)
    assert sum(series(store, dt.date(2026, 2, 1), dt.date(2026, 3, 1)).values()) == pytest.approx(10)
    # the history survives every re-ingest, like the moderation log
    assert scalar(store, "SELECT COUNT(*) FROM track_totals_history WHERE track_id IS NULL") == 4


def test_a_bad_snapshot_time_is_one_line_and_changes_nothing(new_store: StoreFactory, fixture_snapshot: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    store = new_store()
    ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    monkeypatch.setenv(SNAPSHOT_AT_ENV, "yesterday")
    with pytest.raises(IngestError) as err:
        ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    assert SNAPSHOT_AT_ENV in str(err.value) and "\n" not in str(err.value)
    assert scalar(store, "SELECT COUNT(*) FROM ingest_runs") == 1
    assert scalar(store, "SELECT COUNT(*) FROM track_totals_history WHERE track_id IS NULL") == 1


def test_daily_stats_entries_are_used_when_the_platform_keeps_them(new_store: StoreFactory, fixture_snapshot: Path,
                                                                  tmp_path: Path) -> None:
    """dailyStats is always empty so far; once it holds entries, they are the track's days (track_analytics), and
    the derived series leaves that track alone."""
    one = sandra_tracks(fixture_snapshot)[0]
    key = f"analytics:{SANDRA}:track:{one}"
    lines = []
    for line in fixture_snapshot.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["key"] == key:
            value = decoded(row["value"])
            value["dailyStats"] = [{"date": "2026-02-10", "plays": 3, "likes": 1}, {"date": "2026-02-11", "plays": 2},
                                   {"date": "not a day", "plays": 9}, "junk"]
            row["value"] = json.dumps(value, ensure_ascii=False)
        lines.append(json.dumps(row, ensure_ascii=False))
    path = tmp_path / "daily.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = new_store()
    ingest([path], store, "deployed", say=lambda _m: None)
    assert rows(store, "SELECT CAST(date AS VARCHAR), plays, likes, source_key FROM track_analytics ORDER BY 1") == [
        ("2026-02-10", 3, 1, key), ("2026-02-11", 2, None, key)]
    by_day = run_query(store, "artist_plays_by_day", artist_id=SANDRA, start=dt.date(2026, 2, 1),
                       end=dt.date(2026, 2, 28))
    assert [(pd_day(d), int(p)) for d, p in zip(by_day["day"], by_day["plays"], strict=True)] == [
        (dt.date(2026, 2, 10), 3), (dt.date(2026, 2, 11), 2)]
    assert bool(run_query(store, "artist_data_dates", artist_id=SANDRA).iloc[0]["artist_has_daily"])


# ------------------------------------------------------------------------- the artist pages on the platform's totals


ARTIST_PAGES = ("artist_overview", "artist_tracks", "artist_audience", "artist_concerts", "artist_fans",
                "artist_promotion")


def test_artist_pages_work_from_the_totals(fixture_store: Any) -> None:
    """Сандра on the deployed fixture, both engines: her totals on "Мой обзор" (12 plays over 3 tracks, 850 ₽ of
    donations, 430 coins, 2 000 subscribers), every track's counter on "Треки", and on no page a year 1969/1970 or a
    card compared with a period the platform has no data for."""
    from dashboard.i18n.translations import t
    from tests.apptest import open_page, texts

    store, _ = fixture_store
    for name in ARTIST_PAGES:
        at = open_page(store, f"ui/views/{name}.py", "artist", SANDRA)
        assert not at.exception, (name, at.exception)
        shown = texts(at)
        assert "1969" not in shown and "1970" not in shown, name
        if name == "artist_overview":
            cards = {m.label: m.value for m in at.metric}
            assert cards[t("artist.kpi.plays", "ru")].replace("\u202f", " ").replace("\u00a0", " ") == "12"
            assert cards[t("artist.kpi.tracks", "ru")] == "3"
            assert cards[t("artist.kpi.coin_balance", "ru")] == "430"
            assert t("artist.plays.no_daily", "ru") in shown  # said in her words, no chart of zeros
            assert not [m for m in at.metric if m.label == t("artist.kpi.plays", "ru") and m.delta]
        if name == "artist_tracks":
            table = next(df.value for df in at.dataframe if t("artist.col.plays", "ru") in df.value.columns)
            plays = [int(str(v).replace("\u202f", "").replace("\u00a0", "")) for v in
                     table[t("artist.col.plays", "ru")]]  # the all-time table, under its "all time" heading
            assert plays == [6, 4, 2]
        if name == "artist_audience":
            assert t("artist.audience.not_recorded", "ru") in shown
