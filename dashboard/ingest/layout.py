"""Declarative key layouts: which KV keys become rows of which reference table.

A layout is a JSON data file (two ship in ``dashboard/layouts/``: ``seed`` and ``deployed``). Each entry has:

- ``pattern``: the key, with ``{column}`` placeholders for key segments (``tracks:{user_id}:{id}``). A placeholder
  may carry its own regular expression: ``banner_ad_{user_id:[^_:]+}_{id}``. Segments become columns of the same
  name when the table has such a column.
- ``shape``: ``object`` (one row), ``array`` (one row per element), ``index`` (an array of ids, kept in
  ``kv_index``), ``scalar`` (the value is one column, named by ``column``), ``counter`` (kept in ``kv_counters``)
  or ``unmodeled`` (known, but not part of the relational model: listed in ``kv_unmapped``).
- ``table``: the entity table: one of the 24 reference tables or the platform's tables (``schema.PLATFORM_TABLES``);
  not for index, counter and unmodeled.
- ``reason``: for ``unmodeled`` entries (required there): why the pattern is not modelled on purpose, one line; the
  ingest summary prints it.
- ``fields``: extra aliases for this entry, ``{"column": ["sourceField", "nested.path", "list[0]"]}``.
- ``constants``: columns with a fixed value, such as ``{"is_promoted": true}``.

Layout-wide ``aliases`` apply to every entry; with ``camel_case`` each column also reads its camelCase spelling.
A custom layout may carry its ``moderation`` rules (statuses per entity; see dashboard/moderation/config.py).
``null_segments`` are key segments that mean "no value" (the deployed code writes ``payments:null:tx:…``).
More specific patterns win: more literal characters first, so ``tracks:{user_id}:list`` is an index, not a track.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.moderated_entities import CatalogueError, check_moderation_section
from dashboard.store.schema import DERIVED_TABLES, ENTITY_TABLES

LAYOUT_DIR = Path(__file__).parent / "layouts"
SHAPES = {"object", "array", "index", "scalar", "counter", "unmodeled"}
TABLE_SHAPES = {"object", "array", "scalar"}
_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^{}]+))?\}")
_FIELD_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$")


class LayoutError(ValueError):
    """A layout file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Entry:
    pattern: str
    shape: str
    table: str | None
    regex: str
    prefix: str
    segments: tuple[str, ...]
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    column: str | None = None
    specificity: tuple[int, int] = (0, 0)
    reason: str | None = None


@dataclass(frozen=True)
class Layout:
    name: str
    entries: tuple[Entry, ...]
    null_segments: tuple[str, ...]


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def compile_pattern(pattern: str) -> tuple[str, str, tuple[str, ...], int]:
    """A key pattern as (RE2 regex, literal prefix, segment names, literal character count)."""
    parts: list[str] = []
    names: list[str] = []
    literal_chars = 0
    pos = 0
    for m in _PLACEHOLDER.finditer(pattern):
        literal = pattern[pos : m.start()]
        literal_chars += len(literal)
        parts.append(re.escape(literal))
        names.append(m.group(1))
        parts.append(f"({m.group(2) or '[^:]+'})")
        pos = m.end()
    tail = pattern[pos:]
    literal_chars += len(tail)
    parts.append(re.escape(tail))
    if "{" in _PLACEHOLDER.sub("", pattern) or "}" in _PLACEHOLDER.sub("", pattern):
        raise LayoutError(f"pattern {pattern!r}: a placeholder is not of the form {{name}} or {{name:regex}}")
    regex = "".join(parts)
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        raise LayoutError(f"pattern {pattern!r}: bad regular expression ({exc})") from None
    if compiled.groups != len(names):
        raise LayoutError(f"pattern {pattern!r}: placeholder regexes must not contain capture groups")
    if len(set(names)) != len(names):
        raise LayoutError(f"pattern {pattern!r}: a placeholder name is used twice")
    first = _PLACEHOLDER.search(pattern)
    prefix = pattern[: first.start()] if first else pattern
    return regex, prefix, tuple(names), literal_chars


