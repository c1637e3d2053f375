"""The in-server build: the KV table of the same database → a ``promo_load_*`` schema, on the server.

``sync`` uses it when the store is the platform's own database: nothing is read out, the whole build is
``INSERT … SELECT`` from the KV table. It is the build plan (``plan.py``) rendered through the PostgreSQL dialect
(``dialect_postgres.py``): the same classification, selects, coercions, reject rules, lists and counts as the file
ingest's DuckDB build, so it produces the same tables, content and ``IngestResult`` numbers. What is its own is the
staging: one statement reads the whole KV table, decodes double-encoded values, applies the reject rules and
classifies every row into a temporary work table; the last occurrence of a key wins, as in a file.

A row whose key and value text are larger than ``PROMO_MAX_VALUE_BYTES`` (``readers.max_value_bytes``) is rejected
with the file readers' reason (``readers.too_large_reason``): its text is made once, only for rows whose stored
size could reach the limit, and nothing else reads the value (no decoding, no nesting scan, a capped ``raw``).
"""

from __future__ import annotations

from collections.abc import Callable

from psycopg import Cursor

from dashboard.ingest import plan
from dashboard.ingest.dialect import Dialect, lit
from dashboard.ingest.dialect_postgres import helper_functions, postgres_dialect
from dashboard.ingest.layout import Layout
from dashboard.ingest.plan import MAX_KEY_BYTES
from dashboard.ingest.readers import MAX_DEPTH, RAW_CAP, max_value_bytes, too_large_reason
from dashboard.ingest.result import IngestResult
from dashboard.store import schema

Say = Callable[[str], None]
WORK = "promo_work"  # a temporary table: one row per source row, decoded, checked and classified
# jsonb's text is at most this many times its stored (uncompressed) size: an escaped control character, \u0001
TEXT_PER_STORED_BYTE = 6


def too_large_sql(size: str, limit: int) -> str:
    """readers.too_large_reason(size, limit) in SQL (the size grouped by commas, as Python's ``{:,}``)."""
    prefix, suffix = too_large_reason(0, limit).split("0", 1)
    return f"{lit(prefix)} || to_char({size}, 'FM999,999,999,999,999,999') || {lit(suffix)}"


def stage_sql(source: str, layout: Layout, d: Dialect, fn: Callable[[str], str], limit: int) -> str:
    """One statement that reads the whole source table: every row decoded, checked (ingest's reasons, in ingest's
    order) and classified, into the temporary work table."""
    # the text of a value that could be over the limit: made once, here (a compressed value's size is not known)
    maybe_large = (f"pg_column_compression(value) IS NOT NULL "
                   f"OR pg_column_size(value)::bigint * {TEXT_PER_STORED_BYTE} + octet_length(key) > {limit}")
    read = (f"SELECT row_number() OVER () AS record_no, key AS k, value AS v, "
            f"CASE WHEN {maybe_large} THEN value::text END AS vt FROM {source} WHERE key IS NOT NULL OFFSET 0")
    sized = (f"SELECT record_no, k, v, vt, COALESCE(octet_length(k)::bigint + octet_length(vt) > {limit}, FALSE) "
             f"AS large FROM ({read}) r OFFSET 0")
    encoded = ("NOT large AND jsonb_typeof(v) = 'string' AND left(ltrim(v #>> '{}', E' \\t\\n\\r'), 1) "
               "IN ('{', '[')")
    decoding = (f"SELECT record_no, k, v, vt, large, CASE WHEN {encoded} THEN {fn('decode')}(v #>> '{{}}') END AS d "
                f"FROM ({sized}) r OFFSET 0")
    decoded = (f"SELECT record_no, k, v, vt, large, d, CASE WHEN d IS NULL THEN v ELSE (d).value END AS dv "
               f"FROM ({decoding}) r OFFSET 0")
    # the text the reject rules read: a string decoded leniently (NUL, NaN/Infinity and nesting are in it), or a
    # container big enough to nest that deep (every level of a jsonb container takes at least 8 bytes, so
    # MAX_DEPTH levels need 4 KB; a value stored compressed is always looked at)
    texted = (f"SELECT record_no, k, v, vt, large, d, dv, CASE WHEN large OR v IS NULL THEN NULL "
              f"WHEN (d).lenient THEN v #>> '{{}}' "
              f"WHEN octet_length(k) <= {MAX_KEY_BYTES} AND jsonb_typeof(dv) IN ('object', 'array') "
              f"AND (pg_column_size(dv) > {4 * MAX_DEPTH} OR pg_column_compression(dv) IS NOT NULL) "
              f"THEN CASE WHEN d IS NULL AND vt IS NOT NULL THEN vt ELSE dv::text END END AS t "
              f"FROM ({decoded}) r OFFSET 0")
    reason = (
        "CASE WHEN trim(k) = '' THEN 'empty key' WHEN v IS NULL THEN 'missing value' "
        f"WHEN large THEN {too_large_sql('octet_length(k)::bigint + octet_length(vt)', limit)} "
        f"ELSE {plan.reject_reason(d, 'k', 't')} END"
    )
    checked = f"SELECT record_no, k, v, vt, d, dv, {reason} AS reason FROM ({texted}) c OFFSET 0"
    value_text = f"CASE WHEN vt IS NOT NULL THEN left(vt, {RAW_CAP}) ELSE v::text END"
    raw = ("""'{"key":' || to_json(k)::text || CASE WHEN v IS NULL THEN '}' ELSE ',"value":' || """
           + value_text + " || '}' END")
    body = (f"SELECT record_no, k AS key, CASE WHEN reason IS NULL THEN dv END AS value, "
            f"reason IS NULL AND (d).value IS NOT NULL AS was_encoded, reason, "
            f"CASE WHEN reason IS NOT NULL THEN left({raw}, {RAW_CAP}) END AS raw, "
            f"CASE WHEN reason IS NULL THEN {plan.classify(d, layout, 'k')} END AS pid FROM ({checked}) x")
    return f"CREATE TEMP TABLE {WORK} ON COMMIT DROP AS {body}"


