"""Revenue rules and queries: a hand-written snapshot with known sums on both engines, and the demo data."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard.ingest.build import ingest
from dashboard.metrics import revenue as rv
from dashboard.metrics.measures import numeric
from dashboard.metrics.periods import anchor_day, period_for
from dashboard.store.connect import Store
from dashboard.store.queries import all_queries, load_query, run_query
from tests.conftest import StoreFactory
from tests.engines import assert_same_result

OCTOBER = period_for("custom", dt.date(2026, 10, 31), (dt.date(2026, 10, 1), dt.date(2026, 10, 31)))
DEMO_PERIOD = period_for("90d", dt.date(2026, 10, 31))
REVENUE_QUERIES = [q for q in all_queries() if q.startswith("revenue_")]


def at(day: str, hour: int = 12) -> str:
    return f"2026-{day}T{hour:02d}:00:00+03:00"


def pay(pid: str, user: str, kind: str, amount: float, day: str, status: str = "completed", currency: str = "RUB",
        method: str = "card", provider: str = "yookassa", metadata: dict[str, Any] | None = None,
        hour: int = 12) -> dict[str, Any]:
    return {"id": pid, "user_id": user, "amount": amount, "currency": currency, "type": kind, "status": status,
            "payment_method": method, "provider": provider, "metadata": metadata or {}, "created_at": at(day, hour),
            "completed_at": at(day, hour) if status in ("completed", "refunded") else None}


def hand_records(refund_subscription: bool = False, extra_failed: bool = False) -> list[tuple[str, Any]]:
    """Known money in October 2026 (Moscow). Expected RUB: gross 4 738, refunds 649, net 4 089, 1 failed (490).

    ``refund_subscription`` turns the 1 490 subscription payment into a refund; ``extra_failed`` adds a failed
    5 000 coin purchase."""
    fan = [
        pay("p1", "fan-1", "subscription", 1490, "10-05", "refunded" if refund_subscription else "completed",
            metadata={"tier": "pro"}),
        pay("p2", "fan-1", "coin_purchase", 849, "10-06", method="sbp", provider="cloudpayments",
            metadata={"coins": 1000}),
        pay("p3", "fan-1", "coin_purchase", 449, "10-07", "refunded", method="sbp", provider="cloudpayments"),
        pay("p4", "fan-1", "subscription", 490, "10-08", "failed"),
        pay("p5", "fan-1", "subscription", 10.0, "10-09", currency="USD", provider="stripe"),
        pay("p6", "fan-1", "coin_purchase", 99, "10-10", "pending"),
        # 00:30 Moscow on Oct 1 is Sep 30 in UTC: it belongs to October
        pay("p7", "fan-1", "coin_purchase", 0, "10-01", hour=0),
    ]
    if extra_failed:
        fan.append(pay("p8", "fan-1", "coin_purchase", 5000, "10-20", "failed"))
    artist = [
        pay("d-pay1", "art-1", "donation_received", 500, "10-11", metadata={"donation_id": "don-1"}),
        pay("promo1", "art-1", "promotion", 300, "10-12", metadata={"stream": "banner"}),
        pay("promo2", "art-1", "promotion", 200, "10-13", "refunded", metadata={"stream": "pitching"}),
        pay("d-pay3", "art-1", "donation_received", 250, "10-14", metadata={"donation_id": "don-3"}),
        pay("old1", "art-1", "subscription", 1000, "09-15"),
        pay("later", "art-1", "subscription", 777, "11-02"),
    ]

    def donation(did: str, amount: int, day: str, transaction_id: str | None) -> tuple[str, dict[str, Any]]:
        return f"donations:art-1:{did}", {"id": did, "artist_id": "art-1", "donor_name": "Иван 🎸", "amount": amount,
                                          "currency": "RUB", "status": "completed", "payment_method": "card",
                                          "transaction_id": transaction_id, "created_at": at(day)}

    def sub(user: str, tier: str, status: str, started: str, expires: str | None) -> tuple[str, dict[str, Any]]:
        return f"users:{user}:subscription", {"id": f"sub-{user}", "user_id": user, "tier": tier, "status": status,
                                              "started_at": at(started), "expires_at": at(expires) if expires else None,
                                              "created_at": at(started), "updated_at": at(started)}

    coin_tx = [
        {"id": "c1", "user_id": "fan-1", "amount": 50, "type": "earn", "created_at": at("10-01")},
        {"id": "c2", "user_id": "fan-1", "amount": 1000, "type": "purchase", "related_entity_type": "payment",
         "related_entity_id": "p2", "created_at": at("10-06")},
        {"id": "c3", "user_id": "fan-1", "amount": -300, "type": "spend", "related_entity_type": "banner",
         "related_entity_id": "b1", "created_at": at("10-12")},
        {"id": "c4", "user_id": "fan-1", "amount": -200, "type": "spend", "related_entity_type": "pitching",
         "related_entity_id": "s1", "created_at": at("10-13")},
        {"id": "c5", "user_id": "fan-1", "amount": 200, "type": "refund", "related_entity_type": "pitching",
         "related_entity_id": "s1", "created_at": at("10-15")},
    ]
    return [
        ("users:art-1:profile", {"id": "art-1", "name": "=HYPERLINK(\"http://x\") Артист"}),
        ("tracks:art-1:trk-1", {"id": "trk-1", "user_id": "art-1", "title": "Песня", "status": "approved"}),
        ("payments:fan-1:transactions", fan),
        ("payments:art-1:transactions", artist),
        donation("don-1", 500, "10-11", "d-pay1"),   # the same money as payment d-pay1 (transaction_id)
        donation("don-2", 700, "10-16", None),       # no payment at all: counted from donations
        donation("don-3", 250, "10-14", None),       # the same money as d-pay3 (metadata.donation_id)
        sub("fan-1", "pro", "active", "09-01", "11-30"),
        sub("art-1", "basic", "cancelled", "08-01", "10-20"),
        sub("fan-2", "free", "active", "10-03", None),
        sub("fan-3", "premium", "expired", "10-02", "10-25"),
        sub("fan-4", "vip", "active", "09-01", "12-01"),
        ("coins:fan-1:transactions", coin_tx),
        ("coins:fan-1:balance", {"user_id": "fan-1", "balance": 750}),
        ("coins:art-1:balance", {"user_id": "art-1", "balance": 100}),
    ]


def hand_store(new_store: StoreFactory, tmp_path: Path, **variant: bool) -> Store:
    path = tmp_path / f"hand-{len(list(tmp_path.glob('hand-*')))}.ndjson"
    path.write_text("".join(json.dumps({"key": k, "value": v}, ensure_ascii=False) + "\n"
                            for k, v in hand_records(**variant)), encoding="utf-8")
    store = new_store()
    ingest([path], store, "seed", say=lambda _m: None)
    return store


def summary(store: Store, period: rv.Period = OCTOBER) -> pd.DataFrame:
    return run_query(store, "revenue_payment_summary", **period.params())


# ------------------------------------------------------------------------------------------- exact sums
def test_hand_snapshot_headline_exact(new_store: StoreFactory, tmp_path: Path) -> None:
    store = hand_store(new_store, tmp_path)
    money = rv.headline(summary(store))
    now = money["current"]
    assert (now.gross, now.refunds, now.net) == (4738.0, 649.0, 4089.0)
    assert (now.failed_count, now.failed_amount, now.pending_count) == (1, 490.0, 1)
    assert now.payments == 11  # p1-p4, p6, p7, d-pay1, promo1, promo2, d-pay3 and don-2: the RUB lines of October
    assert (money["previous"].gross, money["previous"].net) == (1000.0, 1000.0)


def test_refunds_and_failed_change_net_as_defined(new_store: StoreFactory, tmp_path: Path) -> None:
    base = rv.headline(summary(hand_store(new_store, tmp_path)))["current"]
    changed = rv.headline(summary(hand_store(new_store, tmp_path, refund_subscription=True,
                                             extra_failed=True)))["current"]
    # the refunded 1 490 stays in gross, enters refunds, leaves net; the failed 5 000 is in none of the three
    assert changed.gross == base.gross == 4738.0
    assert changed.refunds == base.refunds + 1490 == 2139.0
    assert changed.net == base.net - 1490 == 2599.0
    assert changed.net == changed.gross - changed.refunds
    assert (changed.failed_count, changed.failed_amount) == (2, 5490.0)


def test_non_rub_never_enters_rub(new_store: StoreFactory, tmp_path: Path) -> None:
    rows = summary(hand_store(new_store, tmp_path))
    currencies = rv.by_currency(rows).set_index("currency")
    assert list(currencies.index) == ["RUB", "USD"]
    assert currencies.loc["USD", "net"] == 10.0 and currencies.loc["USD", "payments"] == 1
    assert currencies.loc["RUB", "net"] == 4089.0
    streams = rv.by_stream(rows)
    assert streams[streams["detail"] == ""]["net"].sum() == 4089.0  # streams add up to the RUB headline
    methods = rv.by_route(rows, "provider").set_index("provider")
    assert methods.loc["stripe", "net_rub"] == 0.0 and methods.loc["stripe", "completed"] == 1


def test_streams_count_each_donation_once(new_store: StoreFactory, tmp_path: Path) -> None:
    streams = rv.by_stream(summary(hand_store(new_store, tmp_path)))
    got = {(r.stream, r.detail): (r.gross, r.refunds, r.net) for r in streams.itertuples()}
    assert got == {
        ("donations", ""): (1450.0, 0.0, 1450.0),     # d-pay1 500 + d-pay3 250 + don-2 700 (not 500 + 250 again)
        ("coins", ""): (1298.0, 449.0, 849.0),
        ("subscriptions", ""): (1490.0, 0.0, 1490.0),
        ("promotion", ""): (500.0, 200.0, 300.0),
        ("promotion", "banner"): (300.0, 0.0, 300.0),
        ("promotion", "pitching"): (200.0, 200.0, 0.0),
    }
    assert list(streams["stream"].drop_duplicates()) == ["donations", "coins", "subscriptions", "promotion"]


def test_methods_rates(new_store: StoreFactory, tmp_path: Path) -> None:
    by_method = rv.by_route(summary(hand_store(new_store, tmp_path)), "payment_method").set_index("payment_method")
    sbp = by_method.loc["sbp"]
    assert (sbp["completed"], sbp["refunded"], sbp["failed"], sbp["net_rub"]) == (1, 1, 0, 849.0)
    assert sbp["refund_rate"] == 50.0 and sbp["failure_rate"] == 0.0
    card = by_method.loc["card"]  # p1, p4 (failed), p5 (USD), p6 (pending), p7, d-pay1, promo1, promo2, d-pay3, don-*
    assert card["failed"] == 1
    assert card["failure_rate"] == pytest.approx(100 * 1 / (card["completed"] + card["refunded"] + 1))


def test_timeline_adds_up_and_buckets_by_moscow_day(new_store: StoreFactory, tmp_path: Path) -> None:
    store = hand_store(new_store, tmp_path)
    days = rv.timeline(run_query(store, "revenue_timeline", start=OCTOBER.start, end=OCTOBER.end, grain="day"))
    assert days["net"].sum() == 4089.0
    assert dt.date(2026, 10, 1) in set(days["bucket"])  # p7 at 00:30 Moscow on Oct 1
    weeks = rv.timeline_totals(rv.timeline(run_query(store, "revenue_timeline", start=OCTOBER.start,
                                                     end=OCTOBER.end, grain="week")))
    assert weeks["bucket"].min() == OCTOBER.start  # the first ISO week is clamped to the period start
    assert weeks["net"].sum() == 4089.0 and weeks["refunds"].sum() == 649.0


def test_subscriptions_mrr_and_churn(new_store: StoreFactory, tmp_path: Path) -> None:
    store = hand_store(new_store, tmp_path)
    prices = rv.load_tier_prices()
    movements = run_query(store, "revenue_subscription_movements", start=OCTOBER.start, end=OCTOBER.end)
    got = {r.tier: (r.active_at_start, r.new, r.cancelled, r.expired, r.active_at_end)
           for r in movements.itertuples()}
    assert got == {"basic": (1, 0, 1, 0, 0), "free": (0, 1, 0, 0, 1), "premium": (0, 1, 0, 1, 0),
                   "pro": (1, 0, 0, 0, 1), "vip": (1, 0, 0, 0, 1)}
    subs = rv.subscription_summary(movements, prices)
    assert (subs.mrr_start, subs.mrr_end) == (1490.0 + 490.0, 1490.0)
    assert (subs.paid_active_start, subs.new_paid, subs.cancelled_paid, subs.expired_paid) == (2, 1, 1, 1)
    assert subs.churn_rate == 100.0
    assert rv.unpriced_tiers(movements["tier"], prices) == ["vip"]
    active = run_query(store, "revenue_subscriptions_active", start=OCTOBER.start, end=OCTOBER.end, grain="month")
    mrr = rv.mrr_timeline(active, prices)
    assert list(mrr["mrr"]) == [1490.0] and list(mrr["as_of"]) == [OCTOBER.end]


def test_coins_economy(new_store: StoreFactory, tmp_path: Path) -> None:
    store = hand_store(new_store, tmp_path)
    flow = run_query(store, "revenue_coins_flow", start=OCTOBER.start, end=OCTOBER.end, grain="month")
    assert rv.coins_totals(flow) == {"purchased": 1000, "spent": 500, "returned": 200, "earned": 50}
    spend = rv.spend_by_entity(flow).set_index("entity")
    assert spend.loc["banner", "net_spent"] == 300 and spend.loc["pitching", "net_spent"] == 0
    liability = run_query(store, "revenue_coins_liability").iloc[0]
    assert (int(liability["balance"]), int(liability["ledger"]), int(liability["drift_users"])) == (850, 750, 1)
    assert rv.rub_per_coin(liability) == pytest.approx(0.849)


def test_artists_and_arpu(new_store: StoreFactory, tmp_path: Path) -> None:
    by_artist = run_query(hand_store(new_store, tmp_path), "revenue_top_artists", start=OCTOBER.start,
                          end=OCTOBER.end, limit=10)
    assert len(by_artist) == 1
    row = by_artist.iloc[0]
    assert (row["artist_id"], int(row["donations"]), float(row["donations_net"]), float(row["platform_net"])) == (
        "art-1", 3, 1450.0, 300.0)
    artists = rv.artist_revenue(by_artist)
    assert (artists.active_artists, artists.artists, artists.revenue, artists.arpu) == (1, 1, 1750.0, 1750.0)


def test_empty_store_and_period(new_store: StoreFactory, tmp_path: Path) -> None:
    store = hand_store(new_store, tmp_path)
    empty = period_for("custom", dt.date(2020, 1, 31), (dt.date(2020, 1, 1), dt.date(2020, 1, 31)))
    rows = summary(store, empty)
    assert rows.empty
    assert rv.headline(rows)["current"] == rv.Money()
    assert rv.by_stream(rows).empty and rv.by_currency(rows).empty and rv.by_route(rows, "provider").empty
    assert rv.timeline(run_query(store, "revenue_timeline", start=empty.start, end=empty.end, grain="week")).empty
    nobody = run_query(store, "revenue_top_artists", start=empty.start, end=empty.end, limit=10)
    assert rv.artist_revenue(nobody).arpu is None


# ----------------------------------------------------------------------------------------------- demo data
def _demo_params(name: str) -> dict[str, Any]:
    params: dict[str, Any] = {**DEMO_PERIOD.params(), "start": DEMO_PERIOD.start, "end": DEMO_PERIOD.end,
                              "grain": "week", "limit": 10}
    return {p: params[p] for p in load_query(name).params}


@pytest.mark.parametrize("name", REVENUE_QUERIES)
def test_revenue_queries_equal_on_both_engines(demo_stores: dict[str, Store], name: str) -> None:
    duck = run_query(demo_stores["duckdb"], name, **_demo_params(name))
    pg = run_query(demo_stores["postgresql"], name, **_demo_params(name))
    assert len(duck) > 0
    assert_same_result(duck, pg, ordered=False, label=name)
    assert load_query(name).returns and "-- Params:" in load_query(name).sql


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_demo_donations_stream_equals_donations_table(demo_stores: dict[str, Store], engine: str) -> None:
    """Every demo donation is also a donation_received payment: the stream must equal the donations table once."""
    from tests.sql import scalar

    store = demo_stores[engine]
    low, high = moscow_bounds(DEMO_PERIOD.start, DEMO_PERIOD.end)
    expected = scalar(store, "SELECT COALESCE(SUM(amount), 0) FROM donations WHERE status = 'completed' "
                             "AND created_at >= :low AND created_at < :high", low=low, high=high)
    streams = rv.by_stream(summary(store, DEMO_PERIOD)).set_index(["stream", "detail"])
    assert streams.loc[("donations", ""), "net"] == float(expected) > 0


def moscow_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, end+1 00:00) in Moscow as aware datetimes: day filtering without the session timezone."""
    from dashboard.i18n.formatting import MOSCOW

    return (dt.datetime.combine(start, dt.time(), MOSCOW),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), MOSCOW))


