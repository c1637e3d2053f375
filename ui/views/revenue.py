"""Platform revenue (managers, admins): where the money comes from and how it moves.

One page, seven views picked with a selector (headline, by stream, payment methods & providers, currencies,
subscriptions, coins economy, artists); a run renders only the chosen view and runs only the queries it needs.
The definitions (gross, refunds, net, streams, MRR, churn, ARPU) live in ``dashboard/revenue.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import period_presets as presets
from dashboard.i18n.formatting import day_text, moscow_today, number, percent, rub, times_text
from dashboard.i18n.translations import translated
from dashboard.metrics import artist as am
from dashboard.metrics import revenue as rv
from dashboard.metrics.periods import anchor_day, buckets, date_range, describe, period_for, within_data
from ui import charts, tables
from ui.data_access import computed, query, shaped
from ui.date_pickers import date_picker
from ui.identity import require_page
from ui.kept_state import kept
from ui.kpi import count, kpi
from ui.language import current_lang, tr
from ui.plain_text import markdown_text
from ui.sync_status import data_as_of

MONEY_COLS = {"gross", "refunds", "net", "failed_amount", "previous_net", "net_rub", "price", "mrr_end", "mrr",
              "donations_net", "platform_net", "platform", "payouts", "third_party", "previous_platform"}
RATE_COLS = {"delta_pct", "failure_rate", "refund_rate", "platform_delta_pct"}
# data values with a meaning, translated (``prefix.value``); a value the table does not know is shown as it is
VALUE_PREFIX = {"payment_method": "method", "provider": "provider", "tier": "tier", "entity": "coin_entity",
                "status": "payment_status", "type": "payment_type"}


def metric(col: st.delta_generator.DeltaGenerator, label_key: str, value: str, help_text: str,
           current: float | None = None, previous: float | None = None, inverse: bool = False) -> None:
    kpi(col, tr(label_key), value, help_text, current, previous, inverse)


def translate_values(frame: pd.DataFrame) -> pd.DataFrame:
    out, lang = frame.copy(), current_lang()
    for col, prefix in VALUE_PREFIX.items():
        if col in out.columns:  # each distinct value translated once
            words = {v: translated(prefix, v, lang) for v in out[col].dropna().unique()}
            out[col] = out[col].map(lambda v, w=words, p=prefix: w[v] if v in w else translated(p, v, lang))
    return out


def show_table(frame: pd.DataFrame, columns: dict[str, str], filename: str, key: str,
               ids: tuple[str, ...] = (), wide: tuple[str, ...] = (), screen: tuple[str, ...] | None = None,
               csv: bool = True) -> None:
    """A table with translated headers and values, whole rubles and one-decimal rates in the UI language, and its
    CSV download (numbers, full ids; every column of ``columns`` even when ``screen`` shows fewer)."""
    shown = translate_values(frame[list(columns)])
    kinds = {c: "rub" for c in shown.columns if c in MONEY_COLS}
    kinds.update({c: "pct" for c in shown.columns if c in RATE_COLS})
    tables.table(shown, filename.removesuffix(".csv"), labels=columns, kinds=kinds, ids=ids, wide=wide,
                 screen=screen, csv=csv)


def chart(fig: go.Figure, note: str = "") -> None:
    fig.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=320, legend_title_text="",
                      separators=charts.PLOTLY_SEPARATORS.get(current_lang(), ", "))
    st.plotly_chart(fig, width="stretch")
    if note:
        st.caption(note)


def bucket_chart(fig: go.Figure, period: rv.Period, grain: str) -> None:
    """A chart over buckets: ticks in the UI language, partial buckets shaded and starred, with a note."""
    spans = buckets(period.start, period.end, grain)
    charts.bucket_axis(fig, spans, grain, current_lang())
    partial = spans[spans["partial"]]
    note = ""
    if not partial.empty:
        lang = current_lang()
        what = "; ".join(f"{day_text(f, lang, with_year=False)} – {day_text(la, lang, with_year=False)} "
                         f"({count('word.days', d)})"
                         for f, la, d in zip(partial["first"], partial["last"], partial["days"], strict=True))
        note = tr("period.partial_note", what=what)
    chart(fig, note)


def stream_label(stream: str, detail: str) -> str:
    return tr(f"revenue.detail.{detail}") if detail else tr(f"revenue.stream.{stream}")


def line_chart(frame: pd.DataFrame, x: str, y: str, series: str | None, x_title: str, y_title: str,
               stacked_area: bool = False, period: rv.Period | None = None, grain: str = "day") -> go.Figure:
    """Lines with markers (or stacked areas), one trace per value of ``series`` in order of first appearance; the
    x values are buckets (labelled in the UI language) when ``period`` is given."""
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    fig = go.Figure()
    for name, rows in groups:
        xs = charts.bucket_x(list(rows[x]), buckets(period.start, period.end, grain), grain, current_lang()) \
            if period is not None else list(rows[x])
        if stacked_area:
            fig.add_trace(go.Scatter(x=xs, y=list(rows[y]), name=charts.chart_label(name), mode="lines",
                                     stackgroup="one", hovertemplate="%{x}: %{y:,.0f}<extra></extra>"))
        else:
            fig.add_trace(go.Scatter(x=xs, y=list(rows[y]), name="" if name is None else charts.chart_label(name),
                                     mode="lines+markers", showlegend=name is not None,
                                     hovertemplate="%{x}: %{y:,.0f}<extra></extra>"))
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title)
    fig.update_yaxes(tickformat=",.0f", rangemode="tozero")
    return fig


def bar_chart(frame: pd.DataFrame, x: str, y: str, series: str, order: list[str], x_title: str, y_title: str,
              barmode: str, period: rv.Period, grain: str) -> go.Figure:
    """Bars per bucket, one trace per value of ``series`` (in ``order``, then any others), stacked or grouped."""
    present = list(dict.fromkeys(frame[series]))
    spans = buckets(period.start, period.end, grain)
    fig = go.Figure()
    for name in [s for s in order if s in present] + [s for s in present if s not in order]:
        rows = frame[frame[series] == name]
        fig.add_trace(go.Bar(x=charts.bucket_x(list(rows[x]), spans, grain, current_lang()), y=list(rows[y]),
                             name=charts.chart_label(name), hovertemplate="%{x}: %{y:,.0f}<extra></extra>"))
    fig.update_layout(barmode=barmode, xaxis_title=x_title, yaxis_title=y_title)
    fig.update_yaxes(tickformat=",.0f")
    return fig


# ------------------------------------------------------------------------------------------------- headline
def show_headline(period: rv.Period, grain: str) -> None:
    money = shaped(rv.headline, "revenue_payment_summary", **period.params())
    now, before = money["current"], money["previous"]
    lang = current_lang()
    c1, c2, c3, c4 = st.columns(4)
    metric(c1, "revenue.gross", rub(now.gross, lang), tr("revenue.gross_help"), now.gross, before.gross)
    c1.caption(tr("revenue.previous", amount=rub(before.gross, lang)))
    metric(c2, "revenue.refunds", rub(now.refunds, lang), tr("revenue.refunds_help"), now.refunds,
           before.refunds, inverse=True)
    c2.caption(tr("revenue.previous", amount=rub(before.refunds, lang)))
    metric(c3, "revenue.net", rub(now.net, lang), tr("revenue.net_help"), now.net, before.net)
    c3.caption(tr("revenue.previous", amount=rub(before.net, lang)))
    metric(c4, "revenue.failed", rub(now.failed_amount, lang), tr("revenue.failed_help"), now.failed_amount,
           before.failed_amount, inverse=True)
    c4.caption(count("word.failed_payments", now.failed_count) + " · "
               + tr("revenue.previous", amount=rub(before.failed_amount, lang)))
    if now.pending_count:
        st.caption(tr("revenue.pending_caption", count=count("word.payments", now.pending_count),
                         payments=number(now.payments, lang)))
    p1, p2 = st.columns([1, 3])
    metric(p1, "revenue.platform", rub(now.platform, lang), tr("revenue.platform_help"), now.platform,
           before.platform)
    p1.caption(tr("revenue.previous", amount=rub(before.platform, lang)))
    p2.caption(tr("revenue.payouts_caption", payouts=rub(now.payouts, lang), third=rub(now.third_party, lang)))
    totals = rv.timeline_totals(streams_over_time(period, grain))
    st.subheader(tr("revenue.timeline"))
    if totals.empty:
        st.info(tr("revenue.no_data"))
        return
    every = pd.DataFrame({"bucket": list(buckets(period.start, period.end, grain)["bucket"])})
    totals = every.merge(totals.assign(bucket=totals["bucket"].map(am.as_date)), on="bucket", how="left").fillna(0)
    long = totals.melt(id_vars="bucket", value_vars=["gross", "refunds", "net"], var_name="measure")
    long["measure"] = long["measure"].map({m: tr(f"revenue.{m}") for m in ("gross", "refunds", "net")})
    bucket_chart(line_chart(long, "bucket", "value", "measure", tr("revenue.col.bucket"), tr("revenue.col.net"),
                            period=period, grain=grain), period, grain)
    totals = totals.assign(bucket=charts.bucket_x(list(totals["bucket"]), buckets(period.start, period.end, grain),
                                                  grain, current_lang()))
    show_table(totals, {"bucket": "revenue.col.bucket", "payments": "revenue.col.payments",
                        "gross": "revenue.col.gross", "refunds": "revenue.col.refunds", "net": "revenue.col.net",
                        "failed_amount": "revenue.col.failed_amount"}, "revenue_timeline.csv", "rev_timeline")


def streams_over_time(period: rv.Period, grain: str) -> pd.DataFrame:
    return shaped(rv.timeline, "revenue_timeline", start=period.start, end=period.end, grain=grain)


# -------------------------------------------------------------------------------------------------- streams
def show_streams(period: rv.Period, grain: str) -> None:
    st.caption(tr("revenue.dedup_rule"))
    st.subheader(tr("revenue.streams_chart"))
    over_time = streams_over_time(period, grain)
    if over_time.empty:
        st.info(tr("revenue.no_data"))
    else:
        stacked = over_time.assign(label=[stream_label(s, "") for s in over_time["stream"]])
        bucket_chart(bar_chart(stacked, "bucket", "net", "label", [stream_label(s, "") for s in rv.STREAMS],
                               tr("revenue.col.bucket"), tr("revenue.col.net"), barmode="relative",
                               period=period, grain=grain), period, grain)
    st.subheader(tr("revenue.streams_table"))
    table = shaped(rv.by_stream, "revenue_payment_summary", **period.params())
    table["label"] = [stream_label(s, d) for s, d in zip(table["stream"], table["detail"], strict=True)]
    columns = {"label": "revenue.col.stream", "payments": "revenue.col.payments", "gross": "revenue.col.gross",
               "refunds": "revenue.col.refunds", "net": "revenue.col.net", "platform": "revenue.col.platform",
               "previous_net": "revenue.col.previous_net", "delta_pct": "revenue.col.delta_pct",
               "payouts": "revenue.col.payouts", "third_party": "revenue.col.third_party",
               "platform_delta_pct": "revenue.col.platform_delta_pct", "failed_count": "revenue.col.failed_count",
               "failed_amount": "revenue.col.failed_amount"}
    # two tables that fit a 1400 px window (the CSV under the first has every column): where the money comes
    # from and how it changed, then who gets it
    show_table(table, columns, "revenue_by_stream.csv", "rev_streams",
               screen=("label", "payments", "gross", "refunds", "net", "platform", "previous_net", "delta_pct"))
    st.subheader(tr("revenue.streams_shares"))
    show_table(table, columns, "revenue_by_stream_shares.csv", "rev_stream_shares", csv=False,
               screen=("label", "net", "platform", "platform_delta_pct", "payouts", "third_party"))


# -------------------------------------------------------------------------------------------------- methods
def show_methods(period: rv.Period, grain: str) -> None:
    st.caption(tr("revenue.methods_help"))
    for key in ("payment_method", "provider"):
        st.subheader(tr("revenue.by_method" if key == "payment_method" else "revenue.by_provider"))
        routes = shaped(rv.by_route, "revenue_payment_summary", key, **period.params())
        if routes.empty:
            st.info(tr("revenue.no_data"))
            continue
        outcome_chart(translate_values(routes), key)
        show_table(routes,
                   {key: f"revenue.col.{key}", "payments": "revenue.col.payments",
                    "completed": "revenue.col.completed", "refunded": "revenue.col.refunded",
                    "failed": "revenue.col.failed", "failure_rate": "revenue.col.failure_rate",
                    "refund_rate": "revenue.col.refund_rate", "net_rub": "revenue.col.net_rub"},
                   f"revenue_by_{key}.csv", f"rev_{key}")


LEGEND_ROOM_PX = 36  # a top margin that holds a one-line legend


def outcome_chart(routes: pd.DataFrame, key: str) -> None:
    """Payments per method or provider by outcome (completed, refunded, failed), stacked horizontal bars."""
    fig = go.Figure([go.Bar(y=[charts.chart_label(v) for v in routes[key]], x=list(routes[outcome]), orientation="h",
                            name=tr(f"revenue.col.{outcome}"), hovertemplate="%{y}: %{x:,}<extra></extra>")
                     for outcome in ("completed", "refunded", "failed")])
    fig.update_layout(barmode="stack", xaxis_title=tr("revenue.col.payments"),
                      yaxis={"categoryorder": "total ascending"},
                      legend={"orientation": "h", "x": 0, "y": 1, "yanchor": "bottom"})  # above the bars, never on them
    charts.count_axis(fig, list(routes["payments"]), axis="x")
    fig.update_layout(margin={"l": 0, "r": 0, "t": LEGEND_ROOM_PX, "b": 0},
                      height=LEGEND_ROOM_PX + 60 + 40 * len(routes),
                      separators=charts.PLOTLY_SEPARATORS.get(current_lang(), ", "))
    st.plotly_chart(fig, width="stretch")


# ----------------------------------------------------------------------------------------------- currencies
def show_currencies(period: rv.Period, grain: str) -> None:
    st.caption(tr("revenue.currencies_help"))
    currencies = shaped(rv.by_currency, "revenue_payment_summary", **period.params())
    if currencies.empty:
        st.info(tr("revenue.no_data"))
        return
    for col in ("gross", "refunds", "net", "failed_amount", "previous_net"):
        currencies[col] = pd.to_numeric(currencies[col]).round(2)
    st.plotly_chart(charts.hbars(list(currencies["currency"]), list(currencies["payments"]), current_lang(), 220,
                                 tr("revenue.col.payments")), width="stretch")
    st.caption(tr("revenue.currencies_chart_note"))
    show_table(currencies, {"currency": "revenue.col.currency", "payments": "revenue.col.payments",
                            "gross": "revenue.col.gross_cur", "refunds": "revenue.col.refunds_cur",
                            "net": "revenue.col.net_cur", "failed_count": "revenue.col.failed_count",
                            "failed_amount": "revenue.col.failed_cur", "previous_net": "revenue.col.previous_net_cur",
                            "delta_pct": "revenue.col.delta_pct"}, "revenue_by_currency.csv", "rev_currencies")


# -------------------------------------------------------------------------------------------- subscriptions
def show_subscriptions(period: rv.Period, grain: str) -> None:
    try:
        prices = rv.load_tier_prices()
    except ValueError as exc:  # a broken PROMO_REVENUE_CONFIG: say so in one line, show the other views
        st.error(tr("revenue.config_error", message=markdown_text(exc)))
        return
    movements = query("revenue_subscription_movements", start=period.start, end=period.end)
    active = query("revenue_subscriptions_active", start=period.start, end=period.end, grain=grain)
    subs = rv.subscription_summary(movements, prices)
    lang = current_lang()
    # the MRR card is wider: a platform's MRR in whole rubles ("17 731 930 ₽") was cut off in a fifth of the row
    c1, c2, c3, c4, c5 = st.columns([1.5, 1, 0.9, 1.1, 0.9])
    metric(c1, "revenue.subs_mrr", rub(subs.mrr_end, lang), tr("revenue.subs_mrr_help"),
           subs.mrr_end, subs.mrr_start)
    metric(c2, "revenue.subs_paid_active", number(subs.paid_active_end, lang), tr("revenue.subs_paid_active_help"),
           subs.paid_active_end, subs.paid_active_start)
    metric(c3, "revenue.subs_new", number(subs.new_paid, lang), tr("revenue.subs_new_help"))
    metric(c4, "revenue.subs_ended", f"{number(subs.cancelled_paid, lang)} / {number(subs.expired_paid, lang)}",
           tr("revenue.subs_ended_help"))
    metric(c5, "revenue.subs_churn", percent(subs.churn_rate, lang), tr("revenue.subs_churn_help"))
    unpriced = rv.unpriced_tiers(movements["tier"] if not movements.empty else [], prices)
    if unpriced:
        tiers = ", ".join(markdown_text(translated("tier", t, lang)) for t in unpriced)
        st.warning(tr("revenue.subs_unpriced", tiers=tiers))
    st.caption(tr("revenue.subs_history_note"))
    if active.empty:
        st.info(tr("revenue.no_data"))
    else:
        left, right = st.columns(2)
        with left:
            st.subheader(tr("revenue.subs_active_chart"))
            by_tier = active.assign(active=pd.to_numeric(active["active"]),
                                    tier=[translated("tier", t, lang) for t in active["tier"]])
            fig = line_chart(by_tier, "bucket", "active", "tier", tr("revenue.col.bucket"),
                             tr("revenue.col.active"), stacked_area=True, period=period, grain=grain)
            # a count: whole ticks, sized by the stacked total of each bucket (never "0,5 of a subscription")
            charts.count_axis(fig, list(by_tier.groupby("bucket")["active"].sum()))
            bucket_chart(fig, period, grain)
        with right:
            st.subheader(tr("revenue.subs_mrr_chart"))
            bucket_chart(line_chart(rv.mrr_timeline(active, prices), "bucket", "mrr", None,
                                    tr("revenue.col.bucket"), tr("revenue.col.mrr"), period=period,
                                    grain=grain), period, grain)
    st.subheader(tr("revenue.subs_table"))
    show_table(rv.movements_table(movements, prices),
               {"tier": "revenue.col.tier", "price": "revenue.col.price",
                "active_at_start": "revenue.col.active_at_start", "new": "revenue.col.new",
                "cancelled": "revenue.col.cancelled", "expired": "revenue.col.expired",
                "active_at_end": "revenue.col.active_at_end", "mrr_end": "revenue.col.mrr_end"},
               "revenue_subscriptions.csv", "rev_subs")


# ---------------------------------------------------------------------------------------------------- coins
def show_coins(period: rv.Period, grain: str) -> None:
    lang = current_lang()
    flow = query("revenue_coins_flow", start=period.start, end=period.end, grain=grain)
    before = rv.coins_totals(query("revenue_coins_flow", start=period.prev_start, end=period.prev_end, grain=grain))
    liability = query("revenue_coins_liability").iloc[0]
    coins = rv.coins_totals(flow)
    c1, c2, c3 = st.columns(3)
    metric(c1, "revenue.coins_purchased", number(coins["purchased"], lang), tr("revenue.coins_purchased_help"),
           coins["purchased"], before["purchased"])
    c1.caption(tr("revenue.previous", amount=number(before["purchased"], lang)))
    metric(c2, "revenue.coins_spent", number(coins["spent"], lang),
           tr("revenue.coins_spent_help", returned=number(coins["returned"], lang),
                 earned=number(coins["earned"], lang)), coins["spent"], before["spent"])
    c2.caption(tr("revenue.previous", amount=number(before["spent"], lang)))
    metric(c3, "revenue.coins_balance", number(liability["balance"], lang),
           tr("revenue.coins_balance_help", ledger=number(liability["ledger"], lang),
                 drift=count("word.artists_users", liability["drift_users"])))
    per_coin = rv.rub_per_coin(liability)
    if per_coin is not None:
        c3.caption(tr("revenue.coins_liability_rub", amount=rub(float(liability["balance"]) * per_coin, lang),
                         price=number(per_coin, lang, 2)))
    by_bucket = rv.coins_by_bucket(flow)
    st.subheader(tr("revenue.coins_chart"))
    if by_bucket.empty:
        st.info(tr("revenue.no_data"))
    else:
        long = by_bucket.melt(id_vars="bucket", value_vars=["purchased", "spent"], var_name="kind", value_name="coins")
        long["kind"] = long["kind"].map({k: tr(f"revenue.coins_kind.{k}") for k in rv.COIN_KINDS})
        fig = bar_chart(long, "bucket", "coins", "kind", [], tr("revenue.col.bucket"), tr("revenue.col.coins"),
                        barmode="group", period=period, grain=grain)
        bucket_chart(charts.count_axis(fig, list(long["coins"])), period, grain)  # coins are counts: whole ticks
    st.subheader(tr("revenue.coins_by_entity"))
    show_table(rv.spend_by_entity(flow), {"entity": "revenue.col.entity", "spends": "revenue.col.spends",
                                          "coins_spent": "revenue.col.coins_spent",
                                          "coins_returned": "revenue.col.coins_returned",
                                          "net_spent": "revenue.col.net_spent"},
               "revenue_coins_by_entity.csv", "rev_coins")


# -------------------------------------------------------------------------------------------------- artists
def show_artists(period: rv.Period, grain: str) -> None:
    lang = current_lang()
    by_artist, before_totals = computed(rv.artist_reads, period)
    artists = rv.artist_revenue(by_artist)
    before = rv.artist_revenue(before_totals)
    c1, c2, c3 = st.columns(3)
    metric(c1, "revenue.arpu", rub(artists.arpu, lang), tr("revenue.arpu_help"), artists.arpu or 0,
           before.arpu or 0)
    metric(c2, "revenue.active_artists", number(artists.active_artists, lang), tr("revenue.arpu_help"),
           artists.active_artists, before.active_artists)
    if artists.artists is not None:
        c2.caption(tr("revenue.active_artists_caption", artists=number(artists.artists, lang)))
    metric(c3, "revenue.artist_revenue", rub(artists.revenue, lang), tr("revenue.artist_revenue_help"),
           artists.revenue, before.revenue)
    c3.caption(tr("revenue.previous", amount=rub(before.revenue, lang)))
    # the name and the ranking first; the internal id last and shortened (in full in the CSV)
    # the name, then the id that tells equal names apart (shortened; in full in the CSV), then the figures; one
    # table under the other, so each has the page's width
    columns = {"name": "revenue.col.name", "artist_id": "revenue.col.artist_id",
               "donations_net": "revenue.col.donations_net", "platform_net": "revenue.col.platform_net",
               "donations": "revenue.col.donations"}
    st.subheader(tr("revenue.top_donations"))
    show_table(rv.top_artists(by_artist, "donations_net"), columns, "revenue_top_artists_donations.csv",
               "rev_top_donations", ids=("artist_id",))
    st.subheader(tr("revenue.top_platform"), help=tr("revenue.top_platform_help"))
    show_table(rv.top_artists(by_artist, "platform_net"), columns, "revenue_top_artists_platform.csv",
               "rev_top_platform", ids=("artist_id",))
    if by_artist.empty:
        st.info(tr("revenue.no_artists"))


# -------------------------------------------------------------------------------------------------- payments
def show_payments(period: rv.Period, grain: str) -> None:
    """Every payment of the period (newest first), searchable by payer, id, type, status, method or provider."""
    payments = query("revenue_payments", start=period.start, end=period.end)
    st.caption(tr("revenue.payments_help"))
    if payments.empty:
        st.info(tr("revenue.no_data"))
        return
    shown = translate_values(payments.assign(amount=pd.to_numeric(payments["amount"])))
    shown = shown.assign(payer=shown["payer"].where(shown["payer"].notna(), "—"))
    needle = st.text_input(tr("revenue.payments_search"), key="rev_payments_search",
                           placeholder=tr("revenue.payments_search_hint")).strip().casefold()
    if needle:
        haystack = shown[["payer", "payment_id", "payer_id", "type", "status", "payment_method", "provider",
                          "currency"]].astype(str).agg(" ".join, axis=1).str.casefold()
        shown = shown[haystack.str.contains(needle, regex=False)]
    st.caption(count("word.payments", len(shown)))
    shown = times_text(shown, ["created_at"], current_lang())
    show_table(shown, {"created_at": "revenue.col.created_at", "payer": "revenue.col.payer",
                       "type": "revenue.col.type", "status": "revenue.col.status", "amount": "revenue.col.amount",
                       "currency": "revenue.col.currency", "payment_method": "revenue.col.payment_method",
                       "provider": "revenue.col.provider", "payment_id": "revenue.col.payment_id"},
               "revenue_payments.csv", "rev_payments", ids=("payment_id",), wide=("payer",))
    if len(payments) >= rv.PAYMENTS_LIMIT:
        st.caption(tr("revenue.payments_limit"))


SHOW_VIEW: dict[str, Callable[[rv.Period, str], None]] = {
    "headline": show_headline, "streams": show_streams, "methods": show_methods, "currencies": show_currencies,
    "subscriptions": show_subscriptions, "coins": show_coins, "artists": show_artists, "payments": show_payments,
}


# ------------------------------------------------------------------------------------------------ controls
require_page("revenue")
st.title(tr("revenue.title"))
data_as_of()

data_range = query("revenue_data_range").iloc[0]
last_day = None if pd.isna(data_range["last_day"]) else pd.Timestamp(data_range["last_day"]).date()
first_day = None if pd.isna(data_range["first_day"]) else pd.Timestamp(data_range["first_day"]).date()
anchor_default = anchor_day(moscow_today(), last_day)

c_preset, c_dates, c_grain = st.columns([2, 2, 3])
preset_labels = {p: tr(f"period.preset.{p}") for p in presets.PRESETS}
preset = kept(c_preset.selectbox, tr("revenue.preset"), presets.PRESETS, key="rev_preset", url="period",
              initial=presets.DEFAULT, read_url=presets.from_url, format_func=preset_labels.__getitem__)
if preset == presets.CUSTOM:
    picked = date_picker(c_dates, tr("revenue.custom_range"),
                         (anchor_default - dt.timedelta(days=29), anchor_default), "rev_custom", first_day=first_day,
                         last_day=last_day)
    span = date_range(picked)
    if span is None or not isinstance(picked, tuple | list) or len(picked) != 2:  # cleared, or half picked
        st.info(tr("revenue.pick_range"))
        st.stop()
    period = period_for("custom", anchor_default, span)
else:
    anchor = date_picker(c_dates, tr("revenue.period_end"), anchor_default, "rev_end", first_day=first_day,
                         last_day=last_day,
                         help=tr("revenue.period_end_help", last=day_text(last_day, current_lang())))
    period = period_for(preset, anchor)
period = within_data(period, anchor_default)  # never past the last day with data without saying so
grain_labels = {g: tr(f"revenue.grain.{g}") for g in rv.GRAINS}
grain = c_grain.radio(tr("revenue.grain"), rv.GRAINS, index=rv.GRAINS.index(rv.default_grain(period)),
                      format_func=grain_labels.__getitem__, horizontal=True, key="rev_grain")
st.caption(describe(period, current_lang()) + " · " + tr("revenue.moscow_days"))

view_labels = {v: tr(f"revenue.tab.{v}") for v in rv.VIEWS}
view = kept(st.segmented_control, tr("revenue.view"), rv.VIEWS, key="rev_view", url="view", required=True,
               format_func=view_labels.__getitem__, label_visibility="collapsed")
SHOW_VIEW[view or rv.VIEWS[0]](period, grain)
