"""Reporting periods, as Moscow dates: the one period builder and the one reader of a picked date range.

Every page compares a period [start, end] with the equal number of days right before it. ``period_for`` builds one
from a preset (a number of days, ``"30d"``, ``this_month``, ``last_month`` or ``custom``) ending on an anchor day;
``date_range`` reads what a date-range picker holds (a full range, a half-picked one, or nothing).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

MONTH_PRESETS = ("this_month", "last_month")


def anchor_day(today: dt.date, last_day: object) -> dt.date:
    """The default last day of a report: Moscow ``today``, or the store's last day with data when it stops earlier
    (an older snapshot still shows its data). ``last_day`` may be None/NaT/NaN (no data: today)."""
    if last_day is None:
        return today
    try:
        last = pd.Timestamp(last_day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return today
    return today if pd.isna(last) else min(today, last.date())


@dataclass(frozen=True)
class Period:
    """A reporting period [start, end] and the equal period right before it (Moscow dates, inclusive)."""

    start: dt.date
    end: dt.date
    prev_start: dt.date
    prev_end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict[str, dt.date]:
        """The bound parameters of the two-period queries (:cur_start, :cur_end, :prev_start, :prev_end)."""
        return {"cur_start": self.start, "cur_end": self.end, "prev_start": self.prev_start,
                "prev_end": self.prev_end}


def period_between(start: dt.date, end: dt.date) -> Period:
    """[start, end] (in either order) and the equal number of days right before it."""
    start, end = min(start, end), max(start, end)
    prev_end = start - dt.timedelta(days=1)
    return Period(start, end, prev_end - (end - start), prev_end)


def period_for(preset: int | str, anchor: dt.date, custom: tuple[dt.date, dt.date] | None = None) -> Period:
    """The period a preset means when it ends on ``anchor``, and the equal one before.

    A number of days (``28`` or ``"28d"``): the last that many days up to anchor, inclusive; ``this_month``: from the
    1st of anchor's month to anchor; ``last_month``: the whole month before it; ``custom``: the ``custom`` range."""
    days = preset if isinstance(preset, int) else _preset_days(preset)
    if days is not None:
        if days < 1:
            raise ValueError("a period has at least one day")
        return period_between(anchor - dt.timedelta(days=days - 1), anchor)
    if preset == "this_month":
        return period_between(anchor.replace(day=1), anchor)
    if preset == "last_month":
        end = anchor.replace(day=1) - dt.timedelta(days=1)
        return period_between(end.replace(day=1), end)
    if preset == "custom":
        if custom is None:
            raise ValueError("a custom period needs a start and an end")
        return period_between(*custom)
    raise ValueError(f"unknown period preset {preset!r}")


def _preset_days(preset: str) -> int | None:
    match = re.fullmatch(r"(\d+)d", preset)
    return int(match.group(1)) if match else None


def date_range(picked: object) -> tuple[dt.date, dt.date] | None:
    """What a date-range picker (``st.date_input`` with a range) holds, as (first, last) in order: a full range, a
    single day while the second is being picked (that day twice), or None when it was cleared."""
    values = picked if isinstance(picked, tuple | list) else (picked,)
    days = [d for d in values if isinstance(d, dt.date)]
    if not days:
        return None
    return min(days), max(days)
