"""Manager revenue: the rules that turn payment rows into gross, refunds, net, streams, MRR, churn and ARPU.

Nothing here imports Streamlit: ``ui/views/revenue.py`` runs the ``queries/revenue_*.sql`` files and hands the rows
to these functions, and the tests call them directly.

Revenue lines (``queries/revenue_payment_summary.sql`` and siblings)
    Every ``payment_transactions`` row is a revenue line. Each ``donations`` row is also one, unless a
    ``donation_received`` payment already describes it: linked by ``donations.transaction_id`` = payment ``id``,
    or by the payment's ``metadata.donation_id`` = donation ``id``. The platform writes every donation twice
    (the donation record and the artist's ``donation_received`` payment, same amount, currency and status), so
    the payment is the one kept: it carries the provider, and a donation with no payment still counts once.
    A line's day is the Moscow date of its ``created_at`` (refunds carry no date of their own, so a refund
    stays on the day of the payment it reverses).

Streams (by payment ``type``)
    ``donation_received`` → donations; ``coin_purchase`` → coin purchases; ``subscription`` → subscriptions;
    ``promotion`` → promotion, split by ``metadata.stream`` into banner ads, promotion campaigns and pitching;
    any other type → other (shown, never dropped, so streams always add up to the total). Promotion paid with
    coins has no payment: its money was counted once, when the coins were bought (coin purchases).

Money (per currency; the headline is RUB, other currencies are never converted or added into RUB)
    gross   = amount of lines with status ``completed`` or ``refunded`` (money that was charged);
    refunds = amount of lines with status ``refunded``;
    net     = gross − refunds (so: the ``completed`` amount);
    failed payments (status ``failed``) are counted and summed on their own and are in none of the three;
    pending (any other status: ``pending``, unknown) is shown as a count only.
    failure rate = failed / (completed + refunded + failed) payments; refund rate = refunded / (completed +
    refunded) payments, both by count. Currency NULL is RUB (the reference schema's default).

Subscriptions
    A subscription is active on day D when it started on or before D and its end (``expires_at``, else for a
    cancelled/expired row ``updated_at``) is after D; the reference model keeps one row per user, so earlier
    tiers of a user are not visible. MRR at a day = Σ over tiers (active subscriptions × monthly tier price).
    Tier prices come from ``revenue_config.json`` (the reference schema has no price column); a tier with no
    price there is listed as unpriced and left out of MRR. Churn rate = paid subscriptions whose access ended in
    the period (cancelled + expired) / paid subscriptions active at the start of the period. Paid = price > 0.

Coins
    purchased / spent / returned (refunds of coins) / earned (bonuses) from ``coins_transactions``; the outstanding
    balance (the platform's liability: coins sold or given that can still be spent) is the sum of
    ``coins_balance.balance`` now, valued at the average RUB paid per coin in completed RUB coin purchases.

Artists
    An artist owns a track, video or concert. Donations received = net RUB donations to the artist; platform
    revenue = net RUB of the payments the artist made (subscriptions, coins, promotion, other). An active artist
    has at least one revenue line in the period (paid or received, any status). ARPU = (donations received +
    platform revenue of all artists) / active artists.

Periods
    Presets 7/30/90/365 days, this month, last month, custom; each ends on a chosen day (default: the earlier of
    Moscow today and the last payment day, so a snapshot that stopped in the past still shows data) and never runs
    past that day (``periods.within_data``, said on the page). A rolling period is compared with the equal number
    of days right before; this month and last month with the same span of the previous calendar month.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.metrics.measures import change, numeric, ratio
from dashboard.metrics.periods import Period
from dashboard.store.connect import Store
from dashboard.store.queries import at_once, run_query

HEADLINE_CURRENCY = "RUB"
# Every revenue line of the platform (KEYS.md §A), in the order the streams are shown: one row in "by stream" and
# one series in its chart each. See queries/shared/revenue_lines.sql for where each line's amount and share live.
STREAMS = ("donations", "coins", "subscriptions", "promotion", "track_tests", "publishing", "banners", "beats",
           "digital_goods", "services", "bookings", "radio_ads", "tickets", "other")
CHARGED = ("completed", "refunded")
REFUNDED = "refunded"
FAILED = "failed"
COMPLETED = "completed"

GRAINS = ("day", "week", "month")

CONFIG_FILE = Path(__file__).resolve().parent / "revenue_config.json"
CONFIG_ENV = "PROMO_REVENUE_CONFIG"
COIN_KINDS = ("purchased", "spent", "returned", "earned")
VIEWS = ("headline", "streams", "methods", "currencies", "subscriptions", "coins", "artists", "payments")
PAYMENTS_LIMIT = 2000  # the payment-level list shows the newest this many (queries/revenue/revenue_payments.sql)


# ------------------------------------------------------------------------------------------------ periods


def default_grain(period: Period) -> str:
    if period.days <= 31:
        return "day"
    return "week" if period.days <= 120 else "month"


def check_grain(grain: str) -> str:
    if grain not in GRAINS:
        raise ValueError(f"unknown granularity {grain!r}; choose one of {', '.join(GRAINS)}")
    return grain


# ---------------------------------------------------------------------------------------------- money
@dataclass(frozen=True)
class Money:
    """Gross, refunds, net and failed payments of one currency over one period (see the module docstring)."""

    payments: int = 0
    gross: float = 0.0
    refunds: float = 0.0
    net: float = 0.0
    failed_count: int = 0
    failed_amount: float = 0.0
    pending_count: int = 0
    platform: float = 0.0  # the platform's share of the net (its commission, or all of it where it sells)
    third_party: float = 0.0  # of the net: ticket vendors' commission (neither the platform's nor a seller's)
    payouts: float = 0.0  # of the net: what sellers, performers and artists get (net − platform − third_party)


MONEY_INPUTS = ("payments", "amount", "platform_share", "third_party")


def money(rows: pd.DataFrame) -> Money:
    """Money from revenue-line rows with ``status``, ``payments`` and ``amount`` columns (one currency)."""
    if rows.empty:
        return Money()
    rows = numeric(rows, MONEY_INPUTS)
    status = rows["status"]
    gross = float(rows.loc[status.isin(CHARGED), "amount"].sum())
    refunds = float(rows.loc[status == REFUNDED, "amount"].sum())
    kept = status == COMPLETED
    platform = float(rows.loc[kept, "platform_share"].sum()) if "platform_share" in rows else 0.0
    third = float(rows.loc[kept, "third_party"].sum()) if "third_party" in rows else 0.0
    return Money(
        payments=int(rows["payments"].sum()),
        gross=gross,
        refunds=refunds,
        net=gross - refunds,
        failed_count=int(rows.loc[status == FAILED, "payments"].sum()),
        failed_amount=float(rows.loc[status == FAILED, "amount"].sum()),
        pending_count=int(rows.loc[~status.isin((*CHARGED, FAILED)), "payments"].sum()),
        platform=platform,
        third_party=third,
        payouts=gross - refunds - platform - third,
    )


def headline(summary: pd.DataFrame, currency: str = HEADLINE_CURRENCY) -> dict[str, Money]:
    """{'current': Money, 'previous': Money} for one currency, from ``revenue_payment_summary`` rows."""
    rows = summary[summary["currency"] == currency] if not summary.empty else summary
    return {period: money(rows[rows["period"] == period] if not rows.empty else rows)
            for period in ("current", "previous")}


MONEY_COLUMNS = ("payments", "gross", "refunds", "net", "failed_count", "failed_amount", "previous_net", "delta_pct",
                 "platform", "payouts", "third_party", "previous_platform", "platform_delta_pct")
_SUMS = ("payments", "gross", "refunds", "failed_count", "failed_amount", "platform", "third_party")


def _money_sums(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """What ``money`` adds up, per (``keys``, period), in one grouped sum over rows already ``numeric``: each row's
    amount counts as gross when charged, as a refund when refunded, and so on, exactly as ``money`` picks them."""
    status = rows["status"]
    charged, failed, kept = status.isin(CHARGED), status == FAILED, status == COMPLETED
    parts = pd.DataFrame({
        **{k: rows[k] for k in [*keys, "period"]},
        "payments": rows["payments"],
        "gross": rows["amount"].where(charged, 0),
        "refunds": rows["amount"].where(status == REFUNDED, 0),
        "failed_count": rows["payments"].where(failed, 0),
        "failed_amount": rows["amount"].where(failed, 0),
        "platform": rows["platform_share"].where(kept, 0) if "platform_share" in rows else 0.0,
        "third_party": rows["third_party"].where(kept, 0) if "third_party" in rows else 0.0,
    })
    return parts.groupby([*keys, "period"], sort=True)[list(_SUMS)].sum()


def _money_frame(rows: pd.DataFrame, key_names: tuple[str, ...]) -> pd.DataFrame:
    """One row per group of ``key_names`` (sorted) with ``money`` of its current and previous rows: the columns of
    MONEY_COLUMNS. One grouped sum over all the rows (``money`` per group copied and masked each group's frame: 22
    groups were most of a cold run of Revenue's streams view)."""
    columns = [*key_names, *MONEY_COLUMNS]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    keys = list(key_names)
    sums = _money_sums(rows, keys)
    groups = sums.index.droplevel("period").unique()
    zero = dict.fromkeys(_SUMS, 0)
    records = []
    for key in groups:
        keyed = key if isinstance(key, tuple) else (key,)
        now = sums.loc[(*keyed, "current")].to_dict() if (*keyed, "current") in sums.index else zero
        before = sums.loc[(*keyed, "previous")].to_dict() if (*keyed, "previous") in sums.index else zero
        net = float(now["gross"]) - float(now["refunds"])
        previous_net = float(before["gross"]) - float(before["refunds"])
        platform, third = float(now["platform"]), float(now["third_party"])
        records.append({**dict(zip(key_names, keyed, strict=True)), "payments": int(now["payments"]),
                        "gross": float(now["gross"]), "refunds": float(now["refunds"]), "net": net,
                        "failed_count": int(now["failed_count"]), "failed_amount": float(now["failed_amount"]),
                        "previous_net": previous_net, "delta_pct": change(net, previous_net).pct,
                        "platform": platform, "payouts": net - platform - third, "third_party": third,
                        "previous_platform": float(before["platform"]),
                        "platform_delta_pct": change(platform, float(before["platform"])).pct})
    return pd.DataFrame.from_records(records, columns=columns)


def by_currency(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per currency, each in its own currency (never converted), RUB first, then by net."""
    if summary.empty:
        return _money_frame(summary, ("currency",))
    frame = _money_frame(numeric(summary, MONEY_INPUTS), ("currency",))
    frame["is_headline"] = frame["currency"] == HEADLINE_CURRENCY
    frame = frame.sort_values(["is_headline", "net"], ascending=[False, False]).drop(columns="is_headline")
    return frame.reset_index(drop=True)


def by_stream(summary: pd.DataFrame, currency: str = HEADLINE_CURRENCY) -> pd.DataFrame:
    """One row per stream (promotion also split by detail) in one currency, in the fixed stream order.

    The rows with ``detail == ''`` are the streams; promotion's detail rows (banner, campaign, pitching, …) follow
    their stream row and add up to it."""
    rows = summary[summary["currency"] == currency] if not summary.empty else summary
    key_names = ("stream", "detail")
    if rows.empty:
        return _money_frame(rows, key_names)
    rows = numeric(rows, MONEY_INPUTS)
    streams = _money_frame(rows, ("stream",))
    streams.insert(1, "detail", "")
    promo = rows[rows["stream"] == "promotion"]
    details = _money_frame(promo, key_names) if not promo.empty else None
    frame = pd.concat([streams, details], ignore_index=True) if details is not None else streams
    order = {s: i for i, s in enumerate(STREAMS)}
    frame["_o"] = frame["stream"].map(order).fillna(len(STREAMS))
    return frame.sort_values(["_o", "detail"]).drop(columns="_o").reset_index(drop=True)


def by_route(summary: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per payment_method or provider (current period): counts over all currencies, net RUB, failure/refund rate."""
    if key not in ("payment_method", "provider"):
        raise ValueError(f"cannot break down by {key!r}")
    columns = [key, "payments", "completed", "refunded", "failed", "failure_rate", "refund_rate", "net_rub"]
    rows = summary[summary["period"] == "current"] if not summary.empty else summary
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = numeric(rows, ["payments", "amount"])
    records = []
    for value, grp in rows.groupby(key, sort=True):
        count = grp.groupby("status")["payments"].sum()
        completed, refunded, failed = (int(count.get(s, 0)) for s in (COMPLETED, REFUNDED, FAILED))
        rub = grp[grp["currency"] == HEADLINE_CURRENCY]
        records.append({key: value, "payments": int(grp["payments"].sum()), "completed": completed,
                        "refunded": refunded, "failed": failed,
                        "failure_rate": ratio(failed, completed + refunded + failed, per=100.0),
                        "refund_rate": ratio(refunded, completed + refunded, per=100.0), "net_rub": money(rub).net})
    return pd.DataFrame.from_records(records, columns=columns).sort_values(
        ["net_rub", "payments"], ascending=False).reset_index(drop=True)


def timeline(rows: pd.DataFrame, currency: str = HEADLINE_CURRENCY) -> pd.DataFrame:
    """Per bucket × stream in one currency: payments, gross, refunds, net, failed_amount and the platform's share
    of the net (from revenue_timeline)."""
    columns = ["bucket", "stream", "payments", "gross", "refunds", "net", "failed_amount", "platform"]
    rows = rows[rows["currency"] == currency] if not rows.empty else rows
    if rows.empty:
        return pd.DataFrame(columns=columns)
    rows = numeric(rows, ["payments", "amount", "platform_share"])
    if "platform_share" not in rows:
        rows = rows.assign(platform_share=0.0)
    rows = rows.assign(
        gross=rows["amount"].where(rows["status"].isin(CHARGED), 0.0),
        refunds=rows["amount"].where(rows["status"] == REFUNDED, 0.0),
        failed_amount=rows["amount"].where(rows["status"] == FAILED, 0.0),
        platform=rows["platform_share"].where(rows["status"] == COMPLETED, 0.0),
    )
    out = rows.groupby(["bucket", "stream"], as_index=False)[["payments", "gross", "refunds", "failed_amount",
                                                              "platform"]].sum()
    out["net"] = out["gross"] - out["refunds"]
    return out[columns].sort_values(["bucket", "stream"]).reset_index(drop=True)


def timeline_totals(stream_rows: pd.DataFrame) -> pd.DataFrame:
    """The timeline summed over streams: one row per bucket."""
    cols = ["payments", "gross", "refunds", "net", "failed_amount", "platform"]
    if stream_rows.empty:
        return pd.DataFrame(columns=["bucket", *cols])
    return stream_rows.groupby("bucket", as_index=False)[cols].sum()


# -------------------------------------------------------------------------------------------- subscriptions
def load_config(path: Path | None = None) -> dict[str, Any]:
    """The revenue configuration: ``path``, else the file named by PROMO_REVENUE_CONFIG, else revenue_config.json."""
    chosen = path or Path(os.environ.get(CONFIG_ENV) or CONFIG_FILE)
    try:
        doc = json.loads(chosen.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{chosen}: cannot read the revenue config ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{chosen}: expected a JSON object")
    return doc


def load_tier_prices(path: Path | None = None) -> dict[str, float]:
    """Monthly price in RUB per subscription tier, from the configuration (``tier_prices``)."""
    doc = load_config(path)
    prices = doc.get("tier_prices")
    if not isinstance(prices, dict):
        raise ValueError("revenue config: 'tier_prices' must be an object of tier -> monthly RUB price")
    out: dict[str, float] = {}
    for tier, price in prices.items():
        if isinstance(price, bool) or not isinstance(price, int | float) or price < 0:
            raise ValueError(f"revenue config: price of tier {tier!r} must be a number >= 0, not {price!r}")
        out[str(tier)] = float(price)
    return out


def unpriced_tiers(tiers: pd.Series | list[str], prices: dict[str, float]) -> list[str]:
    return sorted({str(t) for t in tiers} - set(prices))


def paid_tiers(prices: dict[str, float]) -> set[str]:
    return {tier for tier, price in prices.items() if price > 0}


def mrr_timeline(active: pd.DataFrame, prices: dict[str, float]) -> pd.DataFrame:
    """Per bucket: paid_active (subscriptions of paid tiers active at the bucket's last day) and mrr (RUB)."""
    columns = ["bucket", "as_of", "paid_active", "mrr"]
    if active.empty:
        return pd.DataFrame(columns=columns)
    rows = numeric(active, ["active"])
    rows = rows.assign(price=rows["tier"].map(prices))
    paid = rows[rows["price"].fillna(0) > 0]
    out = rows[["bucket", "as_of"]].drop_duplicates().sort_values("bucket")
    agg = paid.assign(mrr=paid["active"] * paid["price"]).groupby(["bucket", "as_of"], as_index=False).agg(
        paid_active=("active", "sum"), mrr=("mrr", "sum"))
    out = out.merge(agg, on=["bucket", "as_of"], how="left").fillna({"paid_active": 0, "mrr": 0.0})
    return out[columns].reset_index(drop=True)


@dataclass(frozen=True)
class SubscriptionSummary:
    mrr_start: float
    mrr_end: float
    paid_active_start: int
    paid_active_end: int
    new_paid: int
    cancelled_paid: int
    expired_paid: int
    churn_rate: float | None


def subscription_summary(movements: pd.DataFrame, prices: dict[str, float]) -> SubscriptionSummary:
    """MRR and paid subscriptions at the start and end of the period, movements and churn (paid tiers only)."""
    rows = numeric(movements, ["active_at_start", "new", "cancelled", "expired", "active_at_end"])
    rows = rows[rows["tier"].isin(paid_tiers(prices))] if not rows.empty else rows
    if rows.empty:
        return SubscriptionSummary(0.0, 0.0, 0, 0, 0, 0, 0, None)
    price = rows["tier"].map(prices).astype(float)
    start, ended = int(rows["active_at_start"].sum()), int(rows["cancelled"].sum() + rows["expired"].sum())
    return SubscriptionSummary(
        mrr_start=float((rows["active_at_start"] * price).sum()),
        mrr_end=float((rows["active_at_end"] * price).sum()),
        paid_active_start=start,
        paid_active_end=int(rows["active_at_end"].sum()),
        new_paid=int(rows["new"].sum()),
        cancelled_paid=int(rows["cancelled"].sum()),
        expired_paid=int(rows["expired"].sum()),
        churn_rate=ratio(ended, start, per=100.0),
    )


def movements_table(movements: pd.DataFrame, prices: dict[str, float]) -> pd.DataFrame:
    """The movements per tier with the configured price and the MRR at the end (NaN price: unpriced tier)."""
    rows = numeric(movements, ["active_at_start", "new", "cancelled", "expired", "active_at_end"])
    if rows.empty:
        return rows.assign(price=pd.Series(dtype=float), mrr_end=pd.Series(dtype=float))
    rows = rows.assign(price=rows["tier"].map(prices))
    rows["mrr_end"] = rows["active_at_end"] * rows["price"]
    order = {t: i for i, t in enumerate(prices)}
    rows["_o"] = rows["tier"].map(order).fillna(len(order))
    return rows.sort_values(["_o", "tier"]).drop(columns="_o").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------- coins
def coins_totals(flow: pd.DataFrame) -> dict[str, int]:
    """Coins purchased, spent, returned and earned over the period (from revenue_coins_flow)."""
    rows = numeric(flow, ["coins"])
    return {kind: int(rows.loc[rows["kind"] == kind, "coins"].sum()) if not rows.empty else 0
            for kind in COIN_KINDS}


def coins_by_bucket(flow: pd.DataFrame) -> pd.DataFrame:
    """Per bucket: one column per kind of coin movement (coins)."""
    if flow.empty:
        return pd.DataFrame(columns=["bucket", *COIN_KINDS])
    rows = numeric(flow, ["coins"])
    out = rows.pivot_table(index="bucket", columns="kind", values="coins", aggfunc="sum", fill_value=0)
    out = out.reindex(columns=list(COIN_KINDS), fill_value=0).reset_index()
    out.columns.name = None
    return out


def spend_by_entity(flow: pd.DataFrame) -> pd.DataFrame:
    """Per related_entity_type: spends (count), coins_spent, coins_returned, net_spent; most spent first."""
    columns = ["entity", "spends", "coins_spent", "coins_returned", "net_spent"]
    rows = numeric(flow, ["coins", "transactions"])
    rows = rows[rows["kind"].isin(("spent", "returned"))] if not rows.empty else rows
    if rows.empty:
        return pd.DataFrame(columns=columns)
    spent = rows[rows["kind"] == "spent"].groupby("entity").agg(spends=("transactions", "sum"),
                                                                coins_spent=("coins", "sum"))
    returned = rows[rows["kind"] == "returned"].groupby("entity").agg(coins_returned=("coins", "sum"))
    out = spent.join(returned, how="outer").fillna(0).reset_index()
    out["net_spent"] = out["coins_spent"] - out["coins_returned"]
    return out[columns].sort_values(["net_spent", "entity"], ascending=[False, True]).reset_index(drop=True)


def rub_per_coin(liability: pd.Series) -> float | None:
    """Average RUB paid per coin in completed RUB coin purchases; None without any."""
    coins = float(liability.get("coins_bought_rub") or 0)
    return None if coins <= 0 else float(liability.get("rub_paid") or 0) / coins


# -------------------------------------------------------------------------------------------------- artists
@dataclass(frozen=True)
class ArtistRevenue:
    active_artists: int
    artists: int | None
    revenue: float
    arpu: float | None


def artist_revenue(by_artist: pd.DataFrame) -> ArtistRevenue:
    """ARPU: (donations received + platform revenue of all artists, net RUB) / active artists, from the totals that
    every row of ``revenue_top_artists`` carries (the rows themselves are only the top lists), or from
    ``revenue_artist_totals`` (the same totals alone)."""
    rows = numeric(by_artist, ["active_artists", "revenue"])
    if rows.empty:
        return ArtistRevenue(active_artists=0, artists=None, revenue=0.0, arpu=None)
    first = rows.iloc[0]
    active, total = int(first["active_artists"]), float(first["revenue"])
    return ArtistRevenue(active_artists=active, artists=int(first["artists"]), revenue=total,
                         arpu=total / active if active else None)


TOP_ARTISTS = 10  # the length of each top list on the artists view (revenue_top_artists's :limit)


def artist_reads(store: Store, period: Period, limit: int = TOP_ARTISTS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Revenue → Artists' two reads, ``at_once`` (on PostgreSQL side by side, each on a backend of its own: 1.9 s one
    after the other at 10M keys): the period's top lists with its totals (``revenue_top_artists``) and the previous
    period's totals (``revenue_artist_totals``)."""
    top, before = at_once(store, [
        lambda: run_query(store, "revenue_top_artists", start=period.start, end=period.end, limit=limit),
        lambda: run_query(store, "revenue_artist_totals", start=period.prev_start, end=period.prev_end)])
    return top, before


def top_artists(by_artist: pd.DataFrame, column: str, limit: int = TOP_ARTISTS) -> pd.DataFrame:
    """The ``limit`` artists with the most ``column`` (donations_net or platform_net), zero rows left out."""
    rows = numeric(by_artist, ["donations_net", "platform_net", "donations"])
    if rows.empty:
        return rows
    rows = rows[rows[column] > 0]
    return rows.sort_values([column, "artist_id"], ascending=[False, True]).head(limit).reset_index(drop=True)
