"""The app's date pickers: one typed format for every picker (ДД.ММ.ГГГГ in Russian, "date.picker_format"), and no
English quick-select.

Streamlit 1.67's range picker adds an untranslatable "Date range / Select…" quick-select (Past Week, Past Month…)
whenever the earliest day it allows is more than two years before today; the calendar itself follows the browser's
language. So every picker here reaches ``REACH_DAYS`` back from today (Moscow), or further when the data it is about
is older (then the quick-select shows).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.i18n.formatting import moscow_today
from ui.language import tr

REACH_DAYS = 2 * 365 - 2  # under Streamlit's two years, so the English quick-select never shows
BEFORE_DATA_DAYS = 60  # a picker also reaches this far before the first day with data


def earliest_day(first_day: dt.date | None = None, last_day: dt.date | None = None) -> dt.date:
    """The earliest day a picker offers: two years back from Moscow today; or earlier, when the data is older
    (``first_day``: a while before the first day with data; ``last_day``: a year before the last day with data),
    so no data is out of reach — the English quick-select then shows (README)."""
    floor = moscow_today() - dt.timedelta(days=REACH_DAYS)
    if first_day is not None:
        floor = min(floor, first_day - dt.timedelta(days=BEFORE_DATA_DAYS))
    if last_day is not None:
        floor = min(floor, last_day - dt.timedelta(days=365))
    return floor


def date_picker(container: Any, label: str, value: Any, key: str, first_day: dt.date | None = None,
                last_day: dt.date | None = None, **kwargs: Any) -> Any:
    """``st.date_input`` (one day or a range, as ``value`` is) in the app's one format, reaching back as far as
    ``earliest_day`` allows."""
    return container.date_input(label, value=value, key=key, format=tr("date.picker_format"),
                                min_value=earliest_day(first_day, last_day), **kwargs)