def _entry(raw: dict[str, Any], aliases: dict[str, list[str]], camel_case: bool, where: str) -> Entry:
    if not isinstance(raw, dict) or not isinstance(raw.get("pattern"), str) or not raw["pattern"]:
        raise LayoutError(f"{where}: every entry needs a non-empty string 'pattern'")
    pattern = raw["pattern"]
    shape = raw.get("shape", "object")
    if shape not in SHAPES:
        raise LayoutError(f"{where} {pattern!r}: unknown shape {shape!r} (one of {', '.join(sorted(SHAPES))})")
    table = raw.get("table")
    if shape in TABLE_SHAPES:
        if table not in ENTITY_TABLES or table in DERIVED_TABLES:
            raise LayoutError(f"{where} {pattern!r}: 'table' must be one of the 24 reference tables or a platform "
                              f"table (dashboard/store/schema.py), not {table!r}")
    elif table is not None:
        raise LayoutError(f"{where} {pattern!r}: shape {shape!r} takes no table")
    reason = raw.get("reason")
    if shape == "unmodeled":
        if not isinstance(reason, str) or not reason.strip() or "\n" in reason:
            raise LayoutError(f"{where} {pattern!r}: an unmodeled entry needs a 'reason', one line saying why it is "
                              "not modelled")
    elif reason is not None:
        raise LayoutError(f"{where} {pattern!r}: only unmodeled entries take a 'reason'")
    regex, prefix, segments, literal_chars = compile_pattern(pattern)
    sources: dict[str, tuple[str, ...]] = {}
    constants: dict[str, Any] = dict(raw.get("constants") or {})
    column = raw.get("column")
    if table:
        columns = {c for c, _ in ENTITY_TABLES[table]}
        extra = raw.get("fields") or {}
        for col in list(extra) + list(constants):
            if col not in columns:
                raise LayoutError(f"{where} {pattern!r}: {table} has no column {col!r}")
        if shape == "scalar" and column not in columns:
            raise LayoutError(f"{where} {pattern!r}: a scalar entry needs 'column', a column of {table}")
        for col in columns:
            names: list[str] = list(extra.get(col, [])) + list(aliases.get(col, [])) + [col]
            if camel_case:
                names.append(camel(col))
            for name in names:
                if not isinstance(name, str) or not _FIELD_PATH.match(name):
                    raise LayoutError(f"{where} {pattern!r}: bad field name {name!r} for {col}")
            sources[col] = tuple(dict.fromkeys(names))
    return Entry(
        pattern=pattern,
        shape=shape,
        table=table,
        regex=regex,
        prefix=prefix,
        segments=segments,
        sources=sources,
        constants=constants,
        column=column,
        specificity=(literal_chars, -len(segments)),
        reason=reason.strip() if isinstance(reason, str) else None,
    )


def parse_layout(doc: Any, name: str) -> Layout:
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise LayoutError(f"layout {name}: expected an object with an 'entries' list")
    aliases = doc.get("aliases") or {}
    if not isinstance(aliases, dict) or not all(isinstance(v, list) for v in aliases.values()):
        raise LayoutError(f"layout {name}: 'aliases' must map a column to a list of field names")
    camel_case = bool(doc.get("camel_case", True))
    entries = [_entry(raw, aliases, camel_case, f"layout {name} entry {i + 1}") for i, raw in enumerate(doc["entries"])]
    seen: set[str] = set()
    for e in entries:
        if e.pattern in seen:
            raise LayoutError(f"layout {name}: pattern {e.pattern!r} appears twice")
        seen.add(e.pattern)
    if "moderation" in doc:  # the moderation rules of a custom layout (dashboard/moderation/config.py)
        try:
            check_moderation_section(doc["moderation"], f"layout {name}")
        except CatalogueError as exc:
            raise LayoutError(str(exc)) from None
    entries.sort(key=lambda e: e.specificity, reverse=True)
    return Layout(name=doc.get("name", name), entries=tuple(entries), null_segments=tuple(doc.get("null_segments", [])))


def layout_path(spec: str) -> Path:
    """The file of the layout ``spec`` (``seed``, ``deployed`` or a path to a layout JSON file)."""
    return LAYOUT_DIR / f"{spec}.json" if spec in ("seed", "deployed") else Path(spec)


def load_layout(spec: str) -> Layout:
    """``seed``, ``deployed`` or a path to a layout JSON file."""
    path = layout_path(spec)
    if not path.is_file():
        raise LayoutError(f"layout {spec!r} not found: use seed, deployed or the path of a layout JSON file")
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise LayoutError(f"layout {path}: not valid JSON ({exc})") from None
    except RecursionError:
        raise LayoutError(f"layout {path}: nested too deeply to be a layout") from None
    try:
        return parse_layout(doc, path.stem)
    except RecursionError:
        raise LayoutError(f"layout {path}: nested too deeply to be a layout") from None
