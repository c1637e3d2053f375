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

from dashboard.i18n.formatting import moscow_today, number, rub
from dashboard.metrics import revenue as rv
from dashboard.metrics.measures import delta_pct
from dashboard.metrics.periods import anchor_day, date_range, period_for
from ui import shell as ui
from ui.plain_text import chart_text, markdown_text

MONEY_COLS = {"gross", "refunds", "net", "failed_amount", "previous_net", "net_rub", "price", "mrr_end", "mrr",
              "donations_net", "platform_net"}
RATE_COLS = {"delta_pct", "failure_rate", "refund_rate"}


def metric(col: st.delta_generator.DeltaGenerator, label_key: str, value: str, help_text: str,
           current: float | None = None, previous: float | None = None, inverse: bool = False) -> None:
    change = None if current is None or previous is None else delta_pct(current, previous)
    col.metric(ui.tr(label_key), value, delta=None if change is None else f"{change:+.1f}%",
               delta_color="inverse" if inverse else "normal", help=help_text)


def show_table(frame: pd.DataFrame, columns: dict[str, str], filename: str, key: str) -> None:
    """A table with translated headers, whole rubles and one-decimal rates, and its CSV download."""
    shown = frame[list(columns)].copy()
    for col in shown.columns:
        if col in MONEY_COLS:
            shown[col] = pd.to_numeric(shown[col], errors="coerce").round(0)
        elif col in RATE_COLS:
            shown[col] = pd.to_numeric(shown[col], errors="coerce").round(1)
    shown = shown.rename(columns={c: ui.tr(label) for c, label in columns.items()})
    st.dataframe(shown, hide_index=True, width="stretch")
    ui.csv_download(shown, filename, key=f"dl_{key}")


def chart(fig: go.Figure) -> None:
    fig.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=320, legend_title_text="")
    st.plotly_chart(fig, width="stretch")


def stream_label(stream: str, detail: str) -> str:
    return ui.tr(f"revenue.detail.{detail}") if detail else ui.tr(f"revenue.stream.{stream}")


def line_chart(frame: pd.DataFrame, x: str, y: str, series: str | None, x_title: str, y_title: str,
               stacked_area: bool = False) -> go.Figure:
    """Lines with markers (or stacked areas), one trace per value of ``series`` in order of first appearance."""
    groups = [(None, frame)] if series is None else list(frame.groupby(series, sort=False))
    fig = go.Figure()
    for name, rows in groups:
        if stacked_area:
            fig.add_trace(go.Scatter(x=rows[x], y=rows[y], name=chart_text(name), mode="lines", stackgroup="one"))
        else:
            fig.add_trace(go.Scatter(x=rows[x], y=rows[y], name=chart_text(name),
                                     mode="lines+markers", showlegend=name is not None))
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title)
    return fig


def bar_chart(frame: pd.DataFrame, x: str, y: str, series: str, order: list[str], x_title: str, y_title: str,
              barmode: str) -> go.Figure:
    """Bars, one trace per value of ``series`` (in ``order``, then any others), stacked or grouped."""
    present = list(dict.fromkeys(frame[series]))
    fig = go.Figure()
    for name in [s for s in order if s in present] + [s for s in present if s not in order]:
        rows = frame[frame[series] == name]
        fig.add_trace(go.Bar(x=rows[x], y=rows[y], name=chart_text(name)))
    fig.update_layout(barmode=barmode, xaxis_title=x_title, yaxis_title=y_title)
    return fig