# ----------------------------------------------------------------------------------------- periods, config
def test_periods() -> None:
    anchor = dt.date(2026, 10, 15)
    p = period_for("7d", anchor)
    assert (p.start, p.end, p.prev_start, p.prev_end) == (dt.date(2026, 10, 9), anchor, dt.date(2026, 10, 2),
                                                          dt.date(2026, 10, 8))
    p = period_for("this_month", anchor)
    # a calendar period against the same span of the month before (issue 15), not the 15 days right before
    assert (p.start, p.end, p.prev_start, p.prev_end) == (dt.date(2026, 10, 1), anchor, dt.date(2026, 9, 1),
                                                          dt.date(2026, 9, 15))
    p = period_for("last_month", dt.date(2026, 3, 10))
    assert (p.start, p.end, p.days) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), 28)
    assert (p.prev_start, p.prev_end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))  # the whole month before
    p = period_for("custom", anchor, (dt.date(2026, 5, 31), dt.date(2026, 5, 1)))
    assert (p.start, p.end, p.days) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31), 31)
    assert period_for("365d", anchor).days == 365
    with pytest.raises(ValueError):
        period_for("custom", anchor)
    with pytest.raises(ValueError):
        rv.check_grain("year")
    assert anchor_day(dt.date(2026, 11, 25), dt.date(2026, 10, 31)) == dt.date(2026, 10, 31)
    assert anchor_day(dt.date(2026, 11, 25), None) == dt.date(2026, 11, 25)
    assert anchor_day(dt.date(2026, 11, 25), float("nan")) == dt.date(2026, 11, 25)
    assert anchor_day(dt.date(2026, 11, 25), pd.Timestamp("2027-01-01")) == dt.date(2026, 11, 25)
    assert [rv.default_grain(period_for(x, anchor)) for x in ("30d", "90d", "365d")] == ["day", "week", "month"]


