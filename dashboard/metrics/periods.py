"""Reporting periods, as Moscow dates: the one period builder and the one reader of a picked date range.

Comparisons are honest: a rolling period (the last N days, a custom range) is compared with the equal number of days
right before it; a calendar period is compared with the same span of the previous calendar period ("last month",
October, against the whole of September; "this month", 1–24 November, against 1–24 October). ``period_for`` builds
one from a preset (``dashboard.period_presets``: a number of days, ``this_month``, ``last_month``, ``custom``)
ending on an anchor day; ``date_range`` reads what a date-range picker holds (a full range, a half-picked one, or
nothing); ``within_data`` stops a range at the last day with data (and says it did); ``buckets`` says which chart
buckets are partial.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n.formatting import day_text, span_text
from dashboard.i18n.plural import plural
from dashboard.i18n.translations import t
from dashboard.period_presets import CUSTOM, LAST_MONTH, THIS_MONTH


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
    """A reporting period [start, end] and the one it is compared with (Moscow dates, inclusive).

    ``calendar`` is True for calendar periods (compared with the same span of the previous month); ``clipped`` is True
    when the range asked for ran past the last day with data and was stopped there."""

    start: dt.date
    end: dt.date
    prev_start: dt.date
    prev_end: dt.date
    calendar: bool = False
    clipped: bool = False

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def shift(self) -> dt.timedelta:
        """How far the previous period lies before this one (to draw both on the same days)."""
        return self.start - self.prev_start

    def params(self) -> dict[str, dt.date]:
        """The bound parameters of the two-period queries (:cur_start, :cur_end, :prev_start, :prev_end)."""
        return {"cur_start": self.start, "cur_end": self.end, "prev_start": self.prev_start,
                "prev_end": self.prev_end}


def period_between(start: dt.date, end: dt.date) -> Period:
    """[start, end] (in either order) and the equal number of days right before it."""
    start, end = min(start, end), max(start, end)
    prev_end = start - dt.timedelta(days=1)
    return Period(start, end, prev_end - (end - start), prev_end)


def month_before(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The same span of the previous calendar month: [start, end] within one month, moved back one month (days past
    the end of a shorter month are dropped: 1–30 March is compared with 1–28 February). A span that runs to the end
    of its month is compared with the previous month up to its end (the whole of February with the whole of January)."""
    prev_last = start.replace(day=1) - dt.timedelta(days=1)
    prev_first = prev_last.replace(day=1)
    to_month_end = (end + dt.timedelta(days=1)).day == 1
    return (min(prev_first.replace(day=min(start.day, prev_last.day)), prev_last),
            prev_last if to_month_end else prev_first.replace(day=min(end.day, prev_last.day)))


def calendar_month(start: dt.date, end: dt.date) -> Period:
    """[start, end] inside one calendar month, compared with the same span of the month before."""
    prev_start, prev_end = month_before(start, end)
    return Period(start, end, prev_start, prev_end, calendar=True)


def period_for(preset: int | str, anchor: dt.date, custom: tuple[dt.date, dt.date] | None = None) -> Period:
    """The period a preset means when it ends on ``anchor``, and the one it is compared with.

    A number of days (``28``, or the preset naming it): the last that many days up to anchor, inclusive, against the
    equal days before; ``this_month``: from the 1st of anchor's month to anchor, against the same days of the month
    before; ``last_month``: the whole month before anchor's, against the whole month before that; ``custom``: the
    ``custom`` range against the equal days before."""
    days = preset if isinstance(preset, int) else _preset_days(preset)
    if days is not None:
        if days < 1:
            raise ValueError("a period has at least one day")
        return period_between(anchor - dt.timedelta(days=days - 1), anchor)
    if preset == THIS_MONTH:
        return calendar_month(anchor.replace(day=1), anchor)
    if preset == LAST_MONTH:
        end = anchor.replace(day=1) - dt.timedelta(days=1)
        return calendar_month(end.replace(day=1), end)
    if preset == CUSTOM:
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


def within_data(period: Period, last_day: dt.date | None) -> Period:
    """The period stopped at ``last_day`` (the last day with data, at most today) when it runs past it, with
    ``clipped`` set so the page says so; the comparison keeps its rule (equal days before, or the same span of the
    previous month). A period that starts after the last day is kept as asked (it shows no data, and says why)."""
    if last_day is None or period.end <= last_day or period.start > last_day:
        return period
    clipped = calendar_month(period.start, last_day) if period.calendar else period_between(period.start, last_day)
    return Period(clipped.start, clipped.end, clipped.prev_start, clipped.prev_end, period.calendar, clipped=True)


def bucket_start(day: dt.date, grain: str) -> dt.date:
    """The first day of ``day``'s bucket: the day, its ISO week's Monday, or the 1st of its month."""
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def bucket_end(first: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return first + dt.timedelta(days=6)
    if grain == "month":
        return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first


def buckets(start: dt.date, end: dt.date, grain: str) -> pd.DataFrame:
    """The chart buckets of [start, end]: ``bucket`` (its first day inside the range, as the revenue queries label
    it), ``first``/``last`` (the days of the range it covers), ``days`` and ``partial`` (True when the range covers
    only part of the week or month: such a bucket is not comparable with its full neighbours and is marked)."""
    rows = []
    day = bucket_start(start, grain)
    while day <= end:
        last_of_bucket = bucket_end(day, grain)
        first, last = max(day, start), min(last_of_bucket, end)
        rows.append({"bucket": first, "first": first, "last": last, "days": (last - first).days + 1,
                     "partial": first > day or last < last_of_bucket})
        day = last_of_bucket + dt.timedelta(days=1)
    return pd.DataFrame(rows, columns=["bucket", "first", "last", "days", "partial"])


def describe(period: Period, lang: str, compared: bool = True) -> str:
    """The period and what it is compared with, in words of the UI language (dates as "1 окт. 2026"), and a note
    when the range was stopped at the last day with data. ``compared`` False: a page that compares nothing names
    the period only."""
    span, prev = span_text(period.start, period.end, lang), span_text(period.prev_start, period.prev_end, lang)
    if not compared:
        days = f"{period.days} {plural(period.days, lang, t('word.days', lang))}"
        text = t("period.only_caption", lang, span=span, days=days)
    elif period.calendar:
        text = t("period.calendar_caption", lang, span=span, prev=prev)
    else:
        days = f"{period.days} {plural(period.days, lang, t('word.days', lang))}"
        text = t("period.rolling_caption", lang, span=span, days=days, prev=prev)
    if period.clipped:
        text += " · " + t("period.clipped", lang, last=day_text(period.end, lang))
    return text