# ------------------------------------------------------------------------------------------------- headline
def show_headline(period: rv.Period, grain: str) -> None:
    money = rv.headline(ui.query("revenue_payment_summary", **period.params()))
    now, before = money["current"], money["previous"]
    c1, c2, c3, c4 = st.columns(4)
    metric(c1, "revenue.gross", rub(now.gross), ui.tr("revenue.gross_help"), now.gross, before.gross)
    c1.caption(ui.tr("revenue.previous", amount=rub(before.gross)))
    metric(c2, "revenue.refunds", rub(now.refunds), ui.tr("revenue.refunds_help"), now.refunds, before.refunds,
           inverse=True)
    c2.caption(ui.tr("revenue.previous", amount=rub(before.refunds)))
    metric(c3, "revenue.net", rub(now.net), ui.tr("revenue.net_help"), now.net, before.net)
    c3.caption(ui.tr("revenue.previous", amount=rub(before.net)))
    metric(c4, "revenue.failed", rub(now.failed_amount), ui.tr("revenue.failed_help"), now.failed_amount,
           before.failed_amount, inverse=True)
    c4.caption(ui.tr("revenue.failed_count", count=number(now.failed_count)) + " · "
               + ui.tr("revenue.previous", amount=rub(before.failed_amount)))
    st.caption(ui.tr("revenue.pending_caption", count=number(now.pending_count), payments=number(now.payments)))
    totals = rv.timeline_totals(streams_over_time(period, grain))
    st.subheader(ui.tr("revenue.timeline"))
    if totals.empty:
        st.info(ui.tr("revenue.no_data"))
        return
    long = totals.melt(id_vars="bucket", value_vars=["gross", "refunds", "net"], var_name="measure")
    long["measure"] = long["measure"].map({m: ui.tr(f"revenue.{m}") for m in ("gross", "refunds", "net")})
    chart(line_chart(long, "bucket", "value", "measure", ui.tr("revenue.col.bucket"), ui.tr("revenue.col.net")))
    show_table(totals, {"bucket": "revenue.col.bucket", "payments": "revenue.col.payments",
                        "gross": "revenue.col.gross", "refunds": "revenue.col.refunds", "net": "revenue.col.net",
                        "failed_amount": "revenue.col.failed_amount"}, "revenue_timeline.csv", "rev_timeline")


def streams_over_time(period: rv.Period, grain: str) -> pd.DataFrame:
    return rv.timeline(ui.query("revenue_timeline", start=period.start, end=period.end, grain=grain))


# -------------------------------------------------------------------------------------------------- streams
def show_streams(period: rv.Period, grain: str) -> None:
    st.caption(ui.tr("revenue.dedup_rule"))
    st.subheader(ui.tr("revenue.streams_chart"))
    over_time = streams_over_time(period, grain)
    if over_time.empty:
        st.info(ui.tr("revenue.no_data"))
    else:
        stacked = over_time.assign(label=[stream_label(s, "") for s in over_time["stream"]])
        chart(bar_chart(stacked, "bucket", "net", "label", [stream_label(s, "") for s in rv.STREAMS],
                        ui.tr("revenue.col.bucket"), ui.tr("revenue.col.net"), barmode="relative"))
    st.subheader(ui.tr("revenue.streams_table"))
    table = rv.by_stream(ui.query("revenue_payment_summary", **period.params()))
    table["label"] = [stream_label(s, d) for s, d in zip(table["stream"], table["detail"], strict=True)]
    show_table(table, {"label": "revenue.col.stream", "payments": "revenue.col.payments",
                       "gross": "revenue.col.gross", "refunds": "revenue.col.refunds", "net": "revenue.col.net",
                       "failed_count": "revenue.col.failed_count", "failed_amount": "revenue.col.failed_amount",
                       "previous_net": "revenue.col.previous_net", "delta_pct": "revenue.col.delta_pct"},
               "revenue_by_stream.csv", "rev_streams")


# -------------------------------------------------------------------------------------------------- methods
def show_methods(period: rv.Period, grain: str) -> None:
    summary = ui.query("revenue_payment_summary", **period.params())
    st.caption(ui.tr("revenue.methods_help"))
    for key in ("payment_method", "provider"):
        st.subheader(ui.tr("revenue.by_method" if key == "payment_method" else "revenue.by_provider"))
        show_table(rv.by_route(summary, key),
                   {key: f"revenue.col.{key}", "payments": "revenue.col.payments",
                    "completed": "revenue.col.completed", "refunded": "revenue.col.refunded",
                    "failed": "revenue.col.failed", "failure_rate": "revenue.col.failure_rate",
                    "refund_rate": "revenue.col.refund_rate", "net_rub": "revenue.col.net_rub"},
                   f"revenue_by_{key}.csv", f"rev_{key}")


