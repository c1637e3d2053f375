"""Concerts (artist): upcoming and past concerts with their promoted status, views, clicks and CTR over time,
ticket sales (ui/ticket_sales.py), and the referral sources of the concert pages."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import dates_text, day_text, number, share_percent
from dashboard.i18n.translations import translated
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric, plain, ratio
from ui import charts, tables
from ui.artist_pages import artist_page, artist_period, artist_today
from ui.data_access import query
from ui.kpi import direction, kpi
from ui.language import current_lang, tr
from ui.ticket_sales import ticket_sales_section


def concert_table(frame: pd.DataFrame, name: str) -> None:
    shown = numeric(frame, ["views", "clicks", "ticket_views", "ticket_price_from", "ticket_price_to"])
    shown["ctr_pct"] = [None if r is None else round(r * 100, 1)
                        for r in map(ratio, shown["clicks"], shown["views"])]
    shown["status"] = shown["status"].map(lambda s: translated("artist.status", s, current_lang()))
    for flag in ("is_promoted", "in_promoted_list"):
        shown[flag] = shown[flag].map(lambda v: tr("artist.yes") if bool(plain(v)) else tr("artist.no"))
    times = shown["time"].map(lambda v: "" if v is None or pd.isna(v) else " " + str(v)[:5])
    shown["date"] = [("—" if am.as_date(d) is None else day_text(d, current_lang())) + t
                     for d, t in zip(shown["date"], times, strict=True)]
    shown["place"] = [", ".join(str(x) for x in (c, v) if isinstance(x, str) and x.strip())
                      for c, v in zip(shown["city"], shown["venue"], strict=True)]
    # the columns that matter first, few enough to fit without scrolling sideways; the CSV has the same
    columns = ["title", "date", "place", "status", "is_promoted", "views", "clicks", "ctr_pct", "ticket_views"]
    if shown["reason"].map(lambda r: isinstance(r, str) and r.strip() != "").any():
        columns.append("reason")
    tables.table(shown[columns], name, wide=["title", "place"])


artist_id = artist_page("artist_concerts", "artist.concerts.title")

today = artist_today(artist_id)
concerts = query("artist_concerts", artist_id=artist_id)
if concerts.empty:
    st.info(tr("artist.concerts.empty"))
    if not query("artist_ticket_sales_by_concert", artist_id=artist_id).empty:  # sales may name no concert
        ticket_sales_section(artist_id, artist_period(today))
    st.stop()

upcoming, past = am.split_concerts(concerts, today)
st.subheader(tr("artist.concerts.upcoming", today=day_text(today, current_lang())))
if upcoming.empty:
    st.info(tr("artist.concerts.no_upcoming"))
else:
    concert_table(upcoming, "concerts_upcoming")
st.caption(tr("artist.concerts.promoted_help"))

st.subheader(tr("artist.concerts.analytics"))
period = artist_period(today)
dates = query("artist_data_dates", artist_id=artist_id).iloc[0]
recorded = bool(plain(dates["artist_has_concert_daily"])) or bool(plain(dates["store_has_concert_daily"]))
if not recorded:  # the deployed platform records no concert page views: said so, never a period of zeros
    st.info(tr("artist.concerts.not_recorded"))

if recorded:  # views, clicks and referrals per day
    by_day = query("artist_concert_by_day", artist_id=artist_id, start=period.prev_start, end=period.end)
    current = am.daily(by_day, period.start, period.end, list(am.CONCERT_METRICS))
    previous = am.daily(by_day, period.prev_start, period.prev_end, list(am.CONCERT_METRICS))
    cur = {m: current[m].sum() for m in am.CONCERT_METRICS}
    prev = {m: previous[m].sum() for m in am.CONCERT_METRICS}
    cur_ctr, prev_ctr = ratio(cur["clicks"], cur["views"]), ratio(prev["clicks"], prev["views"])
    lang = current_lang()
    if not any(cur[m] for m in am.CONCERT_METRICS):  # nothing in this period: one sentence, no zeros to read
        st.info(tr("artist.concerts.no_views_before", views=number(prev["views"], lang)) if prev["views"]
                else tr("artist.concerts.no_views"))
    else:
        c1, c2, c3, c4 = st.columns(4)
        kpi(c1, tr("artist.kpi.concert_views"), number(cur["views"], lang), tr("artist.help.concert_views"),
            cur["views"], prev["views"])
        kpi(c2, tr("artist.kpi.concert_clicks"), number(cur["clicks"], lang),
            tr("artist.help.concert_clicks"), cur["clicks"], prev["clicks"])
        moved = None if cur_ctr is None or prev_ctr is None else round((cur_ctr - prev_ctr) * 100, 1)
        c3.metric(tr("artist.kpi.ctr"), share_percent(cur_ctr, lang), help=tr("artist.help.ctr"),
                  **({} if moved is None else {
                      "delta": tr("artist.pp", value=("+" if moved > 0 else "") + number(moved, lang, 1)),
                      **(direction(moved > 0) if moved else {"delta_arrow": "off", "delta_color": "off"})}))
        kpi(c4, tr("artist.kpi.ticket_views"), number(cur["ticket_views"], lang),
            tr("artist.help.ticket_views"), cur["ticket_views"], prev["ticket_views"])
        days = list(current["day"])
        fig = go.Figure([go.Scatter(x=days, y=list(current[m]), name=tr(f"artist.col.{m}"), mode="lines",
                                    customdata=[day_text(d, lang) for d in days],
                                    hovertemplate="%{customdata}: %{y:,}<extra></extra>") for m in ("views", "clicks")])
        charts.compact(fig, 300, lang=lang)
        charts.day_ticks(fig, days, lang)
        charts.count_axis(fig, [*current["views"], *current["clicks"]])
        st.plotly_chart(fig, width="stretch", key="chart_concert_days")
        table = current.copy()
        table["ctr_pct"] = [None if r is None else round(r * 100, 1) for r in map(ratio, table["clicks"],
                                                                                   table["views"])]
        tables.table(dates_text(table, ["day"], lang), "concert_by_day")

    st.subheader(tr("artist.concerts.referrals"))
    st.caption(tr("artist.concerts.referrals_help"))
    referrals = numeric(query("artist_concert_referrals", artist_id=artist_id, start=period.start,
                                    end=period.end), ["views"])
    if referrals.empty or not referrals["views"].sum():
        st.info(tr("artist.concerts.no_referrals"))
    else:
        referrals, fig = charts.share_bars(referrals, "source", "views", "artist.source", current_lang(), 260,
                                       tr("artist.col.views"))
        st.plotly_chart(fig, width="stretch", key="chart_referrals")
        tables.table(referrals, "concert_referrals")

ticket_sales_section(artist_id, period)

st.subheader(tr("artist.concerts.past"))
if past.empty:
    st.info(tr("artist.concerts.no_past"))
else:
    concert_table(past, "concerts_past")
