"""The artist's deal pages on the platform's real (deployed) layout: ticket sales on Concerts, Bookings, Marketplace
and Track tests.

Their queries read tables only the deployed layout fills, so they run here (not on the seed demo of
tests/test_query_parity.py and tests/test_artist_queries.py): on the shared fixture and on the tiny deployed demo,
each on both engines with equal results and rows. Expected values are computed from the snapshots' own rows (the
NDJSON parsed here, double-encoded values decoded), an artist never gets another's rows, and the pages show the
numbers the snapshots hold.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.demo.deployed import write_deployed_snapshot
from dashboard.i18n.formatting import MOSCOW, day_text, moscow_today, number, rub
from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.metrics import artist_deals as deals
from dashboard.store.connect import Store
from dashboard.store.queries import load_query, run_query
from tests.apptest import ISOLATED_SECRETS, new_app, open_page, parsed, texts
from tests.conftest import AS_OF
from tests.data import decoded
from tests.engines import assert_same_result
from tests.pg_server import create_database
from tests.sql import rows

# The queries of these pages. tests/test_query_parity.py and tests/test_artist_queries.py leave the rows-on-the-seed-
# demo check of these to this file (the seed layout has no ticket sales, bookings, marketplace or track tests).
DEPLOYED_ONLY: tuple[str, ...] = (
    "artist_ticket_sales_by_concert", "artist_ticket_sales_by_day", "artist_ticket_sales_by_provider",
    "artist_bookings", "artist_marketplace_sales", "artist_service_orders", "artist_contracts",
    "artist_contract_milestones", "artist_track_tests", "artist_track_test_reviews",
)
# per query: the artists who have rows (the column that scopes it), and the artist's own row ids (independent SQL)
SCOPE: dict[str, tuple[str, str, str]] = {
    "artist_ticket_sales_by_concert": ("SELECT artist_id FROM ticket_sales", "concert_id",
                                       "SELECT concert_id FROM ticket_sales WHERE artist_id = :a"),
    "artist_ticket_sales_by_day": ("SELECT artist_id FROM ticket_sales WHERE status = 'confirmed'", "", ""),
    "artist_ticket_sales_by_provider": ("SELECT artist_id FROM ticket_sales WHERE status = 'confirmed'", "", ""),
    "artist_bookings": ("SELECT performer_id FROM bookings UNION ALL SELECT dj_id FROM dj_bookings", "booking_id",
                        "SELECT id FROM bookings WHERE performer_id = :a UNION ALL SELECT d.id FROM dj_bookings d "
                        "WHERE d.dj_id = :a OR d.dj_id IN (SELECT id FROM dj_profiles WHERE user_id = :a)"),
    "artist_marketplace_sales": ("SELECT producer_id FROM beat_purchases UNION ALL "
                                 "SELECT producer_id FROM digital_purchases", "purchase_id",
                                 "SELECT id FROM beat_purchases WHERE producer_id = :a UNION ALL "
                                 "SELECT id FROM digital_purchases WHERE producer_id = :a"),
    "artist_service_orders": ("SELECT producer_id FROM service_orders", "order_id",
                              "SELECT id FROM service_orders WHERE producer_id = :a"),
    "artist_contracts": ("SELECT producer_id FROM contracts", "contract_id",
                         "SELECT id FROM contracts WHERE producer_id = :a"),
    "artist_contract_milestones": ("SELECT c.producer_id FROM contracts c JOIN contract_milestones m "
                                   "ON m.contract_id = c.id", "contract_id",
                                   "SELECT id FROM contracts WHERE producer_id = :a"),
    "artist_track_tests": ("SELECT user_id FROM track_test_requests", "request_id",
                           "SELECT id FROM track_test_requests WHERE user_id = :a"),
    "artist_track_test_reviews": ("SELECT q.user_id FROM track_test_requests q JOIN track_test_reviews r "
                                  "ON r.request_id = q.id WHERE q.status = 'completed' AND r.status = 'completed'",
                                  "request_id", "SELECT id FROM track_test_requests WHERE user_id = :a"),
}
SANDRA = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"  # the fixture's artist with ticket sales (of concert c1)
NOBODY = "no-such-artist-0000"
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 1, 27))  # the fixture's ticket sales are in January 2026


# ------------------------------------------------------------------------------------------ snapshots as data
def snapshot_values(path: Path, prefix: str) -> list[dict[str, Any]]:
    """The decoded values of the snapshot's keys that start with ``prefix``."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if record["key"].startswith(prefix):
                out.append(decoded(record["value"]))
    return out


