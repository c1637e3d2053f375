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


def safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads Cyrillic) with every text cell neutralized and every cell that holds a
    line break quoted. Made once per table content (``ui.by_content``): a page offers its downloads on every rerun,
    and the same rows give the same file."""
    return made_once(frame, ("csv",), lambda: _csv_of(frame))


def _csv_of(frame: pd.DataFrame) -> bytes:
    cleaned = frame.copy()
    for col in cleaned.columns:
        if cleaned[col].dtype == object or pd.api.types.is_string_dtype(cleaned[col]):
            values = cleaned[col]
            # only cells that start like a formula or hold a line break can change: the rest are left as they are
            risky = values.map(_risky, na_action="ignore").fillna(False).astype(bool)
            if risky.any():
                cleaned[col] = values.where(~risky, values[risky].map(neutralize))
    cleaned.columns = [str(neutralize(str(c))) for c in cleaned.columns]
    return cleaned.to_csv(index=False, lineterminator=ROW_END).encode("utf-8-sig")