def test_tier_prices_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert rv.load_tier_prices() == {"free": 0.0, "basic": 490.0, "pro": 1490.0, "premium": 4990.0}
    other = tmp_path / "prices.json"
    other.write_text(json.dumps({"tier_prices": {"basic": 299, "pro": 799}}), encoding="utf-8")
    monkeypatch.setenv(rv.CONFIG_ENV, str(other))
    assert rv.load_tier_prices() == {"basic": 299.0, "pro": 799.0}
    other.write_text(json.dumps({"tier_prices": {"pro": -1}}), encoding="utf-8")
    with pytest.raises(ValueError, match="pro"):
        rv.load_tier_prices()
    other.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="cannot read the revenue config"):
        rv.load_tier_prices()
    monkeypatch.setenv(rv.CONFIG_ENV, str(tmp_path / "missing.json"))
    with pytest.raises(ValueError, match="cannot read the revenue config"):
        rv.load_tier_prices()


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_top_artists_are_cut_but_the_totals_cover_every_artist(demo_stores: dict[str, Store], engine: str) -> None:
    """revenue_top_artists returns at most 2 × :limit rows, and every row carries the totals over all artists with
    a line: a limit of 1 gives the same ARPU, count and revenue as a limit that returns everyone."""
    store = demo_stores[engine]
    params = {"start": DEMO_PERIOD.start, "end": DEMO_PERIOD.end}
    everyone = run_query(store, "revenue_top_artists", **params, limit=1_000_000)
    two = run_query(store, "revenue_top_artists", **params, limit=1)
    assert len(everyone) > 2 and 1 <= len(two) <= 2
    all_rows = numeric(everyone, ["donations_net", "platform_net"])
    expected = float(all_rows["donations_net"].sum() + all_rows["platform_net"].sum())
    for frame in (everyone, two):
        totals = rv.artist_revenue(frame)
        assert totals.active_artists == len(everyone)
        assert totals.revenue == pytest.approx(expected)
    assert set(two["artist_id"]) == {rv.top_artists(everyone, "donations_net", 1)["artist_id"].iloc[0],
                                     rv.top_artists(everyone, "platform_net", 1)["artist_id"].iloc[0]}
