"""A SQL dialect for the build plan (``plan.py``): the handful of idioms in which DuckDB and PostgreSQL differ, as a
record of functions. Two exist: ``dialect_duckdb.DUCKDB`` and ``dialect_postgres.postgres_dialect(schema)``.

Every function returns SQL text built from trusted pieces only (layout names validated by ``layout.py``, constants
through ``lit``); no user data is ever interpolated, it only flows through tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboard.ingest.layout import Entry

Sql = str


def lit(value: Any) -> str:
    """A SQL literal for a trusted constant (layout constants, regexes, paths); the same text in both dialects."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict | list):
        return lit(json.dumps(value, ensure_ascii=False)) + "::JSON"
    return "'" + str(value).replace("'", "''") + "'"


def json_path(name: str) -> str:
    """A layout field path (``a.b``, ``list[0]``) as a JSONPath (``$.a.b``, ``$.list[0]``)."""
    return "$." + name if not name.startswith("[") else "$" + name


# a JSON object whose values are all integers of at most 9 digits (INTEGER-safe): a map of counts that needs no
# work (the fast path of count_map; RE2 and PostgreSQL ARE alike)
_NAME = r'"(?:[^"\\]|\\.)*"\s*:\s*-?[0-9]{1,9}\s*'
INTEGER_MAP_RE = r"\{\s*(?:" + _NAME + r"(?:,\s*" + _NAME + r")*)?\}"

TRUE_WORDS = "('true','t','1','yes','y','on','да')"
FALSE_WORDS = "('false','f','0','no','n','off','нет')"


@dataclass(frozen=True)
class Dialect:
    """How the plan's steps are spelled in one engine (see the field comments; ``x`` is an SQL expression)."""

    name: str                                        # "duckdb" or "postgresql"
    table: Callable[[str], Sql]                      # a build table's name (schema-qualified on PostgreSQL)
    fence: Sql                                       # appended to a subquery that must be computed once per row
    # classification and key segments
    match: Callable[[Entry, Sql], Sql]               # does key x fully match the entry's pattern
    segments: Callable[[Entry], Sql | None]          # select item "… AS s" with the key's segments, or None
    segment: Callable[[Entry, str], Sql]             # segment named col of s
    owner: Callable[[Entry], Sql]                    # the first segment of ``key`` (or NULL)
    # documents
    rows_of: Callable[[Entry, int, str], Sql]        # (key, doc, shape_ok) of an entry, from a work table
    is_array: Callable[[Sql], Sql]                   # is the JSON value x an array
    fields: Callable[[list[str]], Sql | None]        # select item reading these JSONPaths of doc at once, or None
    text_field: Callable[[int, str], Sql]            # field n (0-based) as text
    json_field: Callable[[int, str], Sql]            # field n as JSON (an object or array as is, a scalar as JSON)
    scalar_text: Callable[[Sql], Sql]                # a scalar JSON value's text
    json_of_text: Callable[[Sql], Sql]               # text as a JSON string
    as_text: Callable[[Sql], Sql]                    # a candidate value as text
    json_out: Callable[[Sql], Sql]                   # a raw JSON column value as stored
    constant: Callable[[Any, str], Sql]              # a layout constant for a column of the declared type
    null_of: Callable[[str], Sql]                    # a typed NULL for a declared type
    # coercions
    coerce: Callable[[Sql, str, str], Sql]           # text x as the declared type, NULL where it cannot
    rounded: Callable[[Sql], Sql]                    # text x as a BIGINT, rounded (counters)
    count_map: Callable[[Sql], tuple[Sql, Sql]]      # JSON x as a map of integer counts: (the map, entries dropped)
    index_rows: Callable[[Sql, str, str], Sql]       # (key, owner, position, id) of index arrays
    # the reject rules' primitives
    byte_length: Callable[[Sql], Sql]
    has_nul_char: Callable[[Sql], Sql]
    matches: Callable[[Sql, str], Sql]               # x matches the regular expression (unanchored)
    depth_over: Callable[[Sql], Sql]                 # JSON text x nests deeper than MAX_DEPTH (exact)
    ordered_inserts: bool                            # insert entity rows in PHYSICAL_ORDER (zone maps)
    flags_failures: bool = False                     # entity rows flag their failed coercions (plan.FAILED)