def build_in_schema(cur: Cursor, target: str, source: str, layout: Layout, result: IngestResult, label: str,
                    say: Say, delta: bool = False, tables: set[str] | None = None) -> None:
    """The whole build, in the current transaction: the source table (``schema.table``, quoted) → the replaceable
    tables in the schema ``target`` (quoted identifier, already created), with ``result`` filled as the DuckDB build
    fills it. ``label`` is the source as kv_rejects.file names it. ``delta``: a build of a few changed keys (the
    incremental sync): only the entries that have keys run, and nothing is counted but the keys loaded; ``tables``:
    the only replaceable tables to create (those entries')."""
    def fn(name: str) -> str:
        return f"{target}.promo_{name}"

    d = postgres_dialect(target)

    def q(statement: str) -> Cursor:
        return cur.execute(statement.encode())

    for statement in helper_functions(fn):
        q(statement)
    for table in schema.replaceable_tables():
        if tables is None or table in tables or table in ("kv_store", "kv_rejects"):
            q(schema.create_table_sql(table, "postgresql", name=d.table(table)))
    unique = unique_key(cur, source)
    q(stage_sql(source, layout, d, fn, max_value_bytes()))
    read, valid = q(f"SELECT count(*), count(*) FILTER (WHERE reason IS NULL) FROM {WORK}").fetchone()  # type: ignore[misc]
    result.rows_read += int(read)
    result.rows_rejected += int(read) - int(valid)
    cur.execute(f"INSERT INTO {d.table('kv_rejects')} SELECT %s, %s, record_no, raw, reason FROM {WORK} "
                "WHERE reason IS NOT NULL ORDER BY record_no".encode(), [result.run_id, label])
    if not unique:
        # the last occurrence of a key (in the table's physical order) wins, as in ingest's record order
        q(f"DELETE FROM {WORK} w USING (SELECT key, max(record_no) AS last FROM {WORK} "
          "WHERE reason IS NULL GROUP BY key HAVING count(*) > 1) d "
          "WHERE w.reason IS NULL AND w.key = d.key AND w.record_no < d.last")
        result.duplicates += max(cur.rowcount, 0)
    if int(read) != int(valid):
        q(f"DELETE FROM {WORK} WHERE reason IS NOT NULL")
    q(f"CREATE INDEX ON {WORK} (pid)")
    q(f"ANALYZE {WORK}")
    q(f"INSERT INTO {d.table('kv_store')} SELECT key, value FROM {WORK}")
    pids = {int(r[0]) for r in q(f"SELECT DISTINCT pid FROM {WORK} WHERE pid IS NOT NULL").fetchall()}
    plan.load(d, q, layout, result, WORK, lambda _pid: WORK, pids, count=not delta)
    if delta:
        result.rows_loaded = int(q(f"SELECT count(*) FROM {d.table('kv_store')}").fetchone()[0])  # type: ignore[index]
    else:
        plan.count_results(d, q, result)
    q(f"DROP TABLE {WORK}")
    for name in ("decode", "depth_over", "try_jsonb", "time", "date", "ts", "decimal", "rounded", "integer",
                 "float", "num"):
        q(f"DROP FUNCTION {fn(name)}")
    q(f"DROP TYPE {fn('decoded')}")


def unique_key(cur: Cursor, source: str) -> bool:
    """Does a unique index (a primary key) on the key column alone make duplicates impossible?"""
    row = cur.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnkeyatts = 1 "
        "AND i.indpred IS NULL AND a.attname = 'key')", [source]).fetchone()
    return bool(row and row[0])
