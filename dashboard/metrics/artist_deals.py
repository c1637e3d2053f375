"""What the artist's deal pages compute, without Streamlit: ticket sales in a period, booking stages and fees,
marketplace totals, track-test results.

The rules are the platform's (``../shared/platform/KEYS.md``): only ``confirmed`` ticket sales count and their
commission is the ticket vendor's (§6); a booking moves pending → accepted → deposit_paid → confirmed, the artist's
fee is ``performer_fee`` (§7); a marketplace sale is paid when ``completed``, a service order earns when it is
``completed`` without a contract, a contract by its approved milestones (§8, §A); a track test's results are the
artist's once it is ``completed`` (§10).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from dashboard.i18n.formatting import is_missing
from dashboard.metrics.artist import as_date
from dashboard.metrics.measures import plain

TICKET_MEASURES: tuple[str, ...] = ("sales", "tickets", "gross", "commission", "net")

# booking status -> the stage an artist reads it as
BOOKING_STAGES: dict[str, str] = {
    "pending": "offer", "accepted": "agreed", "deposit_paid": "agreed", "confirmed": "confirmed",
    "completed": "confirmed", "cancelled": "closed", "rejected": "closed",
}
STAGE_ORDER: tuple[str, ...] = ("offer", "agreed", "confirmed", "closed", "other")
BOOKING_STATUS_ORDER: tuple[str, ...] = ("pending", "accepted", "deposit_paid", "confirmed", "completed",
                                         "cancelled", "rejected")
MARKETPLACE_LINES: tuple[str, ...] = ("beat", "digital_good", "service", "contract")
TEST_CATEGORIES: tuple[str, ...] = ("mixing_mastering", "arrangement", "originality", "commercial_potential")


def value(v: object) -> float:
    """A number from the engines (Decimal, numpy, None/NaN), missing as 0."""
    return 0.0 if is_missing(v) else float(plain(v))  # type: ignore[arg-type]


def period_sums(by_day: pd.DataFrame, start: dt.date, end: dt.date,
                columns: tuple[str, ...] = TICKET_MEASURES) -> dict[str, float]:
    """The sums of ``columns`` over the rows of a per-day frame (column ``day``) dated in [start, end]."""
    if by_day.empty:
        return {c: 0.0 for c in columns}
    days = by_day["day"].map(as_date)
    inside = by_day[days.map(lambda d: d is not None and start <= d <= end)]
    return {c: sum(value(v) for v in inside[c]) for c in columns}


def booking_stage(status: object) -> str:
    return BOOKING_STAGES.get(str(status), "other") if not is_missing(status) else "other"


def booking_fee(row: dict[str, object]) -> float | None:
    """The artist's fee for a booking: ``performer_fee``; a DJ booking has only its price, which is the DJ's."""
    fee = row.get("performer_fee")
    if not is_missing(fee):
        return value(fee)
    if row.get("kind") == "dj_booking" and not is_missing(row.get("offered_price")):
        return value(row.get("offered_price"))
    return None


def with_stage(bookings: pd.DataFrame) -> pd.DataFrame:
    """The bookings with their ``stage`` and the artist's ``fee`` (see booking_fee)."""
    out = bookings.copy()
    out["stage"] = out["status"].map(booking_stage)
    out["fee"] = [booking_fee(r) for r in out.to_dict("records")]
    return out


