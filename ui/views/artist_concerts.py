"""Concerts (artist): upcoming and past concerts with their promoted status, views, clicks and CTR over time,
and the referral sources of the concert pages."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import number
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric, plain, ratio
from ui import charts
from ui import shell as ui


def concert_table(frame: pd.DataFrame, name: str) -> None:
    shown = numeric(frame, ["views", "clicks", "ticket_views", "ticket_price_from", "ticket_price_to"])
    shown["ctr_pct"] = [None if r is None else round(r * 100, 1)
                        for r in map(ratio, shown["clicks"], shown["views"])]
    shown["status"] = shown["status"].map(lambda s: am.translated("artist.status", s, ui.lang()))
    for flag in ("is_promoted", "in_promoted_list"):
        shown[flag] = shown[flag].map(lambda v: ui.tr("artist.yes") if bool(plain(v)) else ui.tr("artist.no"))
    shown = am.dates_text(shown, ["date"])
    shown["time"] = shown["time"].map(lambda v: "" if v is None or pd.isna(v) else str(v)[:5])
    columns = ["title", "date", "time", "city", "venue", "status", "is_promoted", "in_promoted_list", "views",
               "clicks", "ctr_pct", "ticket_views", "capacity", "ticket_price_from", "ticket_price_to", "reason"]
    ui.artist_table(shown[columns], name)


artist_id = ui.artist_page("artist_concerts", "artist.concerts.title")

today = ui.artist_today(artist_id)
concerts = ui.query("artist_concerts", artist_id=artist_id)
if concerts.empty:
    st.info(ui.tr("artist.concerts.empty"))
    st.stop()

upcoming, past = am.split_concerts(concerts, today)
st.subheader(ui.tr("artist.concerts.upcoming", today=today))
if upcoming.empty:
    st.info(ui.tr("artist.concerts.no_upcoming"))
else:
    concert_table(upcoming, "concerts_upcoming")
st.caption(ui.tr("artist.concerts.promoted_help"))

st.subheader(ui.tr("artist.concerts.analytics"))
period = ui.artist_period(today)
by_day = ui.query("artist_concert_by_day", artist_id=artist_id, start=period.prev_start, end=period.end)
current = am.daily(by_day, period.start, period.end, list(am.CONCERT_METRICS))
previous = am.daily(by_day, period.prev_start, period.prev_end, list(am.CONCERT_METRICS))
cur = {m: current[m].sum() for m in am.CONCERT_METRICS}
prev = {m: previous[m].sum() for m in am.CONCERT_METRICS}
cur_ctr, prev_ctr = ratio(cur["clicks"], cur["views"]), ratio(prev["clicks"], prev["views"])
c1, c2, c3, c4 = st.columns(4)
c1.metric(ui.tr("artist.kpi.concert_views"), number(cur["views"]), delta=am.delta_text(cur["views"], prev["views"]),
          help=ui.tr("artist.help.concert_views"))
c2.metric(ui.tr("artist.kpi.concert_clicks"), number(cur["clicks"]),
          delta=am.delta_text(cur["clicks"], prev["clicks"]), help=ui.tr("artist.help.concert_clicks"))
c3.metric(ui.tr("artist.kpi.ctr"), am.percent(cur_ctr), help=ui.tr("artist.help.ctr"),
          delta=None if cur_ctr is None or prev_ctr is None else f"{(cur_ctr - prev_ctr) * 100:+.1f} pp")
c4.metric(ui.tr("artist.kpi.ticket_views"), number(cur["ticket_views"]),
          delta=am.delta_text(cur["ticket_views"], prev["ticket_views"]), help=ui.tr("artist.help.ticket_views"))
if by_day.empty:
    st.info(ui.tr("artist.concerts.no_analytics"))
else:
    fig = go.Figure([go.Scatter(x=list(current["day"]), y=list(current[m]), name=ui.tr(f"artist.col.{m}"),
                                mode="lines") for m in ("views", "clicks")])
    charts.compact(fig, 300)
    st.plotly_chart(fig, width="stretch", key="chart_concert_days")
    table = current.copy()
    table["ctr_pct"] = [None if r is None else round(r * 100, 1) for r in map(ratio, table["clicks"],
                                                                               table["views"])]
    ui.artist_table(am.dates_text(table, ["day"]), "concert_by_day")

st.subheader(ui.tr("artist.concerts.referrals"))
st.caption(ui.tr("artist.concerts.referrals_help"))
referrals = numeric(ui.query("artist_concert_referrals", artist_id=artist_id, start=period.start,
                                end=period.end), ["views"])
if referrals.empty or not referrals["views"].sum():
    st.info(ui.tr("artist.concerts.no_referrals"))
else:
    referrals, fig = charts.share_bars(referrals, "source", "views", "artist.source", ui.lang(), 260,
                                   ui.tr("artist.col.views"))
    st.plotly_chart(fig, width="stretch", key="chart_referrals")
    ui.artist_table(referrals, "concert_referrals")

st.subheader(ui.tr("artist.concerts.past"))
if past.empty:
    st.info(ui.tr("artist.concerts.no_past"))
else:
    concert_table(past, "concerts_past")
