"""Numbers from either engine, and the one rule for a rate: the definitions every page and metric shares.

DuckDB and PostgreSQL return the same sums as int, float, Decimal or NULL; ``plain`` and ``numeric`` turn them into
plain numbers (NULL counts as 0). ``ratio`` is the one division with a missing or zero whole (None, shown as "—"),
and ``change`` the one change rule against the previous period, for every page, table and CSV: no percentage
against a missing or tiny previous value (``MIN_PREVIOUS``, ``MIN_PREVIOUS_SHARE``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd


def plain(value: object) -> object:
    """A scalar as plain Python numbers: Decimal -> float, NULL/NaN -> 0."""
    if value is None or value is pd.NaT:
        return 0
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return 0
    return value


def whole_if_integral(values: pd.Series) -> pd.Series:
    """Counts and whole rubles as integers (so tables show 55, not 55.0); anything with a fraction stays float."""
    if values.empty or not bool((values % 1 == 0).all()):
        return values
    return values.astype("int64")


def numeric(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """Make ``columns`` numbers (Decimal and NULL as from either engine; missing values 0): integers when whole."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            values = out[col]
            if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                values = pd.to_numeric(values.map(plain), errors="coerce")  # Decimal, None, text: cell by cell
            out[col] = whole_if_integral(values.fillna(0).astype(float))
    return out


def ratio(part: object, whole: object, per: float = 1.0) -> float | None:
    """part / whole × ``per`` (100 for percent), or None when whole is 0 or missing (shown as '—')."""
    p, w = float(plain(part)), float(plain(whole))  # type: ignore[arg-type]
    return None if not w else p / w * per


# A change in percent is shown only against a previous value big enough to mean something. Below either threshold
# the change is "—" with a tooltip that says why (a jump from 2 to 500 is not "+24 900 %").
MIN_PREVIOUS = 5.0  # fewer than 5 (plays, donations, rubles, …) in the previous period
MIN_PREVIOUS_SHARE = 0.01  # or less than 1 % of the current value


@dataclass(frozen=True)
class Change:
    """The change of a value against the previous period: ``pct`` (None when not shown) and ``why`` —
    ``"up"``, ``"down"``, ``"same"`` (no change: no arrow, no colour), ``"none"`` (nothing before) or ``"tiny"``
    (the previous value is under the threshold)."""

    pct: float | None
    why: str


def change(current: object, previous: object) -> Change:
    """The one comparison rule: the change in percent, unless the previous value is missing, zero or tiny
    (under ``MIN_PREVIOUS`` or under ``MIN_PREVIOUS_SHARE`` of the current value)."""
    cur, prev = float(plain(current)), float(plain(previous))  # type: ignore[arg-type]
    if cur == prev:
        return Change(0.0, "same")
    if not prev:
        return Change(None, "none")
    if abs(prev) < MIN_PREVIOUS or abs(prev) < MIN_PREVIOUS_SHARE * abs(cur):
        return Change(None, "tiny")
    pct = (cur - prev) / abs(prev) * 100.0
    return Change(pct, "same" if round(pct, 1) == 0 else "up" if pct > 0 else "down")