def split_bookings(bookings: pd.DataFrame, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(upcoming, rest): bookings dated today or later that are not cancelled or rejected (soonest first), and the
    others (latest date first; undated last)."""
    staged = with_stage(bookings)
    if staged.empty:
        return staged, staged
    dates = staged["event_date"].map(as_date)
    ahead = dates.map(lambda d: d is not None and d >= today) & (staged["stage"] != "closed")
    upcoming = staged[ahead].assign(_d=dates[ahead]).sort_values(["_d", "booking_id"]).drop(columns="_d")
    rest = staged[~ahead].assign(_d=dates[~ahead].map(lambda d: d or dt.date.min))
    rest = rest.sort_values(["_d", "booking_id"], ascending=[False, True]).drop(columns="_d")
    return upcoming, rest


def booking_summary(bookings: pd.DataFrame, today: dt.date) -> dict[str, float]:
    """The bookings page's cards: fees of confirmed bookings, fees agreed and not yet confirmed (accepted,
    deposit_paid), open offers (pending: how many and their fees), upcoming dates (not cancelled or rejected)."""
    staged = with_stage(bookings)
    upcoming, _ = split_bookings(bookings, today)

    def fees(stage: str) -> float:
        return sum(value(f) for f in staged.loc[staged["stage"] == stage, "fee"]) if not staged.empty else 0.0

    return {"confirmed_fees": fees("confirmed"), "agreed_fees": fees("agreed"),
            "offers": float((staged["stage"] == "offer").sum()) if not staged.empty else 0.0,
            "offer_fees": fees("offer"), "upcoming": float(len(upcoming))}


def bookings_by_status(bookings: pd.DataFrame) -> pd.DataFrame:
    """One row per status (the platform's order, unknown ones last): status, bookings, offered, fee, commission."""
    columns = ["status", "bookings", "offered", "fee", "commission"]
    if bookings.empty:
        return pd.DataFrame(columns=columns)
    staged = with_stage(bookings)
    staged["status"] = staged["status"].map(lambda s: "—" if is_missing(s) else str(s))
    out = []
    for status, group in staged.groupby("status", sort=False):
        out.append({"status": status, "bookings": len(group),
                    "offered": sum(value(v) for v in group["offered_price"]),
                    "fee": sum(value(v) for v in group["fee"]),
                    "commission": sum(value(v) for v in group["platform_commission"])})
    order = {s: n for n, s in enumerate(BOOKING_STATUS_ORDER)}
    return pd.DataFrame(sorted(out, key=lambda r: (order.get(str(r["status"]), len(order)), str(r["status"]))),
                        columns=columns)


def marketplace_lines(sales: pd.DataFrame, orders: pd.DataFrame, contracts: pd.DataFrame) -> pd.DataFrame:
    """What the artist earned as a producer, one row per line: line (beat, digital_good, service, contract), sales,
    gross (what buyers paid), commission (the platform's), payout (the artist's). Beats and digital goods count
    when ``completed``; a service order when ``completed`` and not paid through a contract; a contract by what its
    approved milestones paid (``paid_amount``; the split of a milestone is not stored, so no commission or payout)."""
    rows: list[dict[str, object]] = []
    for kind in ("beat", "digital_good"):
        paid = sales[(sales["kind"] == kind) & (sales["status"] == "completed")] if not sales.empty else sales
        rows.append({"line": kind, "sales": len(paid), "gross": sum(value(v) for v in paid.get("price", [])),
                     "commission": sum(value(v) for v in paid.get("commission", [])),
                     "payout": sum(value(v) for v in paid.get("producer_payout", []))})
    done = orders if orders.empty else orders[(orders["status"] == "completed")
                                             & ~orders["has_contract"].map(lambda v: bool(plain(v)))]
    rows.append({"line": "service", "sales": len(done), "gross": sum(value(v) for v in done.get("price", [])),
                 "commission": sum(value(v) for v in done.get("commission", [])),
                 "payout": sum(value(v) for v in done.get("producer_payout", []))})
    rows.append({"line": "contract", "sales": len(contracts),
                 "gross": sum(value(v) for v in contracts.get("paid_amount", [])), "commission": None,
                 "payout": None})
    return pd.DataFrame(rows, columns=["line", "sales", "gross", "commission", "payout"])


def has_marketplace(*frames: pd.DataFrame) -> bool:
    """Whether the artist sells as a producer at all (any sale, order or contract)."""
    return any(not f.empty for f in frames)


def track_test_summary(tests: pd.DataFrame) -> dict[str, float | None]:
    """The track tests page's cards: tests ordered, completed, in progress (neither completed nor rejected), and the
    mean of the completed tests' average ratings (None when none is completed)."""
    if tests.empty:
        return {"ordered": 0.0, "completed": 0.0, "in_progress": 0.0, "mean_rating": None}
    done = tests[tests["status"] == "completed"]
    rated = [value(v) for v in done["average_rating"] if not is_missing(v)]
    closed = tests["status"].isin(["completed", "moderation_rejected"])
    return {"ordered": float(len(tests)), "completed": float(len(done)), "in_progress": float((~closed).sum()),
            "mean_rating": sum(rated) / len(rated) if rated else None}


def amounts(values: pd.Series | list[object]) -> pd.Series:
    """Money or scores from either engine as floats, a missing value as NaN (shown as "—", never as 0)."""
    series = pd.Series(list(values), dtype=object)
    return pd.to_numeric(series.map(lambda v: None if is_missing(v) else float(plain(v))),  # type: ignore[arg-type]
                         errors="coerce").astype(float)
