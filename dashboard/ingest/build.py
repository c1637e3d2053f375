"""Ingest: KV snapshot files → ``kv_store`` + the reference tables, on DuckDB or PostgreSQL.

The work happens in a DuckDB build database, in SQL: the files are streamed into a staging table in batches,
validated and deduplicated (the last occurrence of a key wins), double-encoded JSON is decoded, each key is
classified by the layout, and each layout entry becomes one ``INSERT … SELECT`` with its type coercions.

Atomic replace: for a DuckDB store the build database is a new file that replaces the old one with a rename,
after the tables the dashboard writes itself (``ingest_runs``, ``moderation_log``, …) are copied over. For
PostgreSQL the build is copied in with ``COPY`` inside one transaction. Either way a failure, or kill -9, midway
leaves the previous content as it was.

The layout's field names and patterns end up in SQL text: they are validated in ``layout.py`` (names against a
strict pattern, tables and columns against the reference schema) and quoted here; no user data is ever
interpolated, it only flows through tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.i18n.formatting import TIMEZONE
from dashboard.ingest.layout import Entry, Layout, load_layout
from dashboard.ingest.readers import (
    INVALID_UTF8,
    MAX_DEPTH,
    NUL_REASON,
    RAW_CAP,
    TOO_DEEP,
    SourceFile,
    detect,
    parquet_path,
    read_batches,
    sha256_of,
)
from dashboard.ingest.result import IngestError, IngestResult
from dashboard.ingest.target import (
    WORKDIR_PREFIX,
    Append,
    Finish,
    Target,
    duckdb_target,
    first_line,
    refuse_empty,
    run_row,
    wal_of,
)
from dashboard.store import schema
from dashboard.store.connect import Store

DUCKDB_MEMORY_LIMIT = os.environ.get("PROMO_INGEST_MEMORY", "700MB")
PROGRESS_BYTES = 50 * 1024 * 1024

Say = Callable[[str], None]


# ---------------------------------------------------------------- SQL text helpers


def lit(value: Any) -> str:
    """A SQL literal for a trusted constant (layout constants, regexes, paths)."""
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
    return "$." + name if not name.startswith("[") else "$" + name


_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_VARCHAR = re.compile(r"VARCHAR\((\d+)\)")
_TRUE = "('true','t','1','yes','y','on','да')"
_FALSE = "('false','f','0','no','n','off','нет')"


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
        return f"CASE WHEN {low} IN {_TRUE} THEN TRUE WHEN {low} IN {_FALSE} THEN FALSE END"
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


def entry_source_sql(entry: Entry, pid: int, src: str = "kv_work") -> str:
    """The rows an entry reads: (key, doc, shape_ok), where shape_ok says the doc has the shape the entry wants."""
    if entry.shape == "array":
        elements = (
            f"SELECT key, unnest(json_extract(value, '$[*]')) AS doc FROM {src} "
            f"WHERE pid = {pid} AND {first_char('value')} = '['"
        )
        return f"SELECT key, doc, {first_char('doc')} = '{{' AS shape_ok FROM ({elements})"
    if entry.shape == "scalar":
        return f"SELECT key, value AS doc, {first_char('value')} NOT IN ('{{', '[') AS shape_ok FROM {src} " \
               f"WHERE pid = {pid}"
    return f"SELECT key, value AS doc, {first_char('value')} = '{{' AS shape_ok FROM {src} WHERE pid = {pid}"


def entity_select(entry: Entry, layout: Layout, pid: int, src: str = "kv_work") -> tuple[str, list[str], list[str]]:
    """SELECT producing r_<col> (raw text) for the columns that can fail coercion and c_<col> (coerced) for every
    column of the entry's table. Returns the SQL, the columns that can fail coercion, and the columns."""
    assert entry.table
    columns = schema.REFERENCE_TABLES[entry.table]
    text_paths: list[str] = []  # one parse of each document: every path in one json_extract_string
    raw_exprs: dict[str, str] = {}
    nulls = ", ".join(lit(s) for s in layout.null_segments) or "NULL"
    for col, declared in columns:
        candidates: list[str] = []
        if col in entry.segments:
            seg = f"s.{col}"
            candidates.append(f"CASE WHEN {seg} IN ({nulls}) THEN NULL ELSE {seg} END")
        if col in entry.constants:
            value = entry.constants[col]
            candidates.append(lit(value) if declared == "JSONB" else lit(str(value).lower() if isinstance(value, bool)
                                                                          else value))
        if entry.shape == "scalar":
            if col == entry.column:
                candidates.append("doc->>'$'")
        else:
            for name in entry.sources[col]:
                text_paths.append(json_path(name))
                candidates.append(f"f[{len(text_paths)}]")
        if declared == "JSONB":
            # json_extract_string gives an object's or array's JSON text; a scalar becomes a JSON string
            cand = [f"CASE WHEN left({c}, 1) IN ('{{', '[') THEN CAST({c} AS JSON) ELSE to_json({c}) END"
                    if c.startswith("f[") else c for c in candidates]
            raw_exprs[col] = f"COALESCE({', '.join(cand)})" if cand else "NULL::JSON"
        else:
            cand = [f"CAST({c} AS VARCHAR)" for c in candidates]
            raw_exprs[col] = f"COALESCE({', '.join(cand)})" if cand else "NULL::VARCHAR"
    lists = ["key", "doc", "shape_ok"]
    if text_paths:
        lists.append(f"json_extract_string(doc, [{', '.join(lit(p) for p in text_paths)}]) AS f")
    if entry.segments:
        names = ", ".join(lit(s) for s in entry.segments)
        lists.append(f"regexp_extract(key, {lit('^' + entry.regex + '$')}, [{names}]) AS s")
    inner = f"SELECT {', '.join(lists)} FROM ({entry_source_sql(entry, pid, src)})"
    raw_sel = ", ".join(f"{expr} AS r_{col}" for col, expr in raw_exprs.items())
    mid = f"SELECT key, shape_ok, {raw_sel} FROM ({inner})"
    out: list[str] = []
    fallible: list[str] = []
    for col, declared in columns:
        if declared in ("TEXT", "JSONB"):
            out.append(f"r_{col} AS c_{col}")
        else:
            out.append(f"{coerce(f'r_{col}', declared, col)} AS c_{col}")
            fallible.append(col)
    raw_cols = "".join(f"r_{c}, " for c in fallible)
    select = f"SELECT key, shape_ok, {raw_cols}{', '.join(out)} FROM ({mid})"
    return select, fallible, [c for c, _ in columns]


