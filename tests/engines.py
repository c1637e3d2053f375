"""One way to compare a query's result from DuckDB with PostgreSQL's: the engines return the same values as
different Python types (int / Decimal / float, date / Timestamp, naive / aware times), so both sides are brought
to one comparable form first. Used by every engine-comparison test."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pandas as pd


def comparable(value: Any) -> Any:
    """NULL/NaN/NaT -> None; numbers -> float rounded to 6 places; times -> UTC ISO text (zone-less is UTC);
    dates -> ISO text; JSON objects/arrays -> their repr; anything else as it is."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, pd.Timestamp):  # numpy scalars
        return comparable(value.item())
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return repr(value)
    return value


def comparable_rows(frame: pd.DataFrame, ordered: bool = True) -> list[tuple[Any, ...]]:
    """The frame's rows in comparable form; sorted when the query fixes no order."""
    out = [tuple(comparable(v) for v in row) for row in frame.itertuples(index=False, name=None)]
    return out if ordered else sorted(out, key=repr)


def assert_same_result(duck: pd.DataFrame, pg: pd.DataFrame, ordered: bool = True, label: object = "") -> None:
    """The same columns, in the same order, and the same rows on both engines."""
    assert list(duck.columns) == list(pg.columns), label
    assert comparable_rows(duck, ordered) == comparable_rows(pg, ordered), label
