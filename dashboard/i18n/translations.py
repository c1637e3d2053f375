"""The UI's one translation table. Russian is the default, English the alternative.

The table is kept as JSON files in ``dashboard/strings/`` (one per area of the app: ``core.json``,
``moderation.json``, …), merged into one table at import; a key defined twice is an error. Each entry is
``"key": {"ru": "…", "en": "…"}`` and may use ``{name}`` placeholders.
"""

from __future__ import annotations

import functools
import json
import math
import re
from pathlib import Path

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"
STRINGS_DIR = Path(__file__).parent / "strings"


def load_table(directory: Path = STRINGS_DIR) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for path in sorted(directory.glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in entries.items():
            if key in table:
                raise ValueError(f"translation key {key!r} defined twice ({path.name})")
            table[key] = texts
    return table


TEXTS = load_table()

# Quotes inside quotes: a value put between «…» in a text has its own «…» turned into „…“ (Russian typography:
# «Радио „Северный ветер“»), and between “…” its “…” into ‘…’ (English).
NESTED_QUOTES = {("«", "»"): str.maketrans({"«": "„", "»": "“"}), ("“", "”"): str.maketrans({"“": "‘", "”": "’"})}


@functools.lru_cache(maxsize=4096)
def _quoted_fields(text: str) -> tuple[tuple[str, dict[int, str]], ...]:
    """The fields ``text`` puts between quotes, each with its quotes' inner-pair table (a text is read once)."""
    return tuple((name, table) for (opening, closing), table in NESTED_QUOTES.items()
                 for name in re.findall(re.escape(opening) + r"\{(\w+)\}" + re.escape(closing), text))


def nested_quotes(text: str, fmt: dict[str, object]) -> dict[str, object]:
    """``fmt`` with each text value that ``text`` puts between quotes requoted with the inner pair."""
    fields = _quoted_fields(text)
    if not fields:
        return fmt
    out = dict(fmt)
    for name, table in fields:
        value = fmt.get(name)
        if isinstance(value, str):
            out[name] = value.translate(table)
    return out


def quoted(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """``text`` in the language's quotes, its own quotes turned into the inner pair: «Радио „Северный ветер“»."""
    opening, closing = ("“", "”") if lang == "en" else ("«", "»")
    return opening + text.translate(NESTED_QUOTES[(opening, closing)]) + closing


def t(key: str, lang: str = DEFAULT_LANGUAGE, **fmt: object) -> str:
    """The UI text for ``key`` in ``lang`` (falling back to Russian, then to the key itself); a value the text
    quotes keeps its own quotes as the inner pair („…“ inside «…»)."""
    entry = TEXTS.get(key)
    text = key if entry is None else entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or key
    return text.format(**nested_quotes(text, fmt)) if fmt else text


def translated(prefix: str, value: object, lang: str) -> str:
    """The UI text for a data value (a status, a kind: ``prefix.value``), or the value itself when the table has no
    text for it; a missing value is "—"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    key = f"{prefix}.{value}"
    text = t(key, lang)
    return str(value) if text == key else text


def country_name(code: object, lang: str) -> str:
    """A country's name in the UI language ("Россия" for RU); a code the table does not know stays as it is."""
    return translated("country", str(code).upper(), lang) if code else "—"
