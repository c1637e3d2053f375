"""Reporting periods: presets and the equal period before, as Moscow dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


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


def period_bounds(days: int, today: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(cur_start, cur_end, prev_start, prev_end): the last ``days`` days up to ``today`` and the equal days before."""
    if days < 1:
        raise ValueError("a period has at least one day")
    cur_start = today - dt.timedelta(days=days - 1)
    prev_end = cur_start - dt.timedelta(days=1)
    return cur_start, today, prev_end - dt.timedelta(days=days - 1), prev_end


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The equal-length period right before [start, end]."""
    if end < start:
        raise ValueError("a period ends on or after its start")
    length = (end - start).days + 1
    prev_end = start - dt.timedelta(days=1)
    return prev_end - dt.timedelta(days=length - 1), prev_end


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
