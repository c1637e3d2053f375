"""The platform's money on its real layout (issue 18, KEYS.md §A): every revenue line with what buyers paid, the
platform's share and the payouts, on both engines, against totals computed here from the fixture's own rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from dashboard.ingest.build import ingest
from dashboard.metrics import revenue as rv
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.conftest import StoreFactory
from tests.data import fixture_values

WIDE = {"cur_start": dt.date(2000, 1, 1), "cur_end": dt.date(2099, 12, 31),
        "prev_start": dt.date(1990, 1, 1), "prev_end": dt.date(1999, 12, 31)}


def expected_lines(values: dict[str, Any]) -> dict[str, dict[str, float]]:
    """Per stream, from the raw KV values: completed lines' count, amount and platform share, and pending count.
    The rules of KEYS.md §A, written out again here (not read from the SQL)."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"completed": 0, "amount": 0.0, "platform": 0.0,
                                                            "third": 0.0, "refunded": 0.0, "other": 0})

    def line(stream: str, paid: bool, amount: float, share: float, third: float = 0.0) -> None:
        row = out[stream]
        if paid:
            row["completed"] += 1
            row["amount"] += amount
            row["platform"] += share
            row["third"] += third
        else:
            row["other"] += 1

    with_contract = {v["orderId"] for k, v in values.items() if k.startswith("contract:")}
    paid_requests = set()
    for key, v in values.items():
        if key.startswith("track_test:requests:"):
            paid_requests.add(v["id"])
            if v.get("payment_status") == "refunded":
                out["track_tests"]["refunded"] += v["payment_amount"]
            else:
                line("track_tests", v.get("payment_status") == "completed", v["payment_amount"], v["payment_amount"])
        elif key.startswith("donation:"):
            line("donations", v["status"] == "completed", float(v["amount"]), 0.0)
        elif key.startswith("booking:") and v["status"] not in ("cancelled", "rejected"):
            if v["status"] == "deposit_paid":
                deposit = round(v["offeredPrice"] * 0.30, 2)
                line("bookings", True, deposit, round(deposit * 0.10, 2))
            else:
                line("bookings", v["status"] in ("confirmed", "completed"), v["offeredPrice"],
                     v["platformCommission"])
        elif key.startswith("ticket_sale:"):
            line("tickets", v["status"] == "confirmed", v["totalAmount"], 0.0, v["commission"])
        elif key.startswith("publish_order:") and v.get("price"):
            line("publishing", v["status"] in ("paid", "published"), v["price"], v["price"])
        elif key.startswith(("subscription:", "dj:subscription:")) and v.get("price"):
            line("subscriptions", v.get("status") == "active", v["price"], v["price"])
        elif key.startswith("service_order:") and v["id"] not in with_contract:
            line("services", v["status"] == "completed", v["price"], v["commission"])
        elif key.startswith("contract:"):
            for m in v.get("milestones") or []:
                line("services", m["status"] == "approved", m["amount"], round(m["amount"] * 0.10, 2))
        elif key.startswith("radio_venue_requests:"):
            for r in v:
                line("radio_ads", r["status"] == "completed", r["totalPrice"], r["platformFee"])
        elif key.startswith("banner_ad_") and v.get("cost"):
            line("banners", False, v["cost"], v["cost"])
    for key, v in values.items():  # a track-test payment of a known request is that request's line
        if key.startswith("payments:") and ":tx:" in key and v.get("related_entity_id") not in paid_requests:
            line("track_tests", v["status"] == "completed", v["amount"], v["amount"])
    return {s: dict(r) for s, r in out.items()}


@pytest.fixture(scope="module")
def values(fixture_snapshot: Path) -> dict[str, Any]:
    return fixture_values(fixture_snapshot)


def loaded(new_store: StoreFactory, fixture_snapshot: Path) -> Store:
    store = new_store()
    ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    return store


def test_every_revenue_line_on_the_fixture(new_store: StoreFactory, fixture_snapshot: Path,
                                           values: dict[str, Any]) -> None:
    expected = expected_lines(values)
    # the fixture has the marketplace, bookings, track tests, subscriptions, publishing, tickets and donations
    assert {"services", "bookings", "track_tests", "subscriptions", "publishing", "tickets", "donations",
            "banners", "radio_ads"} <= set(expected)
    store = loaded(new_store, fixture_snapshot)
    table = rv.by_stream(run_query(store, "revenue_payment_summary", **WIDE))
    got = {r["stream"]: r for r in table.to_dict("records") if r["detail"] == ""}
    for stream, want in expected.items():
        row = got[stream]
        assert row["net"] == pytest.approx(want["amount"]), stream
        assert row["platform"] == pytest.approx(want["platform"]), stream
        assert row["third_party"] == pytest.approx(want["third"]), stream
        assert row["payouts"] == pytest.approx(want["amount"] - want["platform"] - want["third"]), stream
        assert row["refunds"] == pytest.approx(want["refunded"]), stream
    assert set(got) == set(expected)
    # a ticket vendor's commission is not the platform's, donations carry 0 %
    assert got["tickets"]["platform"] == 0 and got["tickets"]["third_party"] > 0
    assert got["donations"]["platform"] == 0 and got["donations"]["payouts"] == got["donations"]["net"]
    # what the platform earned: the sum of the platform's shares over every line
    headline = rv.headline(run_query(store, "revenue_payment_summary", **WIDE))["current"]
    assert headline.platform == pytest.approx(sum(w["platform"] for w in expected.values()))
    assert headline.net == pytest.approx(sum(w["amount"] for w in expected.values()))


def test_each_line_is_one_series_over_time(new_store: StoreFactory, fixture_snapshot: Path,
                                           values: dict[str, Any]) -> None:
    store = loaded(new_store, fixture_snapshot)
    rows = rv.timeline(run_query(store, "revenue_timeline", start=dt.date(2000, 1, 1), end=dt.date(2099, 12, 31),
                                 grain="month"))
    expected = expected_lines(values)
    by_stream = rows.groupby("stream")[["net", "platform"]].sum()
    for stream, want in expected.items():
        if want["amount"]:
            assert by_stream.loc[stream, "net"] == pytest.approx(want["amount"]), stream
            assert by_stream.loc[stream, "platform"] == pytest.approx(want["platform"]), stream
    assert set(rv.STREAMS) >= set(by_stream.index)


def test_the_documented_layout_keeps_its_streams(demo_stores: dict[str, Store]) -> None:
    """The seed demo's payments: donations carry no platform share, every other stream is the platform's."""
    table = rv.by_stream(run_query(demo_stores["duckdb"], "revenue_payment_summary", **WIDE))
    rows = {r["stream"]: r for r in table.to_dict("records") if r["detail"] == ""}
    assert rows["donations"]["platform"] == 0
    for stream in ("coins", "subscriptions", "promotion"):
        assert rows[stream]["platform"] == pytest.approx(rows[stream]["net"]), stream
