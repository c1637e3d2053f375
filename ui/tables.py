"""Tables as people read them: numbers in the UI language ("1 234,5"), no "None"/"nan" cells, internal ids shortened
(the full id is in the CSV), the meaningful columns first and sized to fit; the CSV keeps plain numbers (counts as
integers, never "3.0") and full ids."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from dashboard.i18n.formatting import csv_numbers, is_missing, table_text
from ui.csv_export import safe_csv
from ui.language import current_lang, tr

ID_CHARS = 8


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


def table(frame: pd.DataFrame, name: str, labels: dict[str, str] | str = "artist.col",
          kinds: dict[str, str] | None = None, ids: Iterable[str] = (), wide: Iterable[str] = ()) -> None:
    """Show ``frame`` (its columns in the order given: the meaningful ones first) with translated headers and a CSV
    download. ``labels`` maps a column to its header key, or is a key prefix (``artist.col`` → ``artist.col.plays``);
    ``ids`` are shortened on screen; ``wide`` columns (titles, messages) get the room."""
    header = {c: tr(labels[c] if isinstance(labels, dict) else f"{labels}.{c}") for c in frame.columns}
    kinds = {**infer_kinds(frame), **(kinds or {})}
    ids, wide = list(ids), list(wide)
    shown = frame.copy()
    for col in ids:
        shown[col] = shown[col].map(short_id)
    shown = table_text(shown, {c: k for c, k in kinds.items() if c not in ids}, current_lang())
    config: dict[str, object] = {}
    for col in frame.columns:
        if col in ids:
            config[header[col]] = st.column_config.TextColumn(width="small", help=tr("table.id_help"))
        elif col in wide:
            config[header[col]] = st.column_config.TextColumn(width="large")
        elif col in kinds:
            config[header[col]] = st.column_config.TextColumn(alignment="right")
    st.dataframe(shown.rename(columns=header), hide_index=True, width="stretch", column_config=config)
    csv_download(csv_numbers(frame, kinds).rename(columns=header), f"{name}.csv", key=f"dl_{name}")


def csv_download(frame: pd.DataFrame, filename: str, key: str) -> None:
    """A CSV download of ``frame``, disabled when empty. The bytes are made on each run: Streamlit's deferred
    (callable) ``data`` missed a click in the browser suite once in three runs, so it is not used."""
    st.download_button(tr("action.download_csv"), data=safe_csv(frame), file_name=filename, mime="text/csv", key=key,
                       disabled=frame.empty)
