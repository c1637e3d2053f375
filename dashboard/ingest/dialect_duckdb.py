"""The DuckDB dialect of the build plan (``plan.py``): the file ingest's build database."""

from __future__ import annotations

import re
from typing import Any

from dashboard.ingest.dialect import FALSE_WORDS, INTEGER_MAP_RE, TRUE_WORDS, Dialect, lit
from dashboard.ingest.layout import Entry
from dashboard.ingest.readers import MAX_DEPTH

_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_VARCHAR = re.compile(r"VARCHAR\((\d+)\)")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)


def coerce(raw: str, declared: str, column: str) -> str:
    """SQL that turns the text ``raw`` into the column's type, NULL where it cannot."""
    if declared == "TEXT":
        return raw
    if m := _VARCHAR.fullmatch(declared):
        return f"CASE WHEN length({raw}) <= {m.group(1)} THEN {raw} END"
    if declared in ("INTEGER", "BIGINT"):
        number = f"TRY_CAST({raw} AS DOUBLE)"
        as_int = f"CASE WHEN {number} = trunc({number}) THEN TRY_CAST({number} AS {declared}) END"
        if column != "duration":
            return as_int
        parts = f"string_split({raw}, ':')"
        clock = (
            f"CASE WHEN len({parts}) = 2 THEN TRY_CAST({parts}[1] AS INTEGER) * 60 + TRY_CAST({parts}[2] AS INTEGER) "
            f"ELSE TRY_CAST({parts}[1] AS INTEGER) * 3600 + TRY_CAST({parts}[2] AS INTEGER) * 60 "
            f"+ TRY_CAST({parts}[3] AS INTEGER) END"
        )
        return f"CASE WHEN regexp_full_match({raw}, '\\d{{1,4}}:\\d{{2}}(:\\d{{2}})?') THEN {clock} ELSE {as_int} END"
    if m := _DECIMAL.fullmatch(declared):
        return f"TRY_CAST({raw} AS DECIMAL({m.group(1)},{m.group(2)}))"
    if declared == "BOOLEAN":
        low = f"lower(trim({raw}))"
        return f"CASE WHEN {low} IN {TRUE_WORDS} THEN TRUE WHEN {low} IN {FALSE_WORDS} THEN FALSE END"
    if declared == "TIMESTAMPTZ":
        number = f"TRY_CAST({raw} AS DOUBLE)"
        epoch = f"to_timestamp(CASE WHEN abs({number}) >= 1e11 THEN {number} / 1000.0 ELSE {number} END)"
        return (
            f"CASE WHEN regexp_full_match({raw}, '-?\\d{{1,16}}(\\.\\d+)?') THEN {epoch} "
            f"ELSE TRY_CAST({raw} AS TIMESTAMPTZ) END"
        )
    if declared == "DATE":
        return (
            f"CASE WHEN length({raw}) = 10 THEN TRY_CAST({raw} AS DATE) "
            f"ELSE CAST(TRY_CAST({raw} AS TIMESTAMPTZ) AS DATE) END"
        )
    if declared == "TIME":
        return f"TRY_CAST({raw} AS TIME)"
    raise ValueError(f"no coercion for {declared}")


def first_char(expr: str) -> str:
    """The first character of a JSON value's text: enough to tell an object, an array or a scalar, with no parse."""
    return f"left(ltrim(CAST({expr} AS VARCHAR)), 1)"


def rows_of(entry: Entry, pid: int, src: str) -> str:
    """The rows an entry reads: (key, doc, shape_ok), where shape_ok says the doc has the shape the entry wants."""
    if entry.shape == "array":
        elements = (
            f"SELECT key, unnest(json_extract(value, '$[*]')) AS doc FROM {src} "
            f"WHERE pid = {pid} AND {first_char('value')} = '['"
        )
        return f"SELECT key, doc, {first_char('doc')} = '{{' AS shape_ok FROM ({elements})"
    if entry.shape == "scalar":
        return (f"SELECT key, value AS doc, {first_char('value')} NOT IN ('{{', '[') AS shape_ok FROM {src} "
                f"WHERE pid = {pid}")
    return f"SELECT key, value AS doc, {first_char('value')} = '{{' AS shape_ok FROM {src} WHERE pid = {pid}"


def owner(entry: Entry) -> str:
    if not entry.segments:
        return "NULL"
    return f"regexp_extract(key, {lit('^' + entry.regex + '$')}, 1)"