# ---------------------------------------------------------------- the build


def classify_sql(layout: Layout) -> str:
    branches = []
    for pid, entry in enumerate(layout.entries):
        cond = f"regexp_full_match(k, {lit(entry.regex)})"
        if entry.prefix:
            cond = f"starts_with(k, {lit(entry.prefix)}) AND {cond}"
        branches.append(f"WHEN {cond} THEN {pid}")
    return "CASE " + " ".join(branches) + " END" if branches else "NULL::INTEGER"


MAX_KEY_BYTES = 2000
LONG_KEY = f"key longer than {MAX_KEY_BYTES} bytes (PostgreSQL cannot index it)"
NONFINITE = "NaN or Infinity, which JSON and PostgreSQL jsonb do not allow"
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)

# Records one engine cannot store are rejected on both, so both hold the same content: a NUL (raw, or \u0000 not
# preceded by an escaping backslash), NaN/Infinity outside strings (DuckDB reads them, jsonb does not), a key over
# PostgreSQL's btree limit, nesting deeper than MAX_DEPTH. Cheap tests first: the regexes run only on suspects.
HOSTILE_MACROS = (
    r"""CREATE OR REPLACE MACRO nul_json(t) AS contains(t, chr(0))
        OR (contains(t, '\u0000') AND regexp_matches(t, '(?:^|[^\\])(?:\\\\)*\\u0000'))""",
    r"""CREATE OR REPLACE MACRO nonfinite_json(t) AS (contains(t, 'NaN') OR contains(t, 'Infinity'))
        AND regexp_matches(regexp_replace(t, '"(?:[^"\\]|\\.)*"', '', 'g'), 'NaN|Infinity')""",
    f"""CREATE OR REPLACE MACRO deep_json(t) AS strlen(t) > {2 * MAX_DEPTH}
        AND strlen(t) - strlen(replace(replace(t, '[', ''), '{{', '')) > {MAX_DEPTH} AND json_depth_over(t)""",
    f"""CREATE OR REPLACE MACRO hostile_reason(k, t) AS CASE
        WHEN strlen(k) > {MAX_KEY_BYTES} THEN {{long_key}}
        WHEN contains(k, chr(0)) OR nul_json(t) THEN {{nul}}
        WHEN nonfinite_json(t) THEN {{nonfinite}}
        WHEN deep_json(t) THEN {{deep}} END""",
)


