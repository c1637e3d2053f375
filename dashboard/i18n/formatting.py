"""How numbers, money, dates and times read in the UI: the one formatting helper (locale separators, whole rubles,
months in the UI language, Moscow time)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

TIMEZONE = "Europe/Moscow"  # the platform's timezone: the one name every module (and every session) uses
MOSCOW = ZoneInfo(TIMEZONE)
NBSP = "\u202f"  # the thousands separator in Russian: a narrow no-break space ("1 234,5")
MISSING = "—"
MINUS = "\u2212"  # the one minus sign on screen, in Russian and English: typographic (−40), never the ASCII hyphen

# The locale's separators: (thousands, decimal). Russian: "1 234,5"; English: "1,234.5".
SEPARATORS: dict[str, tuple[str, str]] = {"ru": (NBSP, ","), "en": (",", ".")}
MONTHS_SHORT: dict[str, tuple[str, ...]] = {
    "ru": ("янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€"}


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: a value that is not there (shown as "—", never "None" or "nan")."""
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def number(value: object, lang: str = "ru", decimals: int = 0) -> str:
    """The one number format: ``decimals`` places with the locale's separators ("1 234,5" in ru, "1,234.5" in en);
    a missing value is "—". Every number on every page and in every table goes through here."""
    if is_missing(value):
        return MISSING
    thousands, point = SEPARATORS.get(lang, SEPARATORS["ru"])
    x = round(float(value), decimals)  # type: ignore[arg-type]
    if x == 0:
        x = 0.0  # no "-0"
    text = f"{x:,.{decimals}f}".replace("-", MINUS)
    return text.replace(",", "\x00").replace(".", point).replace("\x00", thousands)


def rub(value: object, lang: str = "ru") -> str:
    """Whole rubles: "12 345 ₽"."""
    text = number(value, lang)
    return text if text == MISSING else f"{text} ₽"


def money(value: object, currency: str | None, lang: str = "ru") -> str:
    """An amount in its own currency: whole rubles, other currencies with cents ("12,50 USD"), never converted."""
    cur = (currency or "RUB").upper()
    if cur == "RUB":
        return rub(value, lang)
    text = number(value, lang, decimals=2)
    return text if text == MISSING else f"{text} {cur}"


def percent(value: float | None, lang: str = "ru", decimals: int = 1) -> str:
    """A percentage already in percent (12.5 -> "12,5 %" in ru, "12.5%" in en); None is "—"."""
    if is_missing(value):
        return MISSING
    text = number(value, lang, decimals)
    return f"{text}\u00a0%" if lang == "ru" else f"{text}%"


def share_percent(share: float | None, lang: str = "ru") -> str:
    """A share (0.125) as a percentage in the UI language ("12,5 %"); None is "—"."""
    return percent(None if is_missing(share) else float(share) * 100, lang)  # type: ignore[arg-type]


def signed_percent(value: float, lang: str = "ru", decimals: int = 1) -> str:
    """A change in percent with its sign: "+12,5 %", "−3,0 %", "0 %" for no change. Streamlit's metric does not read
    the typographic minus: a card says the direction itself (``ui.kpi.signed_delta``)."""
    if round(value, decimals) == 0:
        return percent(0, lang, 0)
    text = percent(abs(value), lang, decimals)
    return ("+" if value > 0 else MINUS) + text


def signed_number(value: object, lang: str = "ru") -> str:
    """A whole amount with its sign (net coins, a count's change): "+1 200", "−40", "0"; missing is "—"."""
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


def day_text(value: object, lang: str = "ru", with_year: bool = True) -> str:
    """A date in words of the UI language: "30 окт 2026" / "30 Oct 2026" (no English month names in Russian)."""
    if is_missing(value):
        return MISSING
    day = pd.Timestamp(value).date()  # type: ignore[arg-type]
    month = MONTHS_SHORT.get(lang, MONTHS_SHORT["ru"])[day.month - 1]
    text = f"{day.day} {month}" if lang == "ru" else f"{month} {day.day}"
    if with_year:
        text += f" {day.year}" if lang == "ru" else f", {day.year}"
    return text


def span_text(start: dt.date, end: dt.date, lang: str = "ru") -> str:
    """A range of days: "1 окт 2026 — 31 окт 2026"."""
    return f"{day_text(start, lang)} — {day_text(end, lang)}"


def cell(value: object, kind: str, lang: str = "ru") -> str:
    """One table cell as text in the UI language: ``count`` (whole), ``rub`` (whole rubles, no sign: the header
    says ₽), ``amount`` (2 places when not whole), ``pct`` (one place), ``text``. Missing values are "—"."""
    if is_missing(value):
        return MISSING
    if kind in ("count", "rub"):
        return number(value, lang)
    if kind == "amount":
        x = float(value)  # type: ignore[arg-type]
        return number(x, lang, 0 if x == round(x) else 2)
    if kind == "pct":
        return number(value, lang, 1)
    return str(value)


def table_text(frame: pd.DataFrame, kinds: dict[str, str], lang: str = "ru") -> pd.DataFrame:
    """A table for the screen: the columns named in ``kinds`` as text in the UI language (``cell``), every other
    missing cell as "—" (never "None" or "nan"). The CSV keeps the numbers (``csv_numbers``)."""
    out = frame.copy()
    for col in out.columns:
        kind = kinds.get(col, "text")
        out[col] = [cell(v, kind, lang) for v in out[col]]
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


def moscow_time(value: object, zone_label: str = "") -> str:
    """A timestamp as Moscow local time, 'YYYY-MM-DD HH:MM' and the zone label if given (e.g. 'МСК', 'MSK')."""
    if value is None or value is pd.NaT:
        return "—"
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    text = ts.tz_convert(MOSCOW).strftime("%Y-%m-%d %H:%M")
    return f"{text} {zone_label}" if zone_label else text


def moscow_times(values: pd.Series, missing: str = "—") -> pd.Series:
    """``moscow_time`` for a whole column at once (a zone-less value is UTC; missing values as ``missing``)."""
    stamps = pd.to_datetime(values, utc=True, errors="coerce")
    return stamps.dt.tz_convert(MOSCOW).dt.strftime("%Y-%m-%d %H:%M").fillna(missing)


def times_text(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """``columns`` of timestamps as Moscow local time text ('2026-10-27 09:22'); missing ones as empty text."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = moscow_times(out[col], missing="")
    return out


def dates_text(frame: pd.DataFrame, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """``columns`` of dates as ISO text (the engines return date, datetime or Timestamp); missing ones as empty
    text."""
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = out[col].map(lambda v: "" if is_missing(v) else pd.Timestamp(v).date().isoformat())
    return out
