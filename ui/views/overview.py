"""Platform overview (staff): artists, tracks by status, donations 30 days vs the 30 before, coins in circulation."""

from __future__ import annotations

import datetime as dt

import plotly.express as px
import streamlit as st

from dashboard.i18n.formatting import moscow_today, number, rub
from dashboard.metrics.measures import delta_pct
from dashboard.metrics.periods import anchor_day, period_for
from ui import shell as ui

ui.require_page("overview")
st.title(ui.tr("overview.title"))
ui.data_as_of()

# the last day with payments or donations, at most Moscow today: an older snapshot still shows its last 30 days
today = anchor_day(moscow_today(), ui.query("revenue_data_range")["last_day"].iloc[0])
kpis = ui.query("platform_kpis").iloc[0]
periods = ui.query("donations_two_periods", **period_for(30, today).params()).set_index("period")
current, previous = periods.loc["current", "amount_rub"], periods.loc["previous", "amount_rub"]
change = delta_pct(current, previous)

c1, c2, c3, c4 = st.columns(4)
c1.metric(ui.tr("overview.artists"), number(kpis["artists"]), help=ui.tr("overview.artists_help"))
c2.metric(ui.tr("overview.tracks"), number(kpis["tracks"]), help=ui.tr("overview.tracks_help"))
c3.metric(ui.tr("overview.donations_30d"), rub(current), delta=None if change is None else f"{change:+.1f}%",
          help=ui.tr("overview.donations_help"))
c3.caption(ui.tr("overview.previous", amount=rub(previous)) + " · " + ui.tr("overview.until", day=today))
c4.metric(ui.tr("overview.coins"), number(kpis["coins_in_circulation"]), help=ui.tr("overview.coins_help"))

left, right = st.columns([1, 2])
with left:
    st.subheader(ui.tr("overview.tracks_by_status"))
    by_status = ui.query("tracks_by_status")
    shown = by_status.assign(status=by_status["status"].map(lambda s: ui.tr_value("status", s)))
    st.dataframe(shown.rename(columns={"status": ui.tr("column.status"), "tracks": ui.tr("column.tracks")}),
                 hide_index=True, width="stretch")
    ui.csv_download(by_status, "tracks_by_status.csv", key="dl_tracks_by_status")
with right:
    st.subheader(ui.tr("overview.donations_chart"))
    daily = ui.query("donations_by_day", start=today - dt.timedelta(days=89), end=today)
    if daily.empty:
        st.info(ui.tr("overview.no_donations"))
    else:
        daily["amount_rub"] = daily["amount_rub"].astype(float)
        fig = px.bar(daily, x="day", y="amount_rub",
                     labels={"day": ui.tr("column.day"), "amount_rub": ui.tr("column.amount_rub")})
        fig.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=320)
        st.plotly_chart(fig, width="stretch")
