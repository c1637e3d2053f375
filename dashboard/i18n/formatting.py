"""How numbers, money, dates and times read in the UI: the one formatting helper, on Babel (the Unicode CLDR data).

Separators, percent patterns and month names come from CLDR for Russian and English: "1 234,5", "64,6 %",
"2 дек. 2026" in Russian; "1,234.5", "64.6%", "Dec 2, 2026" in English. Two choices are ours, on top of CLDR: a
negative number carries the minus sign U+2212 ("−418", CLDR writes a hyphen for both languages), and a date never
carries the Russian "г." (one short style everywhere: "2 дек. 2026 17:10"). Times are Moscow time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd
from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from dashboard.i18n.zone import TIMEZONE

MOSCOW = ZoneInfo(TIMEZONE)
NBSP = "\u00a0"  # CLDR's Russian group separator and the space before "%" and "₽": a no-break space ("1 234,5")
MINUS = "\u2212"  # the minus sign of every negative number the UI shows ("−418"), in both languages
MISSING = "—"

# Dates as people read them, in CLDR's fields: the day with a short month and the year, without it, a month.
DAY_PATTERN = {"ru": "d MMM y", "en": "MMM d, y"}
DAY_MONTH_PATTERN = {"ru": "d MMM", "en": "MMM d"}
MONTH_PATTERN = {"ru": "LLL y", "en": "MMM y"}
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€"}


def locale_of(lang: str) -> Locale:
    """The CLDR locale of a UI language (Russian for anything unknown)."""
    return _locale("en" if lang == "en" else "ru")


@lru_cache(maxsize=4)
def _locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=32)
def _pattern(lang: str, kind: str, decimals: int) -> NumberPattern:
    """The locale's decimal or percent pattern with exactly ``decimals`` places."""
    locale = locale_of(lang)
    base = (locale.percent_formats if kind == "percent" else locale.decimal_formats)[None]
    pattern = parse_pattern(base.pattern)
    pattern.frac_prec = (decimals, decimals)
    return pattern


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: a value that is not there (shown as "—", never "None" or "nan")."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _with_minus(text: str) -> str:
    return MINUS + text[1:] if text.startswith("-") else text


def number(value: object, lang: str = "ru", decimals: int = 0) -> str:
    """The one number format: ``decimals`` places with the locale's separators ("1 234,5" in ru, "1,234.5" in en),
    a negative number with "−"; a missing value is "—". Every number on every page and in every table goes through
    here."""
    if is_missing(value):
        return MISSING
    x = round(float(value), decimals)  # type: ignore[arg-type]
    if x == 0:
        x = 0.0  # no "-0"
    return _number_text(x, lang, decimals)


@lru_cache(maxsize=65_536)
def _number_text(x: float, lang: str, decimals: int) -> str:
    """A rounded number in the locale's pattern, kept: tables and exports repeat the same amounts thousands of times
    (Babel takes ~15 µs a number; data health's export at 10M keys formatted 28k of them)."""
    return _with_minus(_pattern(lang, "decimal", decimals).apply(x, locale_of(lang)))


def rub(value: object, lang: str = "ru") -> str:
    """Whole rubles: "12 345 ₽" (a no-break space before the sign)."""
    text = number(value, lang)
    return text if text == MISSING else f"{text}{NBSP}₽"


def money(value: object, currency: str | None, lang: str = "ru") -> str:
    """An amount in its own currency: whole rubles, other currencies with cents ("12,50 USD"), never converted."""
    cur = (currency or "RUB").upper()
    if cur == "RUB":
        return rub(value, lang)
    text = number(value, lang, decimals=2)
    return text if text == MISSING else f"{text}{NBSP}{cur}"


def percent(value: float | None, lang: str = "ru", decimals: int = 1) -> str:
    """A percentage already in percent, in the locale's percent pattern (12.5 -> "12,5 %" in ru, "12.5%" in en;
    100 -> "100,0 %"); None is "—"."""
    if is_missing(value):
        return MISSING
    x = round(float(value), decimals)  # type: ignore[arg-type]
    if x == 0:
        x = 0.0
    return _with_minus(_pattern(lang, "percent", decimals).apply(x / 100, locale_of(lang)))


