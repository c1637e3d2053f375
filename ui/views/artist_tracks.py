"""Tracks (artist): period totals with deltas, a timeline per metric, top tracks, one track's drill-down, statuses.

When the platform keeps only running totals (no daily rows), the tracks' all-time counters lead, and the period
view comes from the derived series once there is one (ui/artist_stats.py), compared only where it has data.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import dates_text, number, times_text
from dashboard.i18n.translations import translated
from dashboard.metrics import artist as am
from dashboard.metrics.measures import numeric, plain
from dashboard.metrics.periods import Period
from ui import artist_stats, charts, tables
from ui.artist_pages import artist_page, artist_period, artist_today
from ui.by_content import made_once
from ui.data_access import query
from ui.kpi import kpi
from ui.language import current_lang, tr, tr_value


def timeline(frame: pd.DataFrame, period: Period, metric: str, key: str) -> None:
    lang = current_lang()
    labels = (tr("artist.current_period"), tr("artist.previous_period"))
    y_title = tr(f"artist.col.{metric}")

    def figure() -> object:
        current = am.daily(frame, period.start, period.end, [metric])
        previous = am.daily(frame, period.prev_start, period.prev_end, [metric])
        return charts.comparison_figure(current, previous, metric, period, labels, y_title, lang)

    st.plotly_chart(made_once(frame, ("tracks_timeline", period, metric, lang, labels, y_title), figure),
                    width="stretch", key=key)


def totals_row(cur: dict[str, float], prev: dict[str, float]) -> None:
    """One card per track metric: the period's total, its change, and the previous period's total."""
    for col, metric in zip(st.columns(len(am.TRACK_METRICS)), am.TRACK_METRICS, strict=True):
        kpi(col, tr(f"artist.kpi.{metric}"), number(cur.get(metric, 0), current_lang()), tr(f"artist.help.{metric}"),
            cur.get(metric, 0), prev.get(metric, 0))
        col.caption(tr("artist.previous", value=number(prev.get(metric, 0), current_lang())))


artist_id = artist_page("artist_tracks", "artist.tracks.title")

today = artist_today(artist_id)
period = artist_period(today)

tracks = query("artist_tracks_in_period", artist_id=artist_id, start=period.start, end=period.end)
if tracks.empty:
    st.info(tr("artist.tracks.empty"))
    st.stop()

cur, prev = am.two_periods(query("artist_period_totals", artist_id=artist_id, **period.params()))
data = artist_stats.plays_data(artist_id)
if data.kind != am.DAILY:  # the platform's running totals, per track
    st.subheader(tr("artist.tracks.lifetime"))
    st.caption(tr("artist.tracks.lifetime_help"))
    lifetime = tracks.sort_values("lifetime_plays", ascending=False, key=lambda c: c.map(plain))
    lifetime = lifetime.assign(status=lifetime["status"].map(lambda v: tr_value("artist.status", v)))
    tables.table(numeric(lifetime[["title", "status", "lifetime_plays", "lifetime_likes", "lifetime_downloads"]],
                         ["lifetime_plays", "lifetime_likes", "lifetime_downloads"]), "tracks_all_time",
                 labels={"title": "artist.col.title", "status": "artist.col.status",
                         "lifetime_plays": "artist.col.plays", "lifetime_likes": "artist.col.likes",
                         "lifetime_downloads": "artist.col.downloads"},
                 wide=["title"])  # the heading says "all time"
if data.kind == am.SERIES:
    st.subheader(tr("artist.plays.in_period"))
if data.kind == am.DAILY:
    totals_row(cur, prev)
elif data.kind == am.SERIES:
    artist_stats.series_cards(data, period, cur, prev)

st.subheader(tr("artist.tracks.timeline"))
shown_metrics = am.TRACK_METRICS if data.kind == am.DAILY else artist_stats.SERIES_METRICS
metric_labels = {m: tr(f"artist.col.{m}") for m in shown_metrics}
chosen_metric = "plays"
if data.kind == am.TOTALS:
    artist_stats.no_daily_note()
else:
    chosen_metric = st.radio(tr("artist.tracks.metric"), list(metric_labels),
                             format_func=metric_labels.__getitem__, horizontal=True,
                             key="artist_tracks_metric") or "plays"
    by_day = query("artist_plays_by_day", artist_id=artist_id, start=period.prev_start, end=period.end)
    if by_day.empty:
        st.info(tr("artist.tracks.no_plays"))
    elif data.kind == am.SERIES:
        artist_stats.series_chart(by_day, data, period, chosen_metric, "chart_artist_plays")
    else:
        timeline(by_day, period, chosen_metric, "chart_artist_plays")

if data.kind != am.TOTALS:
    st.subheader(tr("artist.tracks.top"))
    st.caption(tr("artist.tracks.top_help"))
    top = tracks[tracks["plays"].map(plain) > 0]
    if top.empty:
        st.info(tr("artist.tracks.no_plays"))
    else:
        columns = ["title", *shown_metrics, "lifetime_plays"]
        tables.table(numeric(top[columns], [*shown_metrics, "lifetime_plays"]), "top_tracks", wide=["title"])

st.subheader(tr("artist.tracks.drilldown"))
titles = {tid: f"{title} · {translated('artist.status', status, current_lang())}"
          for tid, title, status in zip(tracks["track_id"], tracks["title"].fillna("—"), tracks["status"], strict=True)}
track_id = st.selectbox(tr("artist.tracks.pick_track"), list(titles), format_func=titles.__getitem__,
                        key="artist_track")
if track_id and data.kind == am.TOTALS:  # its running totals: the only figures the platform keeps
    one_track = tracks[tracks["track_id"] == track_id].iloc[0]
    for col, metric in zip(st.columns(3), ("plays", "likes", "downloads"), strict=True):
        col.metric(tr(f"artist.col.lifetime_{metric}"), number(one_track[f"lifetime_{metric}"], current_lang()),
                   help=tr(f"artist.help.lifetime_{metric}"))
elif track_id:
    one = query("artist_track_by_day", artist_id=artist_id, track_id=track_id, start=period.prev_start,
                   end=period.end)
    if one.empty:
        st.info(tr("artist.tracks.no_track_plays"))
    elif data.kind == am.SERIES:
        in_period = am.daily(one, period.start, period.end, list(shown_metrics))
        artist_stats.series_chart(one, data, period, chosen_metric, "chart_one_track")
        tables.table(dates_text(in_period, ["day"], current_lang()), "track_by_day")
    else:
        in_period = am.daily(one, period.start, period.end, list(am.TRACK_METRICS))
        before = am.daily(one, period.prev_start, period.prev_end, list(am.TRACK_METRICS))
        st.caption(tr("artist.tracks.track_totals"))
        totals_row({m: float(in_period[m].sum()) for m in am.TRACK_METRICS},
                   {m: float(before[m].sum()) for m in am.TRACK_METRICS})
        timeline(one, period, chosen_metric, "chart_one_track")
        tables.table(dates_text(in_period, ["day"], current_lang()), "track_by_day")

st.subheader(tr("artist.tracks.statuses"))
st.caption(tr("artist.tracks.statuses_help"))
counts = tracks["status"].fillna("unknown").value_counts().rename_axis("status").reset_index(name="tracks")
counts["status"] = counts["status"].map(lambda s: translated("artist.status", s, current_lang()))
tables.table(counts, "tracks_by_status")
statuses = tracks[["title", "status", "release_date", "created_at", "moderated_at", "reason"]].copy()
statuses["status"] = statuses["status"].map(lambda s: translated("artist.status", s, current_lang()))
statuses = times_text(dates_text(statuses, ["release_date"], current_lang()), ["created_at", "moderated_at"],
                         current_lang())
tables.table(statuses, "track_statuses", wide=["title", "reason"])
