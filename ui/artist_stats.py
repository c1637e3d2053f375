"""The artist pages' statistics when the platform keeps only running totals (issue 18): the "All time" block, the
plays of a period from the derived series with an honest comparison, and the words that say what is not recorded.

Which case applies is ``dashboard.metrics.artist.plays_data`` (daily analytics rows, the derived series, or totals
only); with daily analytics rows the pages keep their period view as it was.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard.i18n.formatting import day_text, number, rub
from dashboard.metrics import artist as am
from dashboard.metrics.measures import plain
from dashboard.metrics.periods import Period
from ui import charts
from ui.by_content import made_once
from ui.data_access import query
from ui.kpi import count, kpi
from ui.language import current_lang, tr

SERIES_METRICS: tuple[str, ...] = ("plays", "likes", "downloads")  # what the platform's totals hold


def plays_data(artist_id: str) -> am.PlaysData:
    return am.plays_data(query("artist_data_dates", artist_id=artist_id).iloc[0].to_dict())


def lifetime_block(artist_id: str) -> pd.Series:
    """'All time': plays, tracks, likes, downloads; donations, coin balance, profile subscribers. Returns the row of
    queries/artist/artist_lifetime_totals.sql."""
    life = query("artist_lifetime_totals", artist_id=artist_id).iloc[0]
    lang = current_lang()
    st.subheader(tr("artist.totals.title"))
    st.caption(tr("artist.totals.caption"))
    row1 = st.columns(4)
    row1[0].metric(tr("artist.kpi.plays"), number(life["plays"], lang), help=tr("artist.help.lifetime_plays"))
    row1[1].metric(tr("artist.kpi.tracks"), number(life["tracks"], lang), help=tr("artist.help.tracks"))
    row1[2].metric(tr("artist.kpi.likes"), number(life["likes"], lang), help=tr("artist.help.lifetime_likes"))
    row1[3].metric(tr("artist.kpi.downloads"), number(life["downloads"], lang),
                   help=tr("artist.help.lifetime_downloads"))
    row2 = st.columns(4)
    row2[0].metric(tr("artist.kpi.donations_total"), rub(plain(life["donations_rub"]), lang),
                   help=tr("artist.help.donations_total"))
    if plain(life["donations"]):
        row2[0].caption(tr("artist.totals.donations_count", count=count("word.donations", life["donations"]),
                              when=day_text(am.moscow_day(life["last_donation_at"]), lang)))
    balance = None if pd.isna(life["coin_balance"]) else life["coin_balance"]
    row2[1].metric(tr("artist.kpi.coin_balance"), number(balance, lang), help=tr("artist.help.coin_balance"))
    subscribers = None if pd.isna(life["subscribers"]) else life["subscribers"]
    row2[2].metric(tr("artist.kpi.subscribers"), number(subscribers, lang), help=tr("artist.help.subscribers"))
    return life


def comparable(data: am.PlaysData, period: Period) -> bool:
    """Whether plays of the previous period can be compared; when not (the series starts later), says why."""
    if data.comparable(period.prev_start):
        return True
    if data.kind == am.SERIES and data.since is not None:
        st.caption(tr("artist.plays.no_previous", since=day_text(data.since, current_lang())))
    return False


def series_cards(data: am.PlaysData, period: Period, cur: dict[str, float], prev: dict[str, float]) -> None:
    """The period's plays, likes and downloads from the derived series, compared only when the series covers the
    previous period too."""
    lang = current_lang()
    compare = comparable(data, period)
    for col, metric in zip(st.columns(len(SERIES_METRICS)), SERIES_METRICS, strict=True):
        value = round(cur.get(metric, 0.0))
        kpi(col, tr(f"artist.kpi.{metric}"), number(value, lang), tr(f"artist.help.{metric}"),
            cur.get(metric, 0.0) if compare else None, prev.get(metric, 0.0) if compare else None)
        if compare:
            col.caption(tr("artist.previous", value=number(round(prev.get(metric, 0.0)), lang)))


def no_daily_note() -> None:
    st.info(tr("artist.plays.no_daily"))


def series_caption(data: am.PlaysData) -> None:
    if data.since is not None:
        st.caption(tr("artist.plays.series_since", since=day_text(data.since, current_lang())))


def series_chart(frame: pd.DataFrame, data: am.PlaysData, period: Period, metric: str, key: str) -> None:
    """Plays (or another series metric) per day of the period from the derived series; the previous period dotted
    beside it only when the series covers it. The figure is made once per rows and choices (``ui.by_content``)."""
    lang = current_lang()
    labels = (tr("artist.current_period"), tr("artist.previous_period"), tr(f"artist.col.{metric}"))
    fig = made_once(frame, ("series_chart", data, period, metric, lang, labels),
                    lambda: series_figure(frame, data, period, metric, lang, labels))
    st.plotly_chart(fig, width="stretch", key=key)
    series_caption(data)


def series_figure(frame: pd.DataFrame, data: am.PlaysData, period: Period, metric: str, lang: str,
                  labels: tuple[str, str, str]) -> go.Figure:
    current = am.daily(frame, period.start, period.end, [metric])
    if data.comparable(period.prev_start):
        previous = am.daily(frame, period.prev_start, period.prev_end, [metric])
        return charts.comparison_figure(current, previous, metric, period, labels[:2], labels[2], lang, height=300)
    shown = current[current["day"] >= data.since] if data.since is not None else current
    return charts.day_bars(list(shown["day"]), list(shown[metric]), lang, 300, labels[2], whole=False)