def share_percent(share: float | None, lang: str = "ru") -> str:
    """A share (0.125) as a percentage in the UI language ("12,5 %"); None is "—"."""
    return percent(None if is_missing(share) else float(share) * 100, lang)  # type: ignore[arg-type]


def signed_percent(value: float, lang: str = "ru", decimals: int = 1) -> str:
    """A change in percent with its sign: "+12,5 %", "−3,0 %", "0 %" for no change. (A card that shows it gets its
    arrow and colour from the comparison itself, ``ui.kpi``, never from the sign's character.)"""
    if round(value, decimals) == 0:
        return percent(0, lang, 0)
    text = percent(abs(value), lang, decimals)
    return ("+" if value > 0 else MINUS) + text


def signed_number(value: object, lang: str = "ru") -> str:
    """A whole amount with its sign (net coins): "+1 200", "−40", "0"."""
    if is_missing(value):
        return MISSING
    n = round(float(value))  # type: ignore[arg-type]
    return ("+" if n > 0 else MINUS if n < 0 else "") + number(abs(n), lang)


def age_text(hours: float | None, lang: str = "ru") -> str:
    """An age as people say it: "5 ч" under two days, else "3 дн." ("5 h", "3 d"); missing is "—"."""
    if is_missing(hours):
        return MISSING
    whole = int(hours)  # type: ignore[arg-type]
    if whole < 48:
        return f"{number(whole, lang)} ч" if lang == "ru" else f"{number(whole, lang)} h"
    return f"{number(whole // 24, lang)} дн." if lang == "ru" else f"{number(whole // 24, lang)} d"


@lru_cache(maxsize=4096)
def _day_text(day: dt.date, lang: str, with_year: bool) -> str:
    pattern = (DAY_PATTERN if with_year else DAY_MONTH_PATTERN).get(lang, DAY_PATTERN["ru"])
    return format_date(day, pattern, locale=locale_of(lang))


def day_text(value: object, lang: str = "ru", with_year: bool = True) -> str:
    """A date in words of the UI language (CLDR's short month): "30 окт. 2026" / "Oct 30, 2026"; ``with_year``
    False: "30 окт." / "Oct 30"."""
    if is_missing(value):
        return MISSING
    return _day_text(pd.Timestamp(value).date(), lang, with_year)  # type: ignore[arg-type]


def month_text(value: object, lang: str = "ru") -> str:
    """A month and its year: "окт. 2026" / "Oct 2026"."""
    if is_missing(value):
        return MISSING
    day = pd.Timestamp(value).date()  # type: ignore[arg-type]
    return format_date(day, MONTH_PATTERN.get(lang, MONTH_PATTERN["ru"]), locale=locale_of(lang))


def span_text(start: dt.date, end: dt.date, lang: str = "ru") -> str:
    """A range of days: "1 окт. 2026 — 31 окт. 2026"."""
    return f"{day_text(start, lang)} — {day_text(end, lang)}"


def seconds_text(seconds: float, lang: str = "ru") -> str:
    """A duration in seconds with one decimal, in the UI language: "0,5 с" / "0.5 s"."""
    return f"{number(seconds, lang, 1)}{NBSP}{'s' if lang == 'en' else 'с'}"


def cell(value: object, kind: str, lang: str = "ru") -> str:
    """One table cell as text in the UI language: ``count`` (whole), ``rub`` (whole rubles, no sign: the header
    says ₽), ``amount`` (2 places when not whole), ``pct`` (one place), ``day`` (a date in words), ``text``. Missing
    values are "—"."""
    if is_missing(value):
        return MISSING
    if kind in ("count", "rub"):
        return number(value, lang)
    if kind == "amount":
        x = float(value)  # type: ignore[arg-type]
        return number(x, lang, 0 if x == round(x) else 2)
    if kind == "pct":
        return number(value, lang, 1)
    if kind == "day":
        return day_text(value, lang)
    return str(value)