# ----------------------------------------------------------------------------------------------- currencies
def show_currencies(period: rv.Period, grain: str) -> None:
    st.caption(ui.tr("revenue.currencies_help"))
    currencies = rv.by_currency(ui.query("revenue_payment_summary", **period.params()))
    for col in ("gross", "refunds", "net", "failed_amount", "previous_net"):
        currencies[col] = pd.to_numeric(currencies[col]).round(2)
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
        st.error(ui.tr("revenue.config_error", message=str(exc)))
        return
    movements = ui.query("revenue_subscription_movements", start=period.start, end=period.end)
    active = ui.query("revenue_subscriptions_active", start=period.start, end=period.end, grain=grain)
    subs = rv.subscription_summary(movements, prices)
    c1, c2, c3, c4, c5 = st.columns(5)
    metric(c1, "revenue.subs_mrr", rub(subs.mrr_end), ui.tr("revenue.subs_mrr_help", config=rv.CONFIG_FILE.name),
           subs.mrr_end, subs.mrr_start)
    metric(c2, "revenue.subs_paid_active", number(subs.paid_active_end), ui.tr("revenue.subs_paid_active_help"),
           subs.paid_active_end, subs.paid_active_start)
    metric(c3, "revenue.subs_new", number(subs.new_paid), ui.tr("revenue.subs_new_help"))
    metric(c4, "revenue.subs_ended", f"{number(subs.cancelled_paid)} / {number(subs.expired_paid)}",
           ui.tr("revenue.subs_ended_help"))
    metric(c5, "revenue.subs_churn", "—" if subs.churn_rate is None else f"{subs.churn_rate:.1f}%",
           ui.tr("revenue.subs_churn_help"))
    unpriced = rv.unpriced_tiers(movements["tier"] if not movements.empty else [], prices)
    if unpriced:
        st.warning(ui.tr("revenue.subs_unpriced", tiers=", ".join(markdown_text(t) for t in unpriced)))
    st.caption(ui.tr("revenue.subs_history_note"))
    if active.empty:
        st.info(ui.tr("revenue.no_data"))
    else:
        left, right = st.columns(2)
        with left:
            st.subheader(ui.tr("revenue.subs_active_chart"))
            chart(line_chart(active.assign(active=pd.to_numeric(active["active"])), "bucket", "active", "tier",
                             ui.tr("revenue.col.bucket"), ui.tr("revenue.col.active"), stacked_area=True))
        with right:
            st.subheader(ui.tr("revenue.subs_mrr_chart"))
            chart(line_chart(rv.mrr_timeline(active, prices), "bucket", "mrr", None, ui.tr("revenue.col.bucket"),
                             ui.tr("revenue.col.mrr")))
    st.subheader(ui.tr("revenue.subs_table"))
    show_table(rv.movements_table(movements, prices),
               {"tier": "revenue.col.tier", "price": "revenue.col.price",
                "active_at_start": "revenue.col.active_at_start", "new": "revenue.col.new",
                "cancelled": "revenue.col.cancelled", "expired": "revenue.col.expired",
                "active_at_end": "revenue.col.active_at_end", "mrr_end": "revenue.col.mrr_end"},
               "revenue_subscriptions.csv", "rev_subs")


# ---------------------------------------------------------------------------------------------------- coins
def show_coins(period: rv.Period, grain: str) -> None:
    flow = ui.query("revenue_coins_flow", start=period.start, end=period.end, grain=grain)
    liability = ui.query("revenue_coins_liability").iloc[0]
    coins = rv.coins_totals(flow)
    c1, c2, c3 = st.columns(3)
    metric(c1, "revenue.coins_purchased", number(coins["purchased"]), ui.tr("revenue.coins_purchased_help"))
    metric(c2, "revenue.coins_spent", number(coins["spent"]),
           ui.tr("revenue.coins_spent_help", returned=number(coins["returned"]), earned=number(coins["earned"])))
    metric(c3, "revenue.coins_balance", number(liability["balance"]),
           ui.tr("revenue.coins_balance_help", ledger=number(liability["ledger"]),
                 drift=number(liability["drift_users"])))
    per_coin = rv.rub_per_coin(liability)
    if per_coin is not None:
        c3.caption(ui.tr("revenue.coins_liability_rub", amount=rub(float(liability["balance"]) * per_coin),
                         price=f"{per_coin:.2f}"))
    by_bucket = rv.coins_by_bucket(flow)
    st.subheader(ui.tr("revenue.coins_chart"))
    if by_bucket.empty:
        st.info(ui.tr("revenue.no_data"))
    else:
        long = by_bucket.melt(id_vars="bucket", value_vars=["purchased", "spent"], var_name="kind", value_name="coins")
        long["kind"] = long["kind"].map({k: ui.tr(f"revenue.coins_kind.{k}") for k in rv.COIN_KINDS})
        chart(bar_chart(long, "bucket", "coins", "kind", [], ui.tr("revenue.col.bucket"), ui.tr("revenue.col.coins"),
                        barmode="group"))
    st.subheader(ui.tr("revenue.coins_by_entity"))
    show_table(rv.spend_by_entity(flow), {"entity": "revenue.col.entity", "spends": "revenue.col.spends",
                                          "coins_spent": "revenue.col.coins_spent",
                                          "coins_returned": "revenue.col.coins_returned",
                                          "net_spent": "revenue.col.net_spent"},
               "revenue_coins_by_entity.csv", "rev_coins")