def moscow_day(text: str) -> dt.date:
    return pd.Timestamp(text).tz_convert(MOSCOW).date()


def num(value: Any) -> float:
    return 0.0 if value is None else float(value)


def close(a: Any, b: Any) -> bool:
    return abs(num(a) - num(b)) < 0.005


# ------------------------------------------------------------------------------------------ stores
@pytest.fixture(scope="module")
def tiny_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deals") / "deployed-tiny.ndjson"
    write_deployed_snapshot(out, "tiny", seed=42, as_of=AS_OF)
    return out


def both_engines(snapshot: Path, pg_url: str, tmp: Path, name: str) -> dict[str, Store]:
    duck = Store(str(tmp / f"{name}.duckdb"))
    pg = Store(create_database(pg_url, f"{name}_{os.getpid()}"))
    for store in (duck, pg):
        ingest([snapshot], store, "deployed", say=lambda _m: None)
    return {"duckdb": duck, "postgresql": pg}


@pytest.fixture(scope="module")
def fixture_stores(fixture_snapshot: Path, pg_url: str, tmp_path_factory: pytest.TempPathFactory
                   ) -> dict[str, Store]:
    return both_engines(fixture_snapshot, pg_url, tmp_path_factory.mktemp("deals_fixture"), "deals_fixture")


