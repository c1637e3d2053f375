"""Reporting periods: presets and the equal period before, as Moscow dates."""

from __future__ import annotations

import datetime as dt


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
