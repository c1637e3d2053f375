"""My overview (artist): KPI cards for the chosen period against the period before, plays per day, pending items.

The artist is the identity's own (staff pick one in the sidebar); every query binds ``:artist_id``. When the platform
keeps only running totals (the deployed layout: no daily rows), the page leads with the totals ("All time") and
shows plays per day from the derived series once there is one, compared only with a period the series covers
(ui/artist_stats.py); it never shows a period of zeros it cannot know.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import day_text, moscow_today, number, rub, times_text
from dashboard.i18n.translations import translated
from dashboard.metrics import artist as am
from dashboard.metrics.measures import plain
from dashboard.metrics.periods import anchor_day
from ui import artist_stats, charts, tables
from ui.artist_pages import artist_page, artist_period
from ui.data_access import pending_params, query
from ui.kpi import count, kpi, signed_delta
from ui.language import current_lang, tr
from ui.sections import section

artist_id = artist_page("artist_overview", "artist.overview.title")

dates = query("artist_data_dates", artist_id=artist_id).iloc[0]
today = anchor_day(moscow_today(), dates["store_last_day"])
period = artist_period(today)

cur, prev = am.two_periods(query("artist_period_totals", artist_id=artist_id, **period.params()))
state = query("artist_current_state", artist_id=artist_id, today=today, **pending_params()).iloc[0]
pending = query("artist_pending_items", artist_id=artist_id, **pending_params())
balance = None if pd.isna(state["coin_balance"]) else state["coin_balance"]
data = am.plays_data(dates.to_dict())
lang = current_lang()

if data.kind == am.DAILY:
    has_data = True
else:  # the platform's running totals lead; an artist with nothing at all gets the friendly note instead
    life = query("artist_lifetime_totals", artist_id=artist_id).iloc[0]
    has_data = bool(plain(life["tracks"]) or plain(life["donations"]) or balance is not None or not pending.empty
                    or plain(state["upcoming_concerts"]) or cur["donations"] or prev["donations"])
    if has_data:
        artist_stats.lifetime_block(artist_id)
if data.kind == am.DAILY and not (am.as_date(dates["artist_last_day"]) is not None or balance is not None
                                  or not pending.empty or cur["donations"] or prev["donations"]
                                  or state["upcoming_concerts"]):
    has_data = False
if not has_data:
    st.info(tr("artist.overview.empty"))

if data.kind == am.DAILY:
    row1 = st.columns(4)
    for col, metric in zip(row1[:3], ("plays", "unique_listeners", "likes"), strict=True):
        kpi(col, tr(f"artist.kpi.{metric}"), number(cur[metric], lang), tr(f"artist.help.{metric}"),
            cur[metric], prev[metric])
        col.caption(tr("artist.previous", value=number(prev[metric], lang)))
    donations_col = row1[3]
else:
    st.subheader(tr("artist.plays.in_period"))
    if data.kind == am.SERIES:
        artist_stats.series_cards(data, period, cur, prev)
    donations_col = st.columns(4)[0]
kpi(donations_col, tr("artist.kpi.donations_rub"), rub(cur["donations_rub"], lang),
    tr("artist.help.donations_rub"), cur["donations_rub"], prev["donations_rub"])
donations_col.caption(count("word.donations", cur["donations"]) + "; "  # each count beside its own period
                      + tr("artist.previous", value=rub(prev["donations_rub"], lang) + " · "
                           + count("word.donations", prev["donations"])))

row2 = st.columns(4)
if data.kind == am.DAILY:  # otherwise the balance is in the "All time" block
    row2[0].metric(tr("artist.kpi.coin_balance"), number(balance, lang),
                   **(signed_delta(cur["coins_net"]) if balance is not None else {}),
                   help=tr("artist.help.coin_balance"))
    row2 = row2[1:]
row2[0].metric(tr("artist.kpi.upcoming_concerts"), number(state["upcoming_concerts"], lang),
               help=tr("artist.help.upcoming_concerts", today=day_text(today, lang)))
row2[1].metric(tr("artist.kpi.pending_items"), number(state["pending_items"], lang),
               help=tr("artist.help.pending_items"))
if data.kind == am.DAILY:
    kpi(row2[2], tr("artist.kpi.playlist_adds"), number(cur["playlist_adds"], lang),
        tr("artist.help.playlist_adds"), cur["playlist_adds"], prev["playlist_adds"])

st.subheader(tr("artist.overview.plays_chart"))
if data.kind == am.TOTALS:
    artist_stats.no_daily_note()
else:
    by_day = query("artist_plays_by_day", artist_id=artist_id, start=period.prev_start, end=period.end)
    if by_day.empty:
        st.info(tr("artist.tracks.no_plays"))
        if data.kind == am.SERIES:
            artist_stats.series_caption(data)
    elif data.kind == am.SERIES:
        artist_stats.series_chart(by_day, data, period, "plays", "chart_plays")
    else:
        current = am.daily(by_day, period.start, period.end, ["plays"])
        previous = am.daily(by_day, period.prev_start, period.prev_end, ["plays"])
        fig = charts.comparison_figure(current, previous, "plays", period,
                                       (tr("artist.current_period"), tr("artist.previous_period")),
                                       tr("artist.col.plays"), lang, height=300)
        st.plotly_chart(fig, width="stretch", key="chart_plays")

if section("artist.overview.pending", "artist.help.pending_items", pending, "artist.overview.no_pending"):
    shown = pending.assign(kind=pending["kind"].map(lambda k: translated("artist.kind", k, lang)))
    tables.table(times_text(shown, ["created_at"], lang), "pending_items", wide=["title"])
