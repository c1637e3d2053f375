"""The one set of period presets: what every page with a reporting period offers (the artist pages and revenue),
spelled once, on the one ``?period=`` URL parameter those pages share.

Ground floor: imports nothing of ours. ``dashboard.metrics.periods.period_for`` turns a preset into dates; the
labels are ``period.preset.<preset>`` in ``dashboard/i18n/strings``. Links made before the presets were one set keep
working: the artist pages wrote bare day counts (``?period=28``), revenue wrote ``?period=30d`` (now the 28 days:
four whole weeks, so both periods of a comparison have the same weekdays).
"""

from __future__ import annotations

ROLLING_DAYS: tuple[int, ...] = (7, 28, 90, 365)  # the last N days up to the period's end, against the N before
THIS_MONTH, LAST_MONTH = "this_month", "last_month"  # calendar periods, against the same span of the month before
CUSTOM = "custom"  # a range the person picks, against the equal days before
PRESETS: tuple[str, ...] = (*(f"{days}d" for days in ROLLING_DAYS), THIS_MONTH, LAST_MONTH, CUSTOM)
DEFAULT_DAYS = 28
DEFAULT = f"{DEFAULT_DAYS}d"
# older spellings in shared links → the preset they mean now
OLD_SPELLINGS: dict[str, str] = {**{str(days): f"{days}d" for days in ROLLING_DAYS}, "30d": DEFAULT, "30": DEFAULT}


def from_url(raw: str) -> str | None:
    """The preset a ``?period=`` value names (older spellings mapped), or None for anything else."""
    text = raw.strip().lower()
    preset = OLD_SPELLINGS.get(text, text)
    return preset if preset in PRESETS else None