# -------------------------------------------------------------------------------------------------- artists
def show_artists(period: rv.Period, grain: str) -> None:
    by_artist = ui.query("revenue_by_artist", start=period.start, end=period.end)
    artists = rv.artist_revenue(by_artist)
    c1, c2, c3 = st.columns(3)
    metric(c1, "revenue.arpu", "—" if artists.arpu is None else rub(artists.arpu), ui.tr("revenue.arpu_help"))
    metric(c2, "revenue.active_artists", number(artists.active_artists), ui.tr("revenue.arpu_help"))
    if artists.artists is not None:
        c2.caption(ui.tr("revenue.active_artists_caption", artists=number(artists.artists)))
    metric(c3, "revenue.artist_revenue", rub(artists.revenue), ui.tr("revenue.artist_revenue_help"))
    columns = {"name": "revenue.col.name", "artist_id": "revenue.col.artist_id",
               "donations": "revenue.col.donations", "donations_net": "revenue.col.donations_net",
               "platform_net": "revenue.col.platform_net"}
    left, right = st.columns(2)
    with left:
        st.subheader(ui.tr("revenue.top_donations"))
        show_table(rv.top_artists(by_artist, "donations_net"), columns, "revenue_top_artists_donations.csv",
                   "rev_top_donations")
    with right:
        st.subheader(ui.tr("revenue.top_platform"), help=ui.tr("revenue.top_platform_help"))
        show_table(rv.top_artists(by_artist, "platform_net"), columns, "revenue_top_artists_platform.csv",
                   "rev_top_platform")
    if by_artist.empty:
        st.info(ui.tr("revenue.no_artists"))


SHOW_VIEW: dict[str, Callable[[rv.Period, str], None]] = {
    "headline": show_headline, "streams": show_streams, "methods": show_methods, "currencies": show_currencies,
    "subscriptions": show_subscriptions, "coins": show_coins, "artists": show_artists,
}


# ------------------------------------------------------------------------------------------------ controls
ui.require_page("revenue")
st.title(ui.tr("revenue.title"))
ui.data_as_of()

data_range = ui.query("revenue_data_range").iloc[0]
last_day = None if pd.isna(data_range["last_day"]) else pd.Timestamp(data_range["last_day"]).date()
anchor_default = anchor_day(moscow_today(), last_day)

c_preset, c_dates, c_grain = st.columns([2, 2, 3])
preset_labels = {p: ui.tr(f"revenue.preset.{p}") for p in rv.PRESETS}
preset = ui.kept(c_preset.selectbox, ui.tr("revenue.preset"), rv.PRESETS, key="rev_preset", url="period",
                 initial=rv.DEFAULT_PRESET, format_func=preset_labels.__getitem__)
if preset == "custom":
    picked = c_dates.date_input(ui.tr("revenue.custom_range"),
                                value=(anchor_default - dt.timedelta(days=29), anchor_default), key="rev_custom")
    span = date_range(picked)
    if span is None or not isinstance(picked, tuple | list) or len(picked) != 2:  # cleared, or half picked
        st.info(ui.tr("revenue.pick_range"))
        st.stop()
    period = period_for("custom", anchor_default, span)
else:
    anchor = c_dates.date_input(ui.tr("revenue.period_end"), value=anchor_default, key="rev_end",
                                help=ui.tr("revenue.period_end_help", last=last_day or "—"))
    period = period_for(preset, anchor)
grain_labels = {g: ui.tr(f"revenue.grain.{g}") for g in rv.GRAINS}
grain = c_grain.radio(ui.tr("revenue.grain"), rv.GRAINS, index=rv.GRAINS.index(rv.default_grain(period)),
                      format_func=grain_labels.__getitem__, horizontal=True, key="rev_grain")
st.caption(ui.tr("revenue.period_caption", start=period.start, end=period.end, days=period.days,
                 prev_start=period.prev_start, prev_end=period.prev_end))

view_labels = {v: ui.tr(f"revenue.tab.{v}") for v in rv.VIEWS}
view = ui.kept(st.segmented_control, ui.tr("revenue.view"), rv.VIEWS, key="rev_view", url="view", required=True,
               format_func=view_labels.__getitem__, label_visibility="collapsed")
SHOW_VIEW[view or rv.VIEWS[0]](period, grain)
