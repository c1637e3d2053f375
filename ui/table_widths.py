"""Column widths that let a table fit the page: every column sized to its header and its longest cell, and when
the sum is wider than a table's room in a 1400 px window, the long texts (titles, reasons, fixes) give way first —
never the numbers, dates and statuses people compare. A cut text shows whole on hover, and the CSV has it.

Pure arithmetic on the texts a table shows (no Streamlit), so it is unit-tested; ``ui.tables`` turns the widths
into Streamlit's column config.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import pandas as pd

ROOM_PX = 914  # a table's room in a 1400 px window: the wide layout's main column is 940 px, less the border and a
#               vertical scrollbar's 16 px (a long table has one, and it takes its width from the columns)
CHAR_PX = 7.3  # the grid's 14 px Source Sans: an average letter or digit (measured in Chromium: 6.9–7.7)
WIDE_CHAR_PX = 14.0  # an emoji or a CJK letter
HEADER_EXTRA_PX = 8  # a header's letters are semi-bold
PAD_PX = 18  # a cell's padding, 8 px each side
MIN_PX = 56
MAX_PX = 420  # a very long cell still leaves room for the others
TEXT_MIN_PX = 110  # the narrowest a long text is squeezed to
ROWS_MEASURED = 200


@lru_cache(maxsize=65536)
def text_px(text: str, cap: float | None = None) -> float:
    """How wide ``text`` draws in the grid, roughly; with ``cap``, the count stops once it is reached (a column is
    never wider than ``MAX_PX``, and a long JSON value would otherwise be measured letter by letter). Remembered:
    a page measures the same cells on every rerun."""
    if text.isascii():  # no wide or combining letters
        return len(text) * CHAR_PX
    if cap is None:
        return sum(char_px(ch) for ch in text)
    total = 0.0
    for ch in text:
        total += char_px(ch)
        if total >= cap:
            break
    return total


def char_px(ch: str) -> float:
    return WIDE_CHAR_PX if unicodedata.east_asian_width(ch) in "WF" else 0 if unicodedata.combining(ch) else CHAR_PX


def natural_px(header: str, cells: Iterable[object]) -> int:
    """A column's width with its header and its longest cell whole (within ``MIN_PX``…``MAX_PX``)."""
    longest = max((text_px(str(c), cap=MAX_PX) for c in cells), default=0.0)
    return int(min(MAX_PX, max(MIN_PX, text_px(header) + HEADER_EXTRA_PX, longest) + PAD_PX))


def fit(shown: pd.DataFrame, squeezable: Iterable[str] = (), room: int = ROOM_PX,
        texts: Iterable[str] = (), text_min: int = TEXT_MIN_PX) -> dict[str, int]:
    """Pixel widths for the columns of ``shown`` (the texts as drawn, headers included): each column's natural
    width; when they add up to more than ``room``, the ``squeezable`` columns (long free texts: titles, reasons)
    give up their width first, in proportion to what each can give, down to ``text_min`` (in rows that wrap, a
    long text takes lines instead); then the other ``texts`` columns (names, places) down to their header.
    Numbers never shrink."""
    head = shown.head(ROWS_MEASURED)
    widths = {str(c): natural_px(str(c), head[c]) for c in shown.columns}
    first = [c for c in map(str, squeezable) if c in widths]
    then = [c for c in map(str, texts) if c in widths and c not in first]
    for group, floor in ((first, lambda c: text_min), (then, lambda c: max(natural_px(c, []), text_min))):
        excess = sum(widths.values()) - room
        give = {c: max(0, widths[c] - floor(c)) for c in group}
        can_give = sum(give.values())
        if excess <= 0 or not can_give:
            continue
        share = min(1.0, excess / can_give)
        for col, spare in give.items():
            widths[col] -= int(spare * share + 0.999)
    return widths


def fits(widths: Mapping[str, int], room: int = ROOM_PX) -> bool:
    return sum(widths.values()) <= room