@pytest.fixture(scope="module")
def tiny_stores(tiny_snapshot: Path, pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    return both_engines(tiny_snapshot, pg_url, tmp_path_factory.mktemp("deals_tiny"), "deals_tiny")


def artists_with_rows(store: Store, name: str) -> list[str]:
    return sorted({r[0] for r in rows(store, SCOPE[name][0]) if r[0]})


def params(name: str, artist: str) -> dict[str, Any]:
    values = {"artist_id": artist, "start": dt.date(2025, 1, 1), "end": AS_OF + dt.timedelta(days=60)}
    return {p: values[p] for p in load_query(name).params}


# ------------------------------------------------------------------------------------------ both engines
@pytest.mark.parametrize("name", DEPLOYED_ONLY)
def test_query_has_rows_and_equal_results_on_both_engines(name: str, fixture_stores: dict[str, Store],
                                                          tiny_stores: dict[str, Store]) -> None:
    assert load_query(name).path.parent.name == "artist"
    seen = 0
    for stores in (fixture_stores, tiny_stores):
        for artist in [*artists_with_rows(stores["duckdb"], name), NOBODY]:
            on_duck = run_query(stores["duckdb"], name, **params(name, artist))
            on_pg = run_query(stores["postgresql"], name, **params(name, artist))
            assert_same_result(on_duck, on_pg, label=(name, artist))
            seen += len(on_duck) if artist != NOBODY else 0
            if artist == NOBODY:
                assert on_duck.empty, name
    if name == "artist_contract_milestones" and not rows(fixture_stores["duckdb"],
                                                         "SELECT 1 FROM contract_milestones LIMIT 1"):
        pytest.skip("contract_milestones is derived from contracts.milestones after each build (the model branch's "
                    "after-build hook); this store has none yet")
    assert seen > 0, f"{name} returned no rows on the fixture or the tiny deployed demo"


@pytest.mark.parametrize("name", [n for n in DEPLOYED_ONLY if SCOPE[n][1]])
def test_an_artist_never_gets_another_artists_rows(name: str, fixture_stores: dict[str, Store],
                                                   tiny_stores: dict[str, Store]) -> None:
    for stores in (fixture_stores, tiny_stores):
        for engine, store in stores.items():
            for artist in artists_with_rows(store, name):
                got = run_query(store, name, **params(name, artist))
                own = {r[0] for r in rows(store, SCOPE[name][2], a=artist)}
                column = SCOPE[name][1]
                assert set(got[column]) <= own, (name, engine, artist)


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_ticket_sales_are_the_fixtures_confirmed_sales(engine: str, fixture_stores: dict[str, Store],
                                                       fixture_snapshot: Path) -> None:
    store = fixture_stores[engine]
    sales = snapshot_values(fixture_snapshot, "ticket_sale:")
    assert sales, "the fixture has ticket sales"
    by_artist: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sale in sales:
        by_artist[sale["artistId"]].append(sale)
    for artist, mine in by_artist.items():
        confirmed = [s for s in mine if s.get("status", "confirmed") == "confirmed"]
        got = run_query(store, "artist_ticket_sales_by_concert", artist_id=artist)
        assert sorted(got["concert_id"]) == sorted({s["concertId"] for s in mine})
        for row in got.to_dict("records"):
            of = [s for s in confirmed if s["concertId"] == row["concert_id"]]
            assert int(row["sales"]) == len(of)
            assert int(row["tickets"]) == sum(s["quantity"] for s in of)
            for column, field in (("gross", "totalAmount"), ("commission", "commission"), ("net", "netAmount")):
                assert close(row[column], sum(float(s[field]) for s in of)), column
            assert int(row["cancelled"]) == sum(1 for s in mine if s.get("status") == "cancelled"
                                                and s["concertId"] == row["concert_id"])
        start, end = PERIOD
        inside = [s for s in confirmed if start <= moscow_day(s["purchasedAt"]) <= end]
        by_day = run_query(store, "artist_ticket_sales_by_day", artist_id=artist, start=start, end=end)
        per_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
        for s in inside:
            per_day[moscow_day(s["purchasedAt"])].append(s)
        assert [pd.Timestamp(d).date() for d in by_day["day"]] == sorted(per_day)
        totals = deals.period_sums(by_day, start, end)
        assert totals["tickets"] == sum(s["quantity"] for s in inside)
        assert close(totals["gross"], sum(s["totalAmount"] for s in inside))
        assert close(totals["commission"], sum(s["commission"] for s in inside))
        providers = run_query(store, "artist_ticket_sales_by_provider", artist_id=artist, start=start, end=end)
        for row in providers.to_dict("records"):
            of = [s for s in inside if s.get("provider") == row["provider"]]
            assert int(row["sales"]) == len(of) and close(row["net"], sum(s["netAmount"] for s in of))
    assert SANDRA in by_artist


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_bookings_are_the_snapshots_bookings(engine: str, fixture_stores: dict[str, Store],
                                             tiny_stores: dict[str, Store], fixture_snapshot: Path,
                                             tiny_snapshot: Path) -> None:
    today = moscow_today()
    for store, snapshot in ((fixture_stores[engine], fixture_snapshot), (tiny_stores[engine], tiny_snapshot)):
        bookings = [b for b in snapshot_values(snapshot, "booking:") if isinstance(b, dict) and "performerId" in b]
        assert bookings
        performers = {b["performerId"] for b in bookings}
        for artist in performers:
            mine = [b for b in bookings if b["performerId"] == artist]
            got = run_query(store, "artist_bookings", artist_id=artist)
            got = got[got["kind"] == "booking"]
            assert sorted(got["booking_id"]) == sorted(b["id"] for b in mine)
            summary = deals.booking_summary(got, today)
            fee = {s: sum(num(b.get("performerFee")) for b in mine if b.get("status") in s)
                   for s in (("confirmed", "completed"), ("accepted", "deposit_paid"))}
            assert close(summary["confirmed_fees"], fee[("confirmed", "completed")])
            assert close(summary["agreed_fees"], fee[("accepted", "deposit_paid")])
            assert summary["offers"] == sum(1 for b in mine if b.get("status") == "pending")
            assert summary["upcoming"] == sum(1 for b in mine if dt.date.fromisoformat(b["eventDate"][:10]) >= today
                                              and b.get("status") not in ("cancelled", "rejected"))
    dj = [b for b in snapshot_values(tiny_snapshot, "dj:booking:") if isinstance(b, dict)]
    assert dj, "the tiny demo has DJ bookings"
    for dj_id in {b["djId"] for b in dj}:
        got = run_query(tiny_stores[engine], "artist_bookings", artist_id=dj_id)
        assert sorted(got["booking_id"]) == sorted(b["id"] for b in dj if b["djId"] == dj_id)
        assert set(got["kind"]) == {"dj_booking"}
        assert close(sum(num(x) for x in deals.with_stage(got)["fee"]), sum(num(b["price"]) for b in dj
                                                                           if b["djId"] == dj_id))


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_producer_sales_orders_and_contracts_are_the_snapshots(engine: str, fixture_stores: dict[str, Store],
                                                               tiny_stores: dict[str, Store], fixture_snapshot: Path,
                                                               tiny_snapshot: Path) -> None:
    for store, snapshot in ((fixture_stores[engine], fixture_snapshot), (tiny_stores[engine], tiny_snapshot)):
        derived = bool(rows(store, "SELECT 1 FROM contract_milestones LIMIT 1"))
        beats = [p for p in snapshot_values(snapshot, "beat_purchase:") if isinstance(p, dict) and "producerId" in p]
        goods = [p for p in snapshot_values(snapshot, "digital_purchase:") if isinstance(p, dict)
                 and "producerId" in p]
        orders = [o for o in snapshot_values(snapshot, "service_order:") if isinstance(o, dict) and "producerId" in o]
        contracts = [c for c in snapshot_values(snapshot, "contract:") if isinstance(c, dict)]
        producers = {x["producerId"] for x in [*beats, *goods, *orders, *contracts]}
        assert producers
        for artist in producers:
            sales = run_query(store, "artist_marketplace_sales", artist_id=artist)
            got_orders = run_query(store, "artist_service_orders", artist_id=artist)
            got_contracts = run_query(store, "artist_contracts", artist_id=artist)
            lines = deals.marketplace_lines(sales, got_orders, got_contracts).set_index("line")
            for line, mine in (("beat", [b for b in beats if b["producerId"] == artist]),
                               ("digital_good", [g for g in goods if g["producerId"] == artist])):
                paid = [x for x in mine if x.get("status") == "completed"]
                assert lines.loc[line, "sales"] == len(paid)
                assert close(lines.loc[line, "gross"], sum(x["price"] for x in paid))
                assert close(lines.loc[line, "commission"], sum(x["commission"] for x in paid))
                assert close(lines.loc[line, "payout"], sum(x["producerPayout"] for x in paid))
            mine_orders = [o for o in orders if o["producerId"] == artist]
            assert sorted(got_orders["order_id"]) == sorted(o["id"] for o in mine_orders)
            with_contract = {c["orderId"] for c in contracts}
            done = [o for o in mine_orders if o["status"] == "completed" and o["id"] not in with_contract]
            assert close(lines.loc["service", "payout"], sum(o["producerPayout"] for o in done))
            mine_contracts = [c for c in contracts if c["producerId"] == artist]
            assert sorted(got_contracts["contract_id"]) == sorted(c["id"] for c in mine_contracts)
            assert close(lines.loc["contract", "gross"], sum(c["paidAmount"] for c in mine_contracts))
            assert close(lines.loc["contract", "gross"],
                         sum(m["amount"] for c in mine_contracts for m in c["milestones"] if m["status"] == "approved"))
            if derived:  # contract_milestones is filled after each build (the after-build step of the data model)
                milestones = run_query(store, "artist_contract_milestones", artist_id=artist)
                expected = sorted((c["id"], m["title"], float(m["amount"]), m["status"]) for c in mine_contracts
                                  for m in c["milestones"])
                assert sorted(zip(milestones["contract_id"], milestones["title"], milestones["amount"].map(float),
                                  milestones["status"], strict=True)) == expected


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_track_test_results_only_once_completed(engine: str, fixture_stores: dict[str, Store],
                                                tiny_stores: dict[str, Store], fixture_snapshot: Path,
                                                tiny_snapshot: Path) -> None:
    released = 0
    for store, snapshot in ((fixture_stores[engine], fixture_snapshot), (tiny_stores[engine], tiny_snapshot)):
        requests = [q for q in snapshot_values(snapshot, "track_test:requests:") if isinstance(q, dict)]
        reviews = [r for r in snapshot_values(snapshot, "track_test:reviews:") if isinstance(r, dict)]
        for artist in {q.get("user_id") for q in requests if q.get("user_id")}:
            mine = {q["id"]: q for q in requests if q.get("user_id") == artist}
            got = run_query(store, "artist_track_tests", artist_id=artist)
            assert sorted(got["request_id"]) == sorted(mine)
            for row in got.to_dict("records"):
                q = mine[row["request_id"]]
                if q["status"] == "completed":
                    released += 1
                    assert close(row["average_rating"], q["average_rating"])
                    for category in deals.TEST_CATEGORIES:
                        assert close(row[category], q["category_averages"][category]), category
                    assert row["consolidated_feedback"] == q.get("consolidated_feedback")
                else:  # not released yet: no result, even when the experts' averages are stored
                    assert pd.isna(row["average_rating"]) and pd.isna(row["mixing_mastering"])
                    assert row["consolidated_feedback"] is None or pd.isna(row["consolidated_feedback"])
            got_reviews = run_query(store, "artist_track_test_reviews", artist_id=artist)
            expected = [r for r in reviews if r.get("status") == "completed" and r["request_id"] in mine
                        and mine[r["request_id"]]["status"] == "completed"]
            assert len(got_reviews) == len(expected)
            assert sorted(got_reviews["overall_score"].map(int)) == sorted(int(r["overall_score"]) for r in expected)
            assert "expert_email" not in got_reviews.columns
    assert released >= 1


# ------------------------------------------------------------------------------------------ pages
def ru(key: str, **fmt: object) -> str:
    return t(key, "ru", **fmt)


def cards(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in reversed(list(at.metric))}


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "deals." not in shown and "artist." not in shown, "an untranslated key is shown"


def table_with(at: AppTest, *labels: str) -> pd.DataFrame:
    for df in at.dataframe:
        if all(label in df.value.columns for label in labels):
            return parsed(df.value)
    raise AssertionError(f"no table with columns {labels}")


def open_with_period(store: Store, page: str, artist: str, start: dt.date, end: dt.date) -> AppTest:
    """open_page with a custom period picked before the first run (as the period picker keeps it)."""
    os.environ["PROMO_DB"] = store.name
    os.environ["PROMO_DEMO_MODE"] = "1"
    at = new_app()
    at.secrets.update(ISOLATED_SECRETS)
    at.session_state["view_as"] = ("artist", artist)
    at.session_state["lang"] = "ru"
    at.session_state["keep_artist_period"] = "custom"
    at.session_state["keep_artist_range"] = (start, end)
    at.switch_page(page).run()
    return at


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_concerts_page_shows_the_fixtures_ticket_sales(engine: str, fixture_stores: dict[str, Store],
                                                       fixture_snapshot: Path) -> None:
    store = fixture_stores[engine]
    start, end = PERIOD
    at = open_with_period(store, "ui/views/artist_concerts.py", SANDRA, start, end)
    assert_clean(at)
    sales = [s for s in snapshot_values(fixture_snapshot, "ticket_sale:")
             if s["artistId"] == SANDRA and s.get("status") == "confirmed"]
    inside = [s for s in sales if start <= moscow_day(s["purchasedAt"]) <= end]
    assert inside, "the period holds the fixture's sales"
    shown = cards(at)
    assert shown[ru("deals.kpi.tickets")] == number(sum(s["quantity"] for s in inside))
    assert shown[ru("deals.kpi.gross")] == rub(sum(s["totalAmount"] for s in inside))
    assert shown[ru("deals.kpi.vendor_commission")] == rub(sum(s["commission"] for s in inside))
    assert shown[ru("deals.kpi.net")] == rub(sum(s["netAmount"] for s in inside))
    per_concert = table_with(at, ru("deals.col.concert"), ru("deals.col.cancelled"))
    row = per_concert.iloc[0]
    assert row[ru("deals.col.concert")] == ru("deals.tickets.unknown_concert", id="c1")  # no concert has id c1
    assert row[ru("deals.col.tickets")] == sum(s["quantity"] for s in sales)
    assert close(row[ru("deals.col.net")], sum(s["netAmount"] for s in sales))
    vendors = table_with(at, ru("deals.col.provider"))
    assert set(vendors[ru("deals.col.provider")]) == {s["provider"] for s in inside}


def test_bookings_page_shows_fees_and_upcoming_dates(tiny_stores: dict[str, Store], tiny_snapshot: Path) -> None:
    store = tiny_stores["duckdb"]
    today = moscow_today()
    bookings = [b for b in snapshot_values(tiny_snapshot, "booking:") if isinstance(b, dict) and "performerId" in b]
    upcoming = [b for b in bookings if dt.date.fromisoformat(b["eventDate"][:10]) >= today
                and b["status"] not in ("cancelled", "rejected")]
    artist = sorted({b["performerId"] for b in upcoming})[0]  # an artist with an upcoming date
    mine = [b for b in bookings if b["performerId"] == artist]
    at = open_page(store, "ui/views/artist_bookings.py", "artist", artist)
    assert_clean(at)
    shown = cards(at)
    assert shown[ru("deals.kpi.confirmed_fees")] == rub(sum(b["performerFee"] for b in mine
                                                            if b["status"] in ("confirmed", "completed")))
    assert shown[ru("deals.kpi.agreed_fees")] == rub(sum(b["performerFee"] for b in mine
                                                         if b["status"] in ("accepted", "deposit_paid")))
    assert shown[ru("deals.kpi.offers")] == number(sum(1 for b in mine if b["status"] == "pending"))
    ahead = sorted((b for b in mine if b in upcoming), key=lambda b: (b["eventDate"], b["id"]))
    assert shown[ru("deals.kpi.upcoming")] == number(len(ahead))
    first = at.dataframe[0].value  # the upcoming dates, soonest first
    assert list(first[ru("deals.col.date")]) == [day_text(b["eventDate"], "ru") for b in ahead]
    assert list(parsed(first)[ru("deals.col.fee")]) == [float(b["performerFee"]) for b in ahead]
    by_status = table_with(at, ru("deals.col.bookings"))
    assert by_status[ru("deals.col.bookings")].sum() == len(mine)
    assert close(by_status[ru("deals.col.fee")].sum(), sum(b["performerFee"] for b in mine))


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_marketplace_page_shows_the_producers_sales(engine: str, tiny_stores: dict[str, Store],
                                                    tiny_snapshot: Path) -> None:
    store = tiny_stores[engine]
    beats = [p for p in snapshot_values(tiny_snapshot, "beat_purchase:") if isinstance(p, dict)]
    goods = [p for p in snapshot_values(tiny_snapshot, "digital_purchase:") if isinstance(p, dict)]
    orders = [o for o in snapshot_values(tiny_snapshot, "service_order:") if isinstance(o, dict)]
    contracts = [c for c in snapshot_values(tiny_snapshot, "contract:") if isinstance(c, dict)]
    artist = sorted({p["producerId"] for p in beats if p["producerId"] != "demo-user"})[0]
    paid = [p for p in beats + goods if p["producerId"] == artist and p["status"] == "completed"]
    with_contract = {c["orderId"] for c in contracts}
    done = [o for o in orders if o["producerId"] == artist and o["status"] == "completed"
            and o["id"] not in with_contract]
    at = open_page(store, "ui/views/artist_marketplace.py", "artist", artist)
    assert_clean(at)
    shown = cards(at)
    assert shown[ru("deals.kpi.market_gross")] == rub(sum(x["price"] for x in paid + done))
    assert shown[ru("deals.kpi.market_commission")] == rub(sum(x["commission"] for x in paid + done))
    assert shown[ru("deals.kpi.market_payout")] == rub(sum(x["producerPayout"] for x in paid + done))
    assert shown[ru("deals.kpi.contracts_paid")] == rub(sum(c["paidAmount"] for c in contracts
                                                            if c["producerId"] == artist))
    sales = table_with(at, ru("deals.col.license"))
    assert len(sales) == sum(1 for p in beats + goods if p["producerId"] == artist)
    assert close(sales[ru("deals.col.payout")].sum(), sum(p["producerPayout"] for p in beats + goods
                                                          if p["producerId"] == artist))


def test_track_tests_page_shows_the_results(fixture_stores: dict[str, Store], fixture_snapshot: Path) -> None:
    requests = [q for q in snapshot_values(fixture_snapshot, "track_test:requests:")
                if isinstance(q, dict) and q.get("status") == "completed" and q.get("user_id")]
    test = next(q for q in requests if q["user_id"] == "artist-sandra")
    at = open_page(fixture_stores["duckdb"], "ui/views/artist_track_tests.py", "artist", "artist-sandra")
    assert_clean(at)
    shown = cards(at)
    assert shown[ru("deals.kpi.tests_completed")] == "1"
    assert shown[ru("deals.category.average_rating")] == number(test["average_rating"], "ru", 1)
    for category in deals.TEST_CATEGORIES:
        assert shown[ru(f"deals.category.{category}")] == number(test["category_averages"][category], "ru", 1)
    reviews = [r for r in snapshot_values(fixture_snapshot, "track_test:reviews:")
               if isinstance(r, dict) and r["request_id"] == test["id"] and r["status"] == "completed"]
    table = table_with(at, ru("deals.col.expert"))
    assert sorted(table[ru("deals.col.overall")]) == sorted(float(r["overall_score"]) for r in reviews)
    assert test["consolidated_feedback"] in texts(at).replace("\\", "")


@pytest.mark.parametrize("page", ["artist_bookings", "artist_marketplace", "artist_track_tests"])
def test_an_artist_without_deals_is_told_so(page: str, fixture_stores: dict[str, Store]) -> None:
    at = open_page(fixture_stores["duckdb"], f"ui/views/{page}.py", "artist", SANDRA)  # tickets only
    assert_clean(at)
    empty = {"artist_bookings": "deals.bookings.empty", "artist_marketplace": "deals.market.empty",
             "artist_track_tests": "deals.tests.empty"}[page]
    assert [i.value for i in at.info] == [ru(empty)]
    assert not at.dataframe and not at.metric


def test_period_sums_and_booking_stages() -> None:
    by_day = pd.DataFrame({"day": [dt.date(2026, 1, 1), dt.date(2026, 1, 5)], "sales": [1, 2], "tickets": [2, 3],
                           "gross": [100, 200], "commission": [5, 10], "net": [95, 190]})
    assert deals.period_sums(by_day, dt.date(2026, 1, 2), dt.date(2026, 1, 9))["net"] == 190
    assert deals.period_sums(by_day.iloc[0:0], dt.date(2026, 1, 1), dt.date(2026, 1, 9))["gross"] == 0
    assert [deals.booking_stage(s) for s in ("pending", "deposit_paid", "completed", "rejected", None, "odd")] == [
        "offer", "agreed", "confirmed", "closed", "other", "other"]


@pytest.mark.parametrize(("page", "artist"), [("artist_concerts", SANDRA), ("artist_bookings", "artist-sandra"),
                                              ("artist_marketplace", "artist-maxam"),
                                              ("artist_track_tests", "artist-sandra")])
def test_pages_read_in_english_too(page: str, artist: str, fixture_stores: dict[str, Store]) -> None:
    at = open_page(fixture_stores["duckdb"], f"ui/views/{page}.py", "artist", artist, lang="en")
    assert_clean(at)
    assert at.dataframe, "the artist has data on this page"
    heading = {"artist_concerts": "deals.tickets.title", "artist_bookings": "deals.bookings.title",
               "artist_marketplace": "deals.market.title", "artist_track_tests": "deals.tests.title"}[page]
    assert t(heading, "en") in texts(at)


def test_track_test_title_and_feedback_show_as_plain_text(new_store: Any, tmp_path: Path) -> None:
    """A track title and an experts' summary holding Markdown show as their own characters (ui/plain_text.py)."""
    from ui.plain_text import markdown_text

    title, feedback = "**жирный** [ссылка](//e.ru)", "![](//host/x.gif) :red[к] $x^2$ <b>b</b>"
    request = {"id": "tt-x", "user_id": "artist-x", "track_title": title, "status": "completed",
               "payment_status": "completed", "average_rating": 7, "consolidated_feedback": feedback,
               "category_averages": {"mixing_mastering": 7, "arrangement": 7, "originality": 7,
                                     "commercial_potential": 7},
               "created_at": "2026-02-01T10:00:00Z", "completed_at": "2026-02-02T10:00:00Z"}
    concert = {"id": "cx", "title": "Live", "date": "2026-03-01", "status": "approved"}
    snapshot = tmp_path / "plain.ndjson"
    snapshot.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"key": "track_test:requests:tt-x", "value": request},
        {"key": "concert:artist-x:cx", "value": json.dumps(concert, ensure_ascii=False)})) + "\n", encoding="utf-8")
    store = new_store()
    ingest([snapshot], store, "deployed", say=lambda _m: None)
    at = open_page(store, "ui/views/artist_track_tests.py", "artist", "artist-x")
    assert_clean(at)
    shown = [m.value for m in at.markdown]
    assert any(markdown_text(title) in v for v in shown)
    assert any(markdown_text(feedback) in v for v in shown)
    assert not any("**жирный**" in v or "![](" in v for v in shown)


