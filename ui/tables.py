"""Tables as people read them: numbers in the UI language ("1 234,5"), no "None"/"nan" cells, internal ids shortened
(the full id is in the CSV), the meaningful columns first and sized to fit; the CSV keeps plain numbers (counts as
integers, never "3.0") and full ids."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import csv_numbers, is_missing, table_text
from dashboard.i18n.translations import TEXTS
from ui import table_widths
from ui.by_content import made_once
from ui.csv_export import safe_csv
from ui.language import current_lang, tr
from ui.plain_text import markdown_text

ID_CHARS = 8
# rows tall enough for three lines: Streamlit wraps a cell's text only in rows over 64 px (4rem)
WRAPPED_ROW_PX = 70


def short_id(value: object) -> str:
    """An internal id cut to its first characters ("a1b2c3d4…"); the CSV has it in full."""
    if is_missing(value):
        return "—"
    text = str(value)
    return text if len(text) <= ID_CHARS + 1 else text[:ID_CHARS] + "…"


def infer_kinds(frame: pd.DataFrame) -> dict[str, str]:
    """How each numeric column reads: rates (``*_pct``, ``*_rate``) with one decimal, whole numbers as counts, the
    rest with up to two decimals. Text columns stay text."""
    kinds: dict[str, str] = {}
    for col in frame.columns:
        values = frame[col]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if str(col).endswith(("_pct", "_rate")):
            kinds[col] = "pct"
        elif bool((values.dropna() % 1 == 0).all()):
            kinds[col] = "count"
        else:
            kinds[col] = "amount"
    return kinds


def column_config(shown: pd.DataFrame, squeezable: Iterable[str] = (), right: Iterable[str] = (),
                  help_of: dict[str, str] | None = None, texts: Iterable[str] = (),
                  room: int = table_widths.ROOM_PX, text_min: int = table_widths.TEXT_MIN_PX,
                  widths: dict[str, int] | None = None) -> dict[str, object]:
    """Streamlit's column config for a table of texts (``shown``, headers as shown): widths that fit a 1400 px
    window (``ui.table_widths``: the ``squeezable`` long texts give way first, then ``texts``; or ``widths``, when
    already measured), numbers aligned right, a tooltip on the headers in ``help_of``."""
    right, help_of = set(right), help_of or {}
    if widths is None:
        widths = table_widths.fit(shown, squeezable, room=room, texts=texts, text_min=text_min)
    return {col: st.column_config.TextColumn(width=px, alignment="right" if col in right else None,
                                             help=markdown_text(help_of[col]) if col in help_of else None)
            for col, px in widths.items()}


def headers(frame: pd.DataFrame, labels: dict[str, str] | str) -> tuple[dict[str, str], dict[str, str]]:
    """Each column's header, and the tooltips of the headers that are shortened: a header key with a ``.short``
    entry ("За всё время") shows that, its full text ("Прослушивания за всё время") on hover."""
    keys = {c: labels[c] if isinstance(labels, dict) else f"{labels}.{c}" for c in frame.columns}
    shown = {c: tr(f"{k}.short") if f"{k}.short" in TEXTS else tr(k) for c, k in keys.items()}
    return shown, {shown[c]: tr(k) for c, k in keys.items() if f"{k}.short" in TEXTS}


def table(frame: pd.DataFrame, name: str, labels: dict[str, str] | str = "artist.col",
          kinds: dict[str, str] | None = None, ids: Iterable[str] = (), wide: Iterable[str] = (),
          screen: Iterable[str] | None = None, csv: bool = True) -> None:
    """Show ``frame`` (its columns in the order given: the meaningful ones first) with translated headers and a CSV
    download. ``labels`` maps a column to its header key, or is a key prefix (``artist.col`` → ``artist.col.plays``);
    ``ids`` are shortened on screen; ``wide`` columns (titles, messages) give way first when the table would not
    fit a 1400 px window (``column_config``). ``screen``: the columns shown, when the CSV has more (every column
    of ``frame``, with the full headers); ``csv`` False: no download (another table on the page has it)."""
    lang = current_lang()
    ids, wide, screen = tuple(ids), tuple(wide), None if screen is None else tuple(screen)
    how = ("table", lang, repr(labels), repr(sorted((kinds or {}).items())), ids, wide, screen, csv)
    shown, config, data = made_once(frame, how, lambda: _prepared(frame, labels, kinds, ids, wide, screen, csv, lang))
    # each column's config is copied: Streamlit may fill in a config it is given, and these are shared
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_config={c: dict(v) if isinstance(v, dict) else v for c, v in config.items()})
    if data is not None:
        st.download_button(tr("action.download_csv"), data=data, file_name=f"{name}.csv", mime="text/csv",
                           key=f"dl_{name}", disabled=frame.empty)


def _prepared(frame: pd.DataFrame, labels: dict[str, str] | str, kinds: dict[str, str] | None, ids: Iterable[str],
              wide: Iterable[str], screen: Iterable[str] | None, csv: bool,
              lang: str) -> tuple[pd.DataFrame, dict[str, object], bytes | None]:
    """What ``table`` shows, made once per content (``ui.by_content``): the cells as text, the columns' config, and
    the CSV's bytes (None without a download)."""
    header, help_of = headers(frame, labels)
    full = {c: help_of.get(h, h) for c, h in header.items()}
    kinds = {**infer_kinds(frame), **(kinds or {})}
    ids, wide = list(ids), list(wide)
    shown = frame[list(screen)].copy() if screen is not None else frame.copy()
    for col in [c for c in ids if c in shown.columns]:
        shown[col] = shown[col].map(short_id)
    on_screen = set(shown.columns)
    shown = table_text(shown, {c: k for c, k in kinds.items() if c not in ids}, lang).rename(columns=header)
    help_of.update({header[c]: tr("table.id_help") for c in ids})
    config = column_config(shown, squeezable=[header[c] for c in wide if c in on_screen],
                           right=[header[c] for c in kinds if c not in ids and c in on_screen], help_of=help_of)
    data = safe_csv(csv_numbers(frame, kinds).rename(columns=full)) if csv else None
    return shown, config, data


def csv_download(frame: pd.DataFrame, filename: str, key: str, data: bytes | None = None) -> None:
    """A CSV download of ``frame``, disabled when empty (``data``: its bytes, when the page already made them with
    ``safe_csv``, e.g. cached with the rest of its report). The bytes are made on each run: Streamlit's deferred
    (callable) ``data`` missed a click in the browser suite once in three runs, so it is not used."""
    st.download_button(tr("action.download_csv"), data=safe_csv(frame) if data is None else data, file_name=filename,
                       mime="text/csv", key=key, disabled=frame.empty)