def segments(entry: Entry) -> str | None:
    if not entry.segments:
        return None
    names = ", ".join(lit(s) for s in entry.segments)
    return f"regexp_extract(key, {lit('^' + entry.regex + '$')}, [{names}]) AS s"


def json_field(n: int, _path: str) -> str:
    """json_extract_string gives an object's or array's JSON text; a scalar becomes a JSON string."""
    f = f"f[{n + 1}]"
    return f"CASE WHEN left({f}, 1) IN ('{{', '[') THEN CAST({f} AS JSON) ELSE to_json({f}) END"


def constant(value: Any, declared: str) -> str:
    if declared == "JSONB":
        return lit(value)
    return lit(str(value).lower() if isinstance(value, bool) else value)


def count_map(x: str) -> tuple[str, str]:
    """A JSON object of counts with every value an integer (issue 27 item 10): integer-like values become numbers,
    the others are dropped. Returns (the map, how many entries were dropped); not an object: NULL, 0."""
    n = coerce("e.value->>'$'", "INTEGER", "count")
    entries = f"map_entries(TRY_CAST({x} AS MAP(VARCHAR, JSON)))"
    pairs = f"list_transform({entries}, lambda e: {{'key': e.key, 'value': {n}}})"
    kept = f"list_filter({pairs}, lambda e: e.value IS NOT NULL)"
    is_map = f"json_type({x}) = 'OBJECT'"
    clean = f"regexp_full_match(CAST({x} AS VARCHAR), {lit(INTEGER_MAP_RE)})"  # the usual case: nothing to do
    return (f"CASE WHEN {clean} THEN {x} WHEN {is_map} THEN to_json(map_from_entries({kept})) END",
            f"CASE WHEN {clean} THEN 0 WHEN {is_map} THEN len(json_keys({x})) - len({kept}) ELSE 0 END")


def index_rows(owner_case: str, src: str, pids: str) -> str:
    """kv_index's rows in list-key order (as on PostgreSQL): data health reads one key prefix per kind of list,
    and the zone maps of a sorted column skip the other kinds' blocks."""
    return ("SELECT key, owner, i, CASE WHEN json_type(e) = 'OBJECT' THEN e->>'$.id' ELSE e->>'$' END "
            "FROM (SELECT key, owner, unnest(range(len(l))) AS i, unnest(l) AS e "
            f"FROM (SELECT key, {owner_case} AS owner, json_extract(value, '$[*]') AS l FROM {src} "
            f"WHERE pid IN ({pids}) AND {first_char('value')} = '[')) ORDER BY key, i")


def json_depth_over(text: str) -> bool:
    """True when the JSON text nests deeper than MAX_DEPTH (strings skipped; no recursion). Registered as a
    function of the build database (build.open_build)."""
    depth = 0
    for c in _JSON_STRING.sub("", text):
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif c in "]}":
            depth -= 1
    return False


DUCKDB = Dialect(
    name="duckdb",
    table=lambda table: table,
    fence="",
    match=lambda entry, key: f"regexp_full_match({key}, {lit(entry.regex)})",
    segments=segments,
    segment=lambda _entry, col: f"s.{col}",
    owner=owner,
    rows_of=rows_of,
    is_array=lambda x: f"{first_char(x)} = '['",
    # one parse of each document: every path in one json_extract_string
    fields=lambda paths: f"json_extract_string(doc, [{', '.join(lit(p) for p in paths)}]) AS f",
    text_field=lambda n, _path: f"f[{n + 1}]",
    json_field=json_field,
    scalar_text=lambda x: f"{x}->>'$'",
    json_of_text=lambda x: x,
    as_text=lambda x: f"CAST({x} AS VARCHAR)",
    json_out=lambda x: x,
    constant=constant,
    null_of=lambda declared: "NULL::JSON" if declared == "JSONB" else "NULL::VARCHAR",
    coerce=coerce,
    rounded=lambda x: f"TRY_CAST(TRY_CAST({x} AS DOUBLE) AS BIGINT)",
    count_map=count_map,
    index_rows=index_rows,
    byte_length=lambda x: f"strlen({x})",
    has_nul_char=lambda x: f"contains({x}, chr(0))",
    matches=lambda x, pattern: f"regexp_matches({x}, {lit(pattern)})",
    depth_over=lambda x: f"json_depth_over({x})",
    ordered_inserts=True,
    flags_failures=True,
)