def table_text(frame: pd.DataFrame, kinds: dict[str, str], lang: str = "ru") -> pd.DataFrame:
    """A table for the screen: the columns named in ``kinds`` as text in the UI language (``cell``), every other
    missing cell as "—" (never "None" or "nan"). The CSV keeps the numbers (``csv_numbers``)."""
    out = frame.copy()
    for col in out.columns:
        out[col] = column_text(out[col], kinds.get(col, "text"), lang)
    return out


def column_text(values: Iterable[object], kind: str, lang: str = "ru") -> list[str]:
    """``cell`` of every value, each distinct value formatted once (a table's column repeats its values: statuses,
    methods, round amounts). Values are told apart by type too (``1`` and ``True`` are equal keys in Python)."""
    memo: dict[tuple[type, object], str] = {}
    out: list[str] = []
    for value in values:
        try:
            text = memo.get((type(value), value))
        except TypeError:  # unhashable (a list or dict from a JSON column): formatted as it is
            out.append(cell(value, kind, lang))
            continue
        if text is None:
            text = memo[(type(value), value)] = cell(value, kind, lang)
        out.append(text)
    return out


def csv_numbers(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """A table for the CSV: counts as integers (never "3.0"), rubles whole, rates with one decimal, missing numbers
    empty (spreadsheets read them as blank)."""
    out = frame.copy()
    for col, kind in kinds.items():
        if col not in out.columns:
            continue
        values = pd.to_numeric(out[col].map(lambda v: None if is_missing(v) else v), errors="coerce")
        if kind in ("count", "rub"):
            out[col] = values.round(0).astype("Int64")
        elif kind == "pct":
            out[col] = values.round(1)
        elif kind == "amount":
            out[col] = values.round(2)
    return out


def moscow_now() -> dt.datetime:
    return dt.datetime.now(MOSCOW)


def moscow_today() -> dt.date:
    return moscow_now().date()


def _moscow(value: object) -> pd.Timestamp:
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    return (ts.tz_localize("UTC") if ts.tzinfo is None else ts).tz_convert(MOSCOW)


def moscow_time(value: object, zone_label: str = "", lang: str = "ru") -> str:
    """A timestamp as Moscow local time in the UI's one style, "2 дек. 2026 17:10" ("Dec 2, 2026 17:10"), and the
    zone label if given (e.g. 'МСК', 'MSK'). A zone-less value is UTC."""
    if is_missing(value):
        return MISSING
    ts = _moscow(value)
    text = f"{_day_text(ts.date(), lang, True)} {ts.strftime('%H:%M')}"
    return f"{text} {zone_label}" if zone_label else text


def moscow_times(values: pd.Series, missing: str = "—", lang: str = "ru") -> pd.Series:
    """``moscow_time`` for a whole column at once (a zone-less value is UTC; missing values as ``missing``)."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce").dt.tz_convert(MOSCOW)
    days = stamps.dt.date.map(lambda d: MISSING if is_missing(d) else _day_text(d, lang, True))
    return (days + " " + stamps.dt.strftime("%H:%M")).where(stamps.notna(), missing)


def times_text(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], lang: str = "ru") -> pd.DataFrame:
    """``columns`` of timestamps as Moscow local time text in the UI's one style ('27 окт. 2026 09:22'); missing
    ones as empty text."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = moscow_times(out[col], missing="", lang=lang)
    return out


def as_date(value: object) -> dt.date | None:
    """A cell as a date: a date, a datetime's date, or text/Timestamp parsed by pandas; None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    return None if pd.isna(stamp) else stamp.date()


def dates_text(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], lang: str = "ru") -> pd.DataFrame:
    """``columns`` of dates as text in the UI's one style ('27 окт. 2026'; the engines return date, datetime or
    Timestamp), missing ones as empty text."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(lambda v: "" if as_date(v) is None else day_text(as_date(v), lang))
    return out
