"""What the artist pages compute, without Streamlit: presets, metric sums, daily series, shares, country codes.

"Today" for artist analytics is the last day the store has analytics for (``store_last_day`` from
``queries/artist_data_dates.sql``), but never later than the Moscow date: a snapshot taken on 1 November shows the
28 days up to 1 November even when it is opened weeks later, and a live store shows the days up to today. A custom
range lets the artist look at any other window. Every period is compared with the equal period right before it.

Where an artist's plays per day come from (``plays_data``): the daily analytics rows (the documented layout, or the
platform's ``dailyStats``), else the derived series (the growth of the platform's running totals between two
recordings, dashboard/ingest/series.py) from its second recording on, else nothing dated: the deployed platform keeps
only totals, and the pages then show the totals and say so, never a period of zeros or a comparison with nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from dashboard.i18n.formatting import MOSCOW, as_date
from dashboard.i18n.translations import translated
from dashboard.metrics.measures import numeric, plain, whole_if_integral

TRACK_METRICS: tuple[str, ...] = ("plays", "unique_listeners", "likes", "shares", "downloads", "playlist_adds")
CONCERT_METRICS: tuple[str, ...] = ("views", "clicks", "ticket_views", "shares")

# ISO 3166-1 alpha-2 -> alpha-3 for the countries a Russian-speaking audience comes from (and the big markets).
# Plotly's choropleth takes alpha-3; a code missing here stays in the table and is left off the map.
ISO2_TO_ISO3: dict[str, str] = {
    "RU": "RUS", "KZ": "KAZ", "BY": "BLR", "UA": "UKR", "UZ": "UZB", "KG": "KGZ", "TJ": "TJK", "TM": "TKM",
    "AM": "ARM", "AZ": "AZE", "GE": "GEO", "MD": "MDA", "MN": "MNG", "LV": "LVA", "LT": "LTU", "EE": "EST",
    "FI": "FIN", "PL": "POL", "DE": "DEU", "FR": "FRA", "GB": "GBR", "IE": "IRL", "NL": "NLD", "BE": "BEL",
    "LU": "LUX", "CH": "CHE", "AT": "AUT", "IT": "ITA", "ES": "ESP", "PT": "PRT", "CZ": "CZE", "SK": "SVK",
    "HU": "HUN", "RO": "ROU", "BG": "BGR", "RS": "SRB", "ME": "MNE", "HR": "HRV", "SI": "SVN", "GR": "GRC",
    "CY": "CYP", "TR": "TUR", "IL": "ISR", "AE": "ARE", "SA": "SAU", "QA": "QAT", "EG": "EGY", "IN": "IND",
    "CN": "CHN", "JP": "JPN", "KR": "KOR", "TH": "THA", "VN": "VNM", "ID": "IDN", "SE": "SWE", "NO": "NOR",
    "DK": "DNK", "IS": "ISL", "US": "USA", "CA": "CAN", "MX": "MEX", "BR": "BRA", "AR": "ARG", "CL": "CHL",
    "AU": "AUS", "NZ": "NZL", "ZA": "ZAF",
}


DAILY, SERIES, TOTALS = "daily", "series", "totals"


@dataclass(frozen=True)
class PlaysData:
    """Where the artist's plays per day come from: ``daily`` (analytics rows), ``series`` (derived from the totals
    recorded at each ingest or sync, with data from ``since``, the Moscow day of the first recording) or ``totals``
    (nothing dated: only the platform's running totals)."""

    kind: str
    since: dt.date | None = None

    @property
    def dated(self) -> bool:
        return self.kind != TOTALS

    def comparable(self, prev_start: dt.date) -> bool:
        """Whether a previous period starting ``prev_start`` has data to compare with: always for daily analytics,
        for the derived series only when it starts no later than the previous period, never for totals."""
        if self.kind == DAILY:
            return True
        return self.kind == SERIES and self.since is not None and prev_start >= self.since


def moscow_day(value: object) -> dt.date | None:
    """The Moscow date of a timestamp (aware in any zone, or naive UTC as some drivers return it)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    if pd.isna(stamp):
        return None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(MOSCOW).date()


def plays_data(dates: Mapping[str, object]) -> PlaysData:
    """Read the row of ``queries/artist/artist_data_dates.sql``: daily rows when the store (or the artist) has
    any, else the derived series from its second recording on, else totals only."""
    if bool(plain(dates.get("artist_has_daily"))) or bool(plain(dates.get("store_has_daily"))):
        return PlaysData(DAILY)  # the platform records days: an artist without rows had no plays on them
    if float(plain(dates.get("series_recordings"))) >= 2:  # type: ignore[arg-type]
        return PlaysData(SERIES, as_date(dates.get("series_first_day")))
    return PlaysData(TOTALS)


def two_periods(frame: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """The 'current' and 'previous' rows of a two-period query as plain dicts of floats."""
    rows = {str(r["period"]): r for r in frame.to_dict("records")}
    empty: dict[str, object] = {}

    def values(period: str) -> dict[str, float]:
        row = rows.get(period, empty)
        return {k: float(plain(v)) for k, v in row.items() if k != "period"}  # type: ignore[arg-type]

    return values("current"), values("previous")


def daily(frame: pd.DataFrame, start: dt.date, end: dt.date, columns: tuple[str, ...] | list[str]) -> pd.DataFrame:
    """One row per day in [start, end] (0 on days without data), columns ``day`` and ``columns`` as floats."""
    days = pd.DataFrame({"day": pd.date_range(start, end, freq="D").date})
    if frame.empty:
        for col in columns:
            days[col] = 0.0
        return days
    values = numeric(frame, columns)
    values["day"] = values["day"].map(as_date)
    merged = days.merge(values[["day", *columns]], on="day", how="left")
    for col in columns:
        merged[col] = whole_if_integral(merged[col].fillna(0.0))
    return merged


def shares(frame: pd.DataFrame, label: str, value: str, prefix: str, lang: str) -> pd.DataFrame:
    """A breakdown (plays by platform, views by referral source): each row's share in percent, labels translated."""
    out = frame.copy()
    total = out[value].sum()
    out["share_pct"] = (out[value] / total * 100).round(1) if total else 0.0
    out[label] = out[label].map(lambda v: translated(prefix, v, lang))
    return out


def iso3(code: object) -> str | None:
    return ISO2_TO_ISO3.get(str(code).upper()) if code else None


def with_iso3(geo: pd.DataFrame) -> pd.DataFrame:
    """The geography frame with an ``iso3`` column for the map and each country's ``share`` of the plays."""
    out = numeric(geo, ["plays"])
    out["iso3"] = out["country"].map(iso3)
    total = out["plays"].sum()
    out["share"] = out["plays"] / total if total else 0.0
    return out


def split_concerts(concerts: pd.DataFrame, today: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(upcoming, past): concerts dated today or later (soonest first), and earlier ones (latest first)."""
    if concerts.empty:
        return concerts, concerts
    dates = concerts["date"].map(as_date)
    upcoming = concerts[dates.map(lambda d: d is not None and d >= today)]
    past = concerts[dates.map(lambda d: d is None or d < today)].iloc[::-1]
    return upcoming, past


DONATION_STATES = ("completed", "pending", "refunded", "failed")


def donation_state(status: object) -> str:
    """A donation's state as a fan or an artist reads it (``donation_state.*`` strings): only ``completed`` money is
    received; pending, refunded, failed and anything unknown are not. Case-insensitive, like the SQL rule
    (queries/shared/completed_rub_donations.sql): "Completed" is completed."""
    state = status.lower() if isinstance(status, str) else status
    return str(state) if state in DONATION_STATES else "unknown"


def donor_labels(frame: pd.DataFrame, anonymous: str) -> pd.Series:
    """The donor column to show: the donor's name, or ``anonymous`` for the anonymous row(s)."""
    flags = frame["is_anonymous"].map(lambda v: bool(plain(v)))
    return frame["donor_name"].where(~flags, anonymous).fillna(anonymous)