def json_depth_over(text: str) -> bool:
    """True when the JSON text nests deeper than MAX_DEPTH (strings skipped; no recursion)."""
    depth = 0
    for c in _JSON_STRING.sub("", text):
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return True
        elif c in "]}":
            depth -= 1
    return False


def open_build(path: Path, workdir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    con.create_function("json_depth_over", json_depth_over, ["VARCHAR"], "BOOLEAN", side_effects=False)
    reasons = {"long_key": lit(LONG_KEY), "nul": lit(NUL_REASON), "nonfinite": lit(NONFINITE), "deep": lit(TOO_DEEP)}
    for macro in HOSTILE_MACROS:
        con.execute(macro.replace("{long_key}", reasons["long_key"]).replace("{nul}", reasons["nul"])
                    .replace("{nonfinite}", reasons["nonfinite"]).replace("{deep}", reasons["deep"]))
    con.execute(f"SET TimeZone = {lit(TIMEZONE)}")
    con.execute(f"SET memory_limit = {lit(DUCKDB_MEMORY_LIMIT)}")
    con.execute(f"SET temp_directory = {lit(str(workdir))}")
    con.execute("SET preserve_insertion_order = false")
    con.execute(f"SET enable_progress_bar = {'true' if sys.stderr.isatty() else 'false'}")
    return con


# A value that is a JSON string holding a JSON object or array (the platform's JSON.stringify into jsonb).
# Nested CASEs: DuckDB evaluates a THEN branch only for the rows its WHEN selected, so only strings are parsed twice.
WAS_ENCODED = (
    "COALESCE(CASE WHEN left(CAST(v AS VARCHAR), 1) = '\"' THEN CASE WHEN json_valid(v->>'$') "
    "THEN json_type(v->>'$') IN ('OBJECT', 'ARRAY') END END, FALSE)"
)
DECODED = f"CASE WHEN {WAS_ENCODED} THEN json(v->>'$') ELSE v END"


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """kv_work becomes kv_store at the end (no copy of the values): one row per distinct key, decoded, classified."""
    con.execute(
        "CREATE TABLE kv_work (file_no INTEGER, key VARCHAR, value JSON, pid INTEGER, was_encoded BOOLEAN)"
    )
    con.execute(schema.create_table_sql("kv_rejects", "duckdb"))


def work_insert_sql(classify: str, source: str) -> str:
    """INSERT rows (file_no, k, v) of ``source`` into kv_work, decoded and classified."""
    return (
        f"INSERT INTO kv_work SELECT file_no, k, {DECODED}, {classify}, {WAS_ENCODED} "
        f"FROM ({source})"
    )


def stage_files(con: duckdb.DuckDBPyConnection, sources: list[SourceFile], layout: Layout, result: IngestResult,
                workdir: Path, say: Say) -> None:
    """Load every file into kv_work (and bad records into kv_rejects). Clean NDJSON and JSON-array files take the
    fast path (DuckDB's own JSON reader); a file the fast path cannot vouch for is read record by record."""
    create_work_tables(con)
    classify = classify_sql(layout)
    for file_no, src in enumerate(sources):
        if src.size >= PROGRESS_BYTES:
            say(f"  reading {src.path.name} ({src.size / 1e6:,.0f} MB, {src.format}{', gzip' if src.gzipped else ''})…")
        if src.format in ("ndjson", "json") and fast_stage(con, file_no, src, classify, result):
            continue
        if src.size >= PROGRESS_BYTES and src.format in ("ndjson", "json"):
            say(f"  {src.path.name} has records to check one by one; reading it again record by record")
        careful_stage(con, file_no, src, classify, result, workdir, say)


def fast_stage(con: duckdb.DuckDBPyConnection, file_no: int, src: SourceFile, classify: str,
               result: IngestResult) -> bool:
    """Read the whole file with read_json. Only a perfect file is kept: every record an object with a non-empty
    string key and a value, and no key twice (record order, which decides duplicates, is not kept here)."""
    fmt = "newline_delimited" if src.format == "ndjson" else "array"
    compression = "gzip" if src.gzipped else "none"
    reader = (
        f"SELECT {file_no} AS file_no, CASE WHEN json_type(key) = 'VARCHAR' THEN key->>'$' END AS k, value AS v "
        f"FROM read_json(?, format = '{fmt}', compression = '{compression}', "
        "columns = {'key': 'JSON', 'value': 'JSON'})"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(work_insert_sql(classify, reader), [str(src.path)])
        total, bad, distinct = con.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE key IS NULL OR trim(key) = '' OR value IS NULL "
            "OR hostile_reason(key, CAST(value AS VARCHAR)) IS NOT NULL), "
            "COUNT(DISTINCT key) FROM kv_work WHERE file_no = ?",
            [file_no],
        ).fetchone()
    except duckdb.Error:
        con.execute("ROLLBACK")
        return False
    if bad or distinct != total:
        con.execute("ROLLBACK")
        return False
    con.execute("COMMIT")
    result.rows_read += total
    return True


def careful_stage(con: duckdb.DuckDBPyConnection, file_no: int, src: SourceFile, classify: str,
                  result: IngestResult, workdir: Path, say: Say) -> None:
    """Record by record: line numbers for rejects, and the last occurrence of a key wins."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage (file_no INTEGER, record_no BIGINT, raw VARCHAR, key VARCHAR, "
        "value VARCHAR, reason VARCHAR)"
    )
    if src.format == "parquet":
        stage_parquet(con, file_no, src, workdir)
    else:
        stage_batches(con, file_no, src, say)
    con.execute(PARSE_SQL.replace("{decoded}", DECODED))
    con.execute("DROP TABLE stage")
    con.execute(
        "INSERT INTO kv_rejects SELECT ?, ?, record_no, left(replace(raw, chr(0), '\\u0000'), ?), reason "
        "FROM parsed WHERE reason IS NOT NULL",
        [result.run_id, str(src.path), RAW_CAP],
    )
    read, valid = con.execute("SELECT COUNT(*), COUNT(*) FILTER (WHERE reason IS NULL) FROM parsed").fetchone()
    result.rows_read += read
    result.rows_rejected += read - valid
    winners = (
        "SELECT file_no, k, v FROM parsed WHERE reason IS NULL "
        "QUALIFY row_number() OVER (PARTITION BY k ORDER BY record_no DESC) = 1"
    )
    con.execute(work_insert_sql(classify, winners))
    loaded = con.execute("SELECT COUNT(*) FROM kv_work WHERE file_no = ?", [file_no]).fetchone()[0]
    result.duplicates += valid - loaded
    con.execute("DROP TABLE parsed")


def stage_batches(con: duckdb.DuckDBPyConnection, file_no: int, src: SourceFile, say: Say) -> None:
    shown = [0]

    def progress(pos: int) -> None:
        if src.size >= PROGRESS_BYTES and pos - shown[0] >= PROGRESS_BYTES:
            shown[0] = pos
            pct = f" ({min(100, 100 * pos // max(src.size, 1))}%)" if not src.gzipped else ""
            say(f"  reading {src.path.name}: {pos // (1024 * 1024):,} MB{pct}")

    for batch in read_batches(src, progress):
        frame = pd.DataFrame(
            {
                "file_no": pd.Series([file_no] * len(batch), dtype="int32"),
                "record_no": pd.Series(batch.record_no, dtype="int64"),
                "raw": pd.Series(batch.raw, dtype="object"),
                "key": pd.Series(batch.key, dtype="object"),
                "value": pd.Series(batch.value, dtype="object"),
                "reason": pd.Series(batch.reason, dtype="object"),
            }
        )
        con.register("batch_frame", frame)
        con.execute("INSERT INTO stage SELECT * FROM batch_frame")
        con.unregister("batch_frame")


def stage_parquet(con: duckdb.DuckDBPyConnection, file_no: int, src: SourceFile, workdir: Path) -> None:
    path = parquet_path(src, workdir)
    try:
        described = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
    except duckdb.Error as exc:
        raise IngestError(f"{src.path}: not a readable Parquet file ({first_line(exc)})") from None
    types = {r[0].lower(): str(r[1]).upper() for r in described}
    if not {"key", "value"} <= set(types):
        raise IngestError(f"{src.path}: Parquet needs key and value columns, found {', '.join(sorted(types))}")

    def text(col: str) -> str:
        # a binary column is decoded as UTF-8, never escaped or replaced: invalid bytes make the record a reject
        return f"try(decode({col}))" if types[col] == "BLOB" else f"CAST({col} AS VARCHAR)"

    con.execute(
        f"INSERT INTO stage SELECT ?, row_number() OVER (), "
        f"left(concat('key=', {text('key')}, ' value=', {text('value')}), ?), {text('key')}, {text('value')}, "
        f"CASE WHEN key IS NULL THEN 'missing key' WHEN value IS NULL THEN 'missing value' "
        f"WHEN {text('key')} IS NULL OR {text('value')} IS NULL THEN {lit(INVALID_UTF8)} END "
        "FROM read_parquet(?)",
        [file_no, RAW_CAP, str(path)],
    )


PARSE_SQL = """
CREATE TEMP TABLE parsed AS
WITH s AS (SELECT *, key IS NULL AND reason IS NULL AS is_obj FROM stage),
v AS (
  SELECT file_no, record_no, raw, is_obj, key AS csv_key, value AS csv_value,
    CASE
      WHEN reason IS NOT NULL THEN reason
      WHEN is_obj AND NOT json_valid(raw) THEN 'malformed JSON'
      WHEN is_obj AND json_type(raw) <> 'OBJECT' THEN 'not a {"key", "value"} object'
      WHEN is_obj AND NOT json_exists(raw, '$.key') THEN 'missing key'
      WHEN is_obj AND json_type(raw, '$.key') <> 'VARCHAR' THEN 'key is not a string'
      WHEN is_obj AND trim(raw->>'$.key') = '' THEN 'empty key'
      WHEN is_obj AND NOT json_exists(raw, '$.value') THEN 'missing value'
      WHEN NOT is_obj AND (key IS NULL OR trim(key) = '') THEN 'empty key'
      WHEN NOT is_obj AND (value IS NULL OR trim(value) = '') THEN 'missing value'
      WHEN NOT is_obj AND NOT json_valid(value) THEN 'value is not valid JSON'
    END AS reason
  FROM s
),
kv AS (
  SELECT file_no, record_no, raw, reason,
    CASE WHEN reason IS NULL THEN (CASE WHEN is_obj THEN raw->>'$.key' ELSE csv_key END) END AS k,
    CASE WHEN reason IS NULL THEN (CASE WHEN is_obj THEN json_extract(raw, '$.value') ELSE json(csv_value) END) END
      AS v
  FROM v
),
checked AS (
  SELECT file_no, record_no, raw, k, v,
    COALESCE(reason, CASE WHEN reason IS NULL THEN hostile_reason(k, CAST({decoded} AS VARCHAR)) END) AS reason
  FROM kv
)
SELECT file_no, record_no, raw, reason, CASE WHEN reason IS NULL THEN k END AS k,
  CASE WHEN reason IS NULL THEN v END AS v
FROM checked
"""


def build(con: duckdb.DuckDBPyConnection, layout: Layout, result: IngestResult) -> None:
    """kv_work (all files staged) → kv_store, kv_unmapped, kv_index, kv_counters and the entity tables."""
    superseded = con.execute(
        "DELETE FROM kv_work AS w USING (SELECT key, MAX(file_no) AS last FROM kv_work GROUP BY key "
        "HAVING COUNT(*) > 1) AS d WHERE w.key = d.key AND w.file_no < d.last"
    ).fetchone()
    result.duplicates += int(superseded[0]) if superseded else 0
    for table in schema.replaceable_tables():
        if table not in ("kv_store", "kv_rejects"):
            con.execute(schema.create_table_sql(table, "duckdb"))
    con.execute("INSERT INTO kv_double_encoded SELECT key FROM kv_work WHERE was_encoded")
    unmodeled = [(pid, e.pattern) for pid, e in enumerate(layout.entries) if e.shape == "unmodeled"]
    con.execute(
        "INSERT INTO kv_unmapped SELECT key, CASE WHEN contains(key, ':') THEN split_part(key, ':', 1) || ':*' "
        "ELSE key END FROM kv_work WHERE pid IS NULL"
    )
    for pid, pattern in unmodeled:
        con.execute(f"INSERT INTO kv_unmapped SELECT key, {lit(pattern)} FROM kv_work WHERE pid = {pid}")
    src = split_small_entries(con, layout)
    load_indexes(con, layout, result, "kv_small")
    for pid, entry in enumerate(layout.entries):
        if entry.shape == "counter":
            load_counter(con, entry, pid, result)
        elif entry.table:
            load_entity(con, entry, layout, pid, result, src.get(pid, "kv_small"))
    con.execute("DROP TABLE kv_small")
    for column in ("file_no", "pid", "was_encoded"):
        con.execute(f"ALTER TABLE kv_work DROP COLUMN {column}")
    con.execute("ALTER TABLE kv_work RENAME TO kv_store")
    result.rows_loaded = con.execute("SELECT COUNT(*) FROM kv_store").fetchone()[0]
    result.rows_unmapped = con.execute("SELECT COUNT(*) FROM kv_unmapped").fetchone()[0]
    result.unmapped_by_pattern = dict(
        con.execute("SELECT pattern, COUNT(*) FROM kv_unmapped GROUP BY pattern ORDER BY 2 DESC, 1").fetchall()
    )
    result.rejects_by_reason = dict(
        con.execute("SELECT reason, COUNT(*) FROM kv_rejects GROUP BY reason ORDER BY 2 DESC, 1").fetchall()
    )
    for table in schema.replaceable_tables():
        result.table_counts[table] = con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


BIG_ENTRY_SHARE = 0.1


def split_small_entries(con: duckdb.DuckDBPyConnection, layout: Layout) -> dict[int, str]:
    """Copy the rows of the small entries into kv_small, sorted by entry, so each entry reads only its own blocks
    (kv_work is in file order: every entry's rows are spread over all of it). Entries with more than a tenth of
    the keys (daily analytics) stay in kv_work. Returns the table each big entry reads."""
    sizes = dict(con.execute("SELECT pid, COUNT(*) FROM kv_work WHERE pid IS NOT NULL GROUP BY pid").fetchall())
    total = sum(sizes.values()) or 1
    big = sorted(pid for pid, n in sizes.items() if n > total * BIG_ENTRY_SHARE and layout.entries[pid].table)
    keep = f"AND pid NOT IN ({', '.join(map(str, big))})" if big else ""
    con.execute(f"CREATE TEMP TABLE kv_small AS SELECT pid, key, value FROM kv_work WHERE pid IS NOT NULL {keep} "
                "ORDER BY pid")
    return dict.fromkeys(big, "kv_work")


def owner_expr(entry: Entry) -> str:
    if not entry.segments:
        return "NULL"
    return f"regexp_extract(key, {lit('^' + entry.regex + '$')}, 1)"


def load_indexes(con: duckdb.DuckDBPyConnection, layout: Layout, result: IngestResult, src: str = "kv_work") -> None:
    """Every index entry (an array of ids, or of objects with an id) into kv_index, in one pass."""
    entries = [(pid, e) for pid, e in enumerate(layout.entries) if e.shape == "index"]
    if not entries:
        return
    pids = ", ".join(str(pid) for pid, _ in entries)
    owner = "CASE pid " + " ".join(f"WHEN {pid} THEN {owner_expr(e)}" for pid, e in entries) + " END"
    con.execute(
        "INSERT INTO kv_index SELECT key, owner, i, "
        "CASE WHEN json_type(e) = 'OBJECT' THEN e->>'$.id' ELSE e->>'$' END "
        "FROM (SELECT key, owner, unnest(range(len(l))) AS i, unnest(l) AS e "
        f"FROM (SELECT key, {owner} AS owner, json_extract(value, '$[*]') AS l FROM {src} WHERE pid IN ({pids}) "
        f"AND {first_char('value')} = '['))"
    )
    bad = con.execute(f"SELECT count(*) FROM {src} WHERE pid IN ({pids}) AND {first_char('value')} <> '['"
                      ).fetchone()[0]
    if bad:
        result.coercion_nulls["kv_index (value not an array)"] = bad


def load_counter(con: duckdb.DuckDBPyConnection, entry: Entry, pid: int, result: IngestResult) -> None:
    con.execute(
        f"INSERT INTO kv_counters SELECT key, {owner_expr(entry)}, {lit(entry.pattern)}, "
        f"TRY_CAST(TRY_CAST(value->>'$' AS DOUBLE) AS BIGINT) FROM kv_work WHERE pid = {pid}"
    )
    bad = con.execute(
        f"SELECT count(*) FROM kv_counters WHERE name = {lit(entry.pattern)} AND value IS NULL"
    ).fetchone()[0]
    if bad:
        result.coercion_nulls["kv_counters.value"] = result.coercion_nulls.get("kv_counters.value", 0) + bad


def load_entity(con: duckdb.DuckDBPyConnection, entry: Entry, layout: Layout, pid: int, result: IngestResult,
                src: str = "kv_work") -> None:
    """The entry's rows, extracted once (raw and coerced side by side), counted, then inserted."""
    assert entry.table
    select, fallible, columns = entity_select(entry, layout, pid, src)
    con.execute(f"CREATE TEMP TABLE entity_rows AS {select}")
    checks = [f"count(*) FILTER (WHERE shape_ok AND r_{c} IS NOT NULL AND c_{c} IS NULL)" for c in fallible]
    counts = con.execute(f"SELECT {', '.join([*checks, 'count(*) FILTER (WHERE NOT shape_ok)'])} FROM entity_rows"
                         ).fetchone()
    for col, n in zip(fallible, counts[:-1], strict=True):
        if n:
            name = f"{entry.table}.{col}"
            result.coercion_nulls[name] = result.coercion_nulls.get(name, 0) + n
    target = ", ".join([*columns, schema.SOURCE_KEY])
    values = ", ".join([*(f"c_{c}" for c in columns), "key"])
    order = schema.PHYSICAL_ORDER.get(entry.table)
    if order:  # written in (owner, date) order so that zone maps prune per-artist reads
        con.execute("SET preserve_insertion_order = true")
        con.execute(f"INSERT INTO {entry.table} ({target}) SELECT {values} FROM entity_rows WHERE shape_ok "
                    f"ORDER BY {', '.join(f'c_{c}' for c in order)}")
        con.execute("SET preserve_insertion_order = false")
    else:
        con.execute(f"INSERT INTO {entry.table} ({target}) SELECT {values} FROM entity_rows WHERE shape_ok")
    con.execute("DROP TABLE entity_rows")
    bad = counts[-1]
    if entry.shape == "array":
        bad += con.execute(
            f"SELECT count(*) FROM {src} WHERE pid = {pid} AND {first_char('value')} <> '['"
        ).fetchone()[0]
    if bad:
        name = f"{entry.table} (wrong shape, row skipped)"
        result.coercion_nulls[name] = result.coercion_nulls.get(name, 0) + bad


# ---------------------------------------------------------------- the ingest, on a target


def target_for(store: Store) -> Target:
    """The store's target: a DuckDB file, or a PostgreSQL database (the one place the build asks which)."""
    if store.is_postgres:
        from dashboard.ingest.postgres_load import postgres_target

        return postgres_target(store)
    return duckdb_target(store)


def ingest(
    files: list[Path],
    store: Store,
    layout_spec: str = "seed",
    say: Say = print,
    allow_empty: bool = False,
    origin: dict[str, Any] | None = None,
    appends: list[Append] | None = None,
) -> IngestResult:
    """Replace the store's content with what ``files`` hold. Raises IngestError/StoreError/LayoutError/InputError
    with a one-line message for fatal problems; bad records are rejects, not errors. ``origin`` (sync): where the
    files came from (``source``: the URL without its password, ``table``, …), recorded in ``ingest_runs.files``
    and ``kv_rejects.file`` instead of the files' paths. ``appends``: durable appends for this run (default: the
    target's, ``target.DURABLE_APPENDS``).

    The store is held exclusively from start to end (decisions wait, or are refused with "ingest in progress, try
    again"), so a decision is never written into content that is about to be replaced."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    layout = load_layout(layout_spec)
    if not files:
        raise IngestError("no input files")
    sources = [detect(Path(f)) for f in files]
    result = IngestResult(
        run_id=uuid.uuid4().hex,
        store=store.label(),
        layout=layout_spec if layout_spec in ("seed", "deployed") else str(Path(layout_spec).resolve()),
        files=[{"path": str(s.path), "format": s.format, "gzip": s.gzipped, "size": s.size} for s in sources],
    )
    target = target_for(store)
    if appends is not None:
        target = dataclasses.replace(target, appends=appends)
    with target.hold(say) as holder:
        run_build(sources, target, layout, result, started, say, allow_empty, holder, origin)
    result.seconds = time.perf_counter() - t0
    return result


def run_build(sources: list[SourceFile], target: Target, layout: Layout, result: IngestResult, started: dt.datetime,
              say: Say, allow_empty: bool, holder: Any, origin: dict[str, Any] | None = None) -> None:
    """The ingest proper, with the store held exclusively."""
    t0 = time.perf_counter()
    target.clean(holder, say)
    # the files' sha256 is computed on a thread while DuckDB reads them (hashlib releases the GIL)
    hasher = ThreadPoolExecutor(max_workers=1)
    digests = [hasher.submit(sha256_of, s.path) for s in sources]
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-", dir=target.workdir_parent))
    build_path = target.build_path(workdir)

    def run() -> list[Any]:
        result.seconds = time.perf_counter() - t0
        return run_row(result, started)

    def check_empty(keys: int) -> None:
        if not allow_empty:
            refuse_empty(result, keys, target.label)

    finish = Finish(run_row=run, check_empty=check_empty, appends=target.appends, run_id=result.run_id,
                    started=started)
    try:
        con = open_build(build_path, workdir)
        try:
            stage_files(con, sources, layout, result, workdir, say)
            if origin is not None:
                # the source, and which part of its snapshot (record numbers count within a part)
                con.execute("UPDATE kv_rejects SET file = ? || CASE WHEN ? > 1 THEN ' part ' || "
                            "regexp_extract(file, '(\\d+)\\.ndjson$', 1) ELSE '' END",
                            [str(origin.get("source")), len(sources)])
            build(con, layout, result)
            for info, digest in zip(result.files, digests, strict=True):
                info["sha256"] = digest.result()
            if origin is not None:  # sync: the source, not the parts of its snapshot
                result.files = [{**origin, "size": sum(s.size for s in sources)}]
            target.swap(con, holder, workdir, finish, say)
        finally:
            con.close()
        target.after_close(build_path, say)
    except duckdb.Error as exc:
        raise IngestError(f"ingest failed: {first_line(exc)}") from None
    finally:
        hasher.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(workdir, ignore_errors=True)
        build_path.unlink(missing_ok=True)
        wal_of(build_path).unlink(missing_ok=True)
