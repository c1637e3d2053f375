"""How numbers, money and times read in the UI: whole rubles, Moscow time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pandas as pd

TIMEZONE = "Europe/Moscow"  # the platform's timezone: the one name every module (and every session) uses
MOSCOW = ZoneInfo(TIMEZONE)
NBSP = "\u202f"


def number(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    return f"{round(float(value)):,}".replace(",", NBSP)  # type: ignore[arg-type]


def rub(value: object) -> str:
    """Whole rubles: 12 345 ₽."""
    text = number(value)
    return text if text == "—" else f"{text} ₽"


def money(value: object, currency: str | None) -> str:
    cur = (currency or "RUB").upper()
    return rub(value) if cur == "RUB" else f"{number(value)} {cur}"


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
