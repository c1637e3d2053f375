"""CSV export that a spreadsheet cannot turn into a formula (CSV injection).

Two rules: a line of a text cell that starts like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) gets an apostrophe
in front, on *every* line of the cell (an importer that splits the cell at a line break sees no formula either); and
rows end with CRLF, which makes the writer quote every cell holding a CR or LF, so a carriage return inside a value
never starts a new row in a spreadsheet.
"""

from __future__ import annotations

import re

import pandas as pd

from ui.by_content import made_once

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")
# a cell that starts like a formula or holds a line break anywhere (FORMULA_STARTS and _LINE_BREAK in one pattern)
_RISKY_TEXT = r"^[=+\-@\t]|[\r\n]"
# with CRLF as the row end, Python's csv writer quotes any field that holds a CR or an LF (QUOTE_MINIMAL quotes the
# line terminator's characters); with "\n" alone a bare CR would be written unquoted
ROW_END = "\r\n"


def neutralize(value: object) -> object:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe, on the cell and on each line of
    it; numbers stay numbers."""
    if not isinstance(value, str):
        return value
    lines = _LINE_BREAK.split(value)  # the text between line breaks, with the breaks at the odd positions
    text = "".join(("'" + part if i % 2 == 0 and part.startswith(FORMULA_STARTS) else part)
                   for i, part in enumerate(lines))
    return "'" + text if value.startswith(FORMULA_STARTS) and not text.startswith("'") else text


def _risky(value: object) -> bool:
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS) or "\n" in value or "\r" in value)


def _risky_cells(values: pd.Series) -> pd.Series:
    """Which cells start like a formula or hold a line break (False for a missing or non-text cell). A text column
    is read whole (its ``.str`` methods); a column of mixed objects cell by cell."""
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        risky = values.str.contains(_RISKY_TEXT, regex=True)
    else:
        risky = values.map(_risky, na_action="ignore")
    return risky.fillna(False).astype(bool)


def _zoned_text(values: pd.Series) -> pd.Series:
    """A timezone-aware column as pandas' CSV writer words it (``2026-11-05 12:00:00+03:00``; a fraction of a second
    on every value, 3 or 6 digits, when any value has one; a missing value empty), made for the column at once: the
    writer makes a Timestamp of each value (17 µs each: 28 ms for data health's 1,669 times at 1M keys). The same
    text, checked against the writer's own on times from 1900 to 2050 (tests/test_csv_line_breaks.py)."""
    if values.isna().all():
        return pd.Series("", index=values.index, dtype=object)
    local = values.dt.tz_localize(None)
    offset = (local - values.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    micro = local.dt.microsecond.fillna(0).astype("int64")
    to_micro = bool((micro % 1000).any())
    text = local.dt.strftime("%Y-%m-%d %H:%M:%S.%f" if to_micro else "%Y-%m-%d %H:%M:%S")
    if micro.any() and not to_micro:
        text = text + (micro // 1000).map(lambda ms: f".{ms:03d}")
    words = {o: _utc_offset(o) for o in offset.dropna().unique()}
    return (text + offset.map(words)).where(values.notna(), "").astype(object)


def _utc_offset(seconds: float) -> str:
    sign, rest = ("-" if seconds < 0 else "+"), abs(int(seconds))
    hours, minutes = divmod(rest // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")


def safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Cyrillic) with every text cell neutralized and every cell that holds a
    line break quoted. Made once per table content (``ui.by_content``): a page offers its downloads on every rerun,
    and the same rows give the same file."""
    return made_once(frame, ("csv",), lambda: csv_of(frame))


def csv_of(frame: pd.DataFrame) -> bytes:
    """The CSV bytes of ``frame`` (``safe_csv`` without keeping them)."""
    cleaned = frame.copy()
    for col in cleaned.columns:
        values = cleaned[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype) and values.dt.unit in ("s", "ms", "us"):
            cleaned[col] = _zoned_text(values)
        elif values.dtype == object or pd.api.types.is_string_dtype(values):
            # only cells that start like a formula or hold a line break can change: the rest are left as they are
            risky = _risky_cells(values)
            if risky.any():
                cleaned[col] = values.where(~risky, values[risky].map(neutralize))
    cleaned.columns = [str(neutralize(str(c))) for c in cleaned.columns]
    return cleaned.to_csv(index=False, lineterminator=ROW_END).encode("utf-8-sig")