def test_ticket_sales_show_for_an_artist_without_concerts(tmp_path: Path) -> None:
    """The ticketing test generator sells for a concert id no concert has: the Concerts page of an artist with no
    concert still shows those sales, under its note that there are no concerts."""
    sale = {"id": "s1", "concertId": "c9", "artistId": "artist-y", "provider": "kassir", "quantity": 3, "price": 1000,
            "totalAmount": 3000, "commission": 150, "netAmount": 2850, "status": "confirmed",
            "purchasedAt": "2026-01-10T12:00:00Z"}
    track = {"id": "t1", "title": "Песня", "status": "approved"}
    snapshot = tmp_path / "orphan-sale.ndjson"
    snapshot.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"key": "ticket_sale:c9:s1", "value": sale},
        {"key": "track:artist-y:t1", "value": json.dumps(track, ensure_ascii=False)},
        {"key": "track:artist-z:t2", "value": json.dumps(track, ensure_ascii=False)})) + "\n", encoding="utf-8")
    store = Store(str(tmp_path / "orphan.duckdb"))
    ingest([snapshot], store, "deployed", say=lambda _m: None)
    at = open_with_period(store, "ui/views/artist_concerts.py", "artist-y", dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert_clean(at)
    assert ru("artist.concerts.empty") in [i.value for i in at.info]
    assert cards(at)[ru("deals.kpi.net")] == rub(2850)
    table = table_with(at, ru("deals.col.concert"))
    assert list(table[ru("deals.col.concert")]) == [ru("deals.tickets.unknown_concert", id="c9")]
    empty = open_page(store, "ui/views/artist_concerts.py", "artist", "artist-z")  # no concerts, no sales: one note
    assert [i.value for i in empty.info] == [ru("artist.concerts.empty")] and not empty.metric and not empty.radio
