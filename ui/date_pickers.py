"""The app's date pickers: one typed format for every picker (ДД.ММ.ГГГГ in Russian, "date.picker_format"), and no
English quick-select.

Streamlit 1.67's range picker adds an untranslatable "Date range / Select…" quick-select (Past Week, Past Month…)
whenever the earliest day it allows is more than two years before today; the calendar itself follows the browser's
language. So every picker here allows at most ``REACH_DAYS`` back from today (Moscow), unless the data it is about
ends earlier still (an old snapshot): then a year before that day, and the quick-select shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.i18n.formatting import moscow_today
from ui.language import tr

REACH_DAYS = 2 * 365 - 2  # under Streamlit's two years, so the English quick-select never shows


def earliest_day(anchor: dt.date | None = None) -> dt.date:
    """The earliest day a picker offers: two years back from Moscow today, or a year before ``anchor`` (the last
    day with data) when that is older still."""
    floor = moscow_today() - dt.timedelta(days=REACH_DAYS)
    if anchor is not None and anchor - dt.timedelta(days=30) < floor:
        return anchor - dt.timedelta(days=365)
    return floor


def date_picker(container: Any, label: str, value: Any, key: str, anchor: dt.date | None = None,
                **kwargs: Any) -> Any:
    """``st.date_input`` (one day or a range, as ``value`` is) in the app's one format, reaching back as far as
    ``earliest_day`` allows."""
    return container.date_input(label, value=value, key=key, format=tr("date.picker_format"),
                                min_value=earliest_day(anchor), **kwargs)
