"""Ingest: KV snapshot files → ``kv_store`` + the reference tables, on DuckDB or PostgreSQL.

The work happens in a DuckDB build database, in SQL: the files are streamed into a staging table in batches,
validated and deduplicated (the last occurrence of a key wins), double-encoded JSON is decoded, and then the build
plan (``plan.py``, rendered through ``dialect_duckdb.DUCKDB``) classifies each key by the layout and turns each
layout entry into one ``INSERT … SELECT`` with its type coercions. The same plan, rendered for PostgreSQL, is the
in-server sync's build (``pg_build.py``).

Where the result goes is the target's business (``target.py``): a DuckDB store's build database becomes the new file
by a rename, after the tables the dashboard writes itself are copied over; a PostgreSQL store gets the build by
``COPY`` into a load schema swapped in by renames (``postgres_load.py``). Either way a failure, or kill -9, midway
leaves the previous content as it was.

The layout's field names and patterns end up in SQL text: they are validated in ``layout.py`` (names against a
strict pattern, tables and columns against the reference schema) and quoted; no user data is ever interpolated,
it only flows through tables.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.i18n.zone import TIMEZONE
from dashboard.ingest import derived, plan  # noqa: F401 (derived registers its durable append)
from dashboard.ingest.dialect import lit
from dashboard.ingest.dialect_duckdb import DUCKDB, json_depth_over
from dashboard.ingest.layout import Layout, load_layout
from dashboard.ingest.memory import build_memory_limit, input_bytes, machine_memory
from dashboard.ingest.parsed import parsed_execute
from dashboard.ingest.plan import LONG_KEY, NONFINITE, reject_reason  # noqa: F401 (LONG_KEY, NONFINITE: tests)
from dashboard.ingest.precision import file_has_rounding, rounded_keys
from dashboard.ingest.readers import (
    INVALID_UTF8,
    RAW_CAP,
    TOO_LARGE_FORMAT,
    SourceFile,
    detect,
    max_value_bytes,
    parquet_path,
    read_batches,
    sha256_of,
)
from dashboard.ingest.result import IngestError, IngestResult
from dashboard.ingest.target import (
    BUILD_DATABASE,
    WORKDIR_PREFIX,
    Append,
    Finish,
    Target,
    duckdb_target,
    first_line,
    one_thread_each,
    own_cursor,
    refuse_empty,
    run_row,
    sync_file,
    wal_of,
)
from dashboard.store import schema
from dashboard.store.connect import Store

# the build's memory limit when set outright (PROMO_INGEST_MEMORY); unset, it follows the input (ingest/memory.py)
DUCKDB_MEMORY_LIMIT: str | None = os.environ.get("PROMO_INGEST_MEMORY") or None
PROGRESS_BYTES = 50 * 1024 * 1024

Say = Callable[[str], None]


def memory_limit_for(sources: list[SourceFile]) -> str:
    """The build's memory limit for these files (``ingest/memory.py``)."""
    sizes = [(s.size, s.gzipped or s.format == "parquet") for s in sources]
    return build_memory_limit(input_bytes(sizes), DUCKDB_MEMORY_LIMIT, machine_memory())


def open_build(path: Path, workdir: Path, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The build database. ``memory_limit``: DuckDB's (default: PROMO_INGEST_MEMORY, else the floor, 700 MB: the
    small builds of a sync)."""
    con = duckdb.connect(":memory:")
    # the build file without a write-ahead log (RECOVERY_MODE no_wal_writes): a build is a scratch file until its
    # target makes it the store, and the checkpoint at its end (or at close) writes every table to it. With a log,
    # each commit of a load wrote its rows there first and the checkpoint wrote them again (132 MB at most at 1M
    # keys, 0.65 CPU-s). The in-memory database stays empty; every connection to the build uses the file.
    con.execute(f"ATTACH {lit(str(path))} AS {BUILD_DATABASE} (RECOVERY_MODE no_wal_writes)")
    con.execute(f"USE {BUILD_DATABASE}")
    con.create_function("json_depth_over", json_depth_over, ["VARCHAR"], "BOOLEAN", side_effects=False)
    # the plan's reject rules, as a macro the staging queries call on (key, decoded value's text)
    con.execute(f"CREATE OR REPLACE MACRO hostile_reason(k, t) AS {reject_reason(DUCKDB, 'k', 't')}")
    con.execute(f"SET TimeZone = {lit(TIMEZONE)}")
    con.execute(f"SET memory_limit = {lit(memory_limit or build_memory_limit(0, DUCKDB_MEMORY_LIMIT, None))}")
    con.execute(f"SET temp_directory = {lit(str(workdir))}")
    con.execute("SET preserve_insertion_order = false")
    # a build is a scratch file until its target makes it the store: no fsync at each commit (the staging commit
    # alone waited 0.8 s of a 1M ingest for the disk, the cores idle); the DuckDB target syncs the finished file
    # before the rename that makes it the store (target.replace_file), the PostgreSQL target copies it and drops it
    con.execute("SET fsync_mode = 'NONE'")
    con.execute(f"SET enable_progress_bar = {'true' if sys.stderr.isatty() else 'false'}")
    return con


# A value that is a JSON string holding a JSON object or array (the platform's JSON.stringify into jsonb) is stored
# decoded. The string's text is extracted once (``s``), and only a text that starts, after JSON whitespace, with
# "{" or "[" is parsed: the one parse that the object or array needs (``TRY``: a text that is not JSON stays the
# string; a json_valid before it parsed each text twice, 0.1 CPU-s of the deployed 1M demo's staging). Nested
# CASEs: DuckDB evaluates a THEN branch only for the rows its WHEN selected.
STRING_TEXT = "CASE WHEN left(CAST(v AS VARCHAR), 1) = '\"' THEN v->>'$' END"


def decoded_text(s: str) -> str:
    """The JSON object or array that the text ``s`` holds, else NULL."""
    starts = f"left(ltrim({s}, ' \t\n\r'), 1) IN ('{{', '[')"  # after JSON's whitespace
    return f"CASE WHEN {starts} THEN TRY(json({s})) END"


DECODED = f"COALESCE({decoded_text(STRING_TEXT)}, v)"  # one expression over v (the careful path's reject check)


@contextlib.contextmanager
def uncompressed(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rows written meanwhile are stored uncompressed. For the KV values (which become ``kv_store``: the raw
    archive, read by key): DuckDB's dictionary-and-FSST analysis was half of the staging statement on the deployed
    layout, and a value read by key comes from an uncompressed block at once (the health page's 452 lookups on the
    deployed 1M store: 9 ms, against 88 ms compressed and 118 ms with zstd). The file is larger by about what the
    compression saved (the deployed 1M demo's kv_store: 425 MB against 296 MB)."""
    con.execute("SET force_compression = 'uncompressed'")
    try:
        yield
    finally:
        con.execute("RESET force_compression")


def create_work_tables(con: duckdb.DuckDBPyConnection) -> None:
    """kv_work becomes kv_store at the end (no copy of the values): one row per distinct key, decoded, classified."""
    con.execute("CREATE TABLE kv_work (file_no INTEGER, key VARCHAR, value JSON, pid INTEGER, was_encoded BOOLEAN, "
                "bad BOOLEAN)")
    con.execute(schema.create_table_sql("kv_rejects", "duckdb"))


def work_insert_sql(classify: str, source: str, check: bool = False) -> str:
    """INSERT rows (file_no, k, v) of ``source`` into kv_work, decoded and classified. ``check``: mark the rows the
    fast path cannot keep (``bad``: no key, no value, a reject rule, over the size limit), judged while the row is
    at hand rather than by reading the values back."""
    decoded = f"SELECT *, {decoded_text('s')} AS d FROM (SELECT *, {STRING_TEXT} AS s FROM ({source}))"
    value = "COALESCE(d, v)"
    bad = (f"k IS NULL OR trim(k) = '' OR v IS NULL OR hostile_reason(k, CAST({value} AS VARCHAR)) IS NOT NULL "
           f"OR strlen(k) + strlen(CAST({value} AS VARCHAR)) > {max_value_bytes()}" if check else "FALSE")
    return (f"INSERT INTO kv_work SELECT file_no, k, {value}, {classify}, d IS NOT NULL, {bad} FROM ({decoded})")


def stage_files(con: duckdb.DuckDBPyConnection, sources: list[SourceFile], layout: Layout, result: IngestResult,
                workdir: Path, say: Say) -> None:
    """Load every file into kv_work (and bad records into kv_rejects). Clean NDJSON and JSON-array files take the
    fast path (DuckDB's own JSON reader); a file the fast path cannot vouch for is read record by record."""
    create_work_tables(con)
    classify = plan.classify(DUCKDB, layout)
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
    string key and a value, and no key twice (record order, which decides duplicates, is not kept here), and no
    number that may lose digits (issue 27 item 11: such a file is checked record by record). That last check reads
    the file in Python (4 s at 10M keys) while DuckDB stages it (``re`` holds the GIL, DuckDB does not)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="promo-precision") as pool:
        rounding = pool.submit(file_has_rounding, src)
        kept = stage_whole_file(con, file_no, src, classify, result, rounding.result)
        rounding.cancel()
    return kept


def stage_whole_file(con: duckdb.DuckDBPyConnection, file_no: int, src: SourceFile, classify: str,
                     result: IngestResult, has_rounding: Callable[[], bool]) -> bool:
    fmt = "newline_delimited" if src.format == "ndjson" else "array"
    compression = "gzip" if src.gzipped else "none"
    reader = (
        f"SELECT {file_no} AS file_no, CASE WHEN json_type(key) = 'VARCHAR' THEN key->>'$' END AS k, value AS v "
        f"FROM read_json(?, format = '{fmt}', compression = '{compression}', "
        "columns = {'key': 'JSON', 'value': 'JSON'})"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        with uncompressed(con):
            con.execute(work_insert_sql(classify, reader, check=True), [str(src.path)])
        total, bad, distinct = con.execute(
            "SELECT COUNT(*), COUNT(*) FILTER (WHERE bad), COUNT(DISTINCT hash(key)) FROM kv_work WHERE file_no = ?",
            [file_no],
        ).fetchone()
        if distinct != total:  # two keys share a hash: the exact count decides (the keys' hashes first: 0.04 s
            # at 1M keys, against 0.2 s for the keys themselves)
            distinct = con.execute("SELECT COUNT(DISTINCT key) FROM kv_work WHERE file_no = ?", [file_no]
                                   ).fetchone()[0]  # type: ignore[index]
    except duckdb.Error:
        con.execute("ROLLBACK")
        return False
    if bad or distinct != total or has_rounding():
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
        stage_batches(con, file_no, src, say, result.notes)  # readers: notes on the file's structure (issue 20)
    con.execute(PARSE_SQL.replace("{decoded}", DECODED))
    result.rounded_keys.extend(rounded_keys(con))  # numbers that lose digits as doubles (issue 27 item 11)
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
    with uncompressed(con):
        con.execute(work_insert_sql(classify, winners))
    loaded = con.execute("SELECT COUNT(*) FROM kv_work WHERE file_no = ?", [file_no]).fetchone()[0]
    result.duplicates += valid - loaded
    con.execute("DROP TABLE parsed")


def stage_batches(con: duckdb.DuckDBPyConnection, file_no: int, src: SourceFile, say: Say,
                  notes: list[str] | None = None) -> None:
    shown = [0]

    def progress(pos: int) -> None:
        if src.size >= PROGRESS_BYTES and pos - shown[0] >= PROGRESS_BYTES:
            shown[0] = pos
            pct = f" ({min(100, 100 * pos // max(src.size, 1))}%)" if not src.gzipped else ""
            say(f"  reading {src.path.name}: {pos // (1024 * 1024):,} MB{pct}")

    for batch in read_batches(src, progress):
        if notes is not None:  # readers (issue 20): a stray ], an array never closed
            notes.extend(f"{src.path.name}: {note}" for note in batch.notes)
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

    limit, size = max_value_bytes(), f"strlen({text('key')}) + strlen({text('value')})"  # readers: too large
    con.execute(
        f"INSERT INTO stage SELECT ?, row_number() OVER (), "
        f"left(concat('key=', {text('key')}, ' value=', {text('value')}), ?), {text('key')}, "
        f"CASE WHEN {size} <= {limit} THEN {text('value')} END, "
        f"CASE WHEN key IS NULL THEN 'missing key' WHEN value IS NULL THEN 'missing value' "
        f"WHEN {text('key')} IS NULL OR {text('value')} IS NULL THEN {lit(INVALID_UTF8)} "
        f"WHEN {size} > {limit} THEN format({lit(TOO_LARGE_FORMAT)}, {size}, {limit}) END "
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


def build(con: duckdb.DuckDBPyConnection, layout: Layout, result: IngestResult, delta: bool = False,
          tables: set[str] | None = None) -> None:
    """kv_work (all files staged) → kv_store, kv_unmapped, kv_index, kv_counters and the entity tables. ``delta``:
    a build of a few changed keys (the incremental sync, ``sync/feed.py``): only the entries that have keys run, and
    nothing is counted but the keys loaded; ``tables``: the only replaceable tables to create (those entries')."""
    # a key in several files: the last file's value wins (within a file, staging kept one row per key); with one
    # file there is nothing to look for (the look is a GROUP BY of every key: 0.17 CPU-s at 1M keys)
    several = con.execute("SELECT min(file_no) < max(file_no) FROM kv_work").fetchone()
    if several and several[0]:
        superseded = con.execute(
            "DELETE FROM kv_work AS w USING (SELECT key, MAX(file_no) AS last FROM kv_work GROUP BY key "
            "HAVING COUNT(*) > 1) AS d WHERE w.key = d.key AND w.file_no < d.last"
        ).fetchone()
        result.duplicates += int(superseded[0]) if superseded else 0
    q = parsed_execute(con)
    con.execute("BEGIN")  # the ~90 tables in one transaction: a commit each cost a third of their time
    for table in schema.replaceable_tables():
        if table not in ("kv_store", "kv_rejects") and (tables is None or table in tables):
            q(schema.create_table_sql(table, "duckdb"))
    for table in [] if delta else plan.flagged_tables(DUCKDB):  # until the loads are counted (plan.FAILED)
        q(f"ALTER TABLE {table} ADD COLUMN {plan.FAILED} INTEGER")
    con.execute("COMMIT")
    unplanned = few_keys(con)
    # the lists of keys read only kv_work: on a second connection while this one sorts the small entries (one
    # core's work), unless the build is small enough to run everything in turn
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="promo-lists") as pool:
        lists = None if unplanned else pool.submit(
            on_cursor, con, lambda q: plan.load_lists(DUCKDB, q, layout, "kv_work"))
        small = split_small_entries(con, layout)
        pids = {int(r[0]) for r in con.execute("SELECT DISTINCT pid FROM kv_work WHERE pid IS NOT NULL").fetchall()}
        if lists is not None:
            lists.result()
    if unplanned:
        names = con.execute("SELECT string_agg(name, ',') FROM duckdb_optimizers()").fetchone()
        con.execute(f"SET disabled_optimizers = {lit(names[0] if names else '')}")
        # and on one thread to the end of the build (its rollups included): each statement reads a few thousand
        # rows, and handing them to a second thread cost more than it saved (a tiny ingest 0.29-0.32 → 0.25-0.27
        # CPU-s). The setting is the build database's own, which closes with the build.
        con.execute("SET threads = 1")
    try:
        plan.load(DUCKDB, q, layout, result, "kv_work", lambda pid: small.get(pid, SMALL), pids,
                  count=not delta, run_loads=None if unplanned else loads_side_by_side(con), lists=unplanned)
    finally:
        if unplanned:
            con.execute("RESET disabled_optimizers")
    con.execute(f"DROP TABLE {SMALL}")
    con.execute(f"DETACH {SCRATCH}")
    for column in ("file_no", "pid", "was_encoded", "bad"):
        con.execute(f"ALTER TABLE kv_work DROP COLUMN {column}")
    con.execute("ALTER TABLE kv_work RENAME TO kv_store")
    if delta:
        result.rows_loaded = int(con.execute("SELECT count(*) FROM kv_store").fetchone()[0])  # type: ignore[index]
        return
    plan.count_results(DUCKDB, q, result)


BIG_ENTRY_SHARE = 0.1
# A build of at most this many keys runs the entity statements without DuckDB's optimizer: on a few thousand rows
# planning is most of a statement's cost (about 3 of 7 ms for an entity's SELECT of ~4 KB), and no plan choice
# matters at that size. A tiny ingest (the fixture: 486 keys) or an incremental sync's delta build is ~20 % cheaper.
FEW_KEYS = 50_000


def on_cursor(con: duckdb.DuckDBPyConnection, step: Callable[[plan.Query], None]) -> None:
    """``step`` on a connection of its own to the build (for a thread), its statements parsed once."""
    cursor = own_cursor(con)
    try:
        step(parsed_execute(cursor))
    finally:
        cursor.close()


def few_keys(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the work table holds at most FEW_KEYS keys (the build then skips the optimizer)."""
    row = con.execute(f"SELECT count(*) <= {FEW_KEYS} FROM (SELECT 1 FROM kv_work LIMIT {FEW_KEYS + 1})").fetchone()
    return bool(row and row[0])


# The small entries' rows, in an in-memory database of the build's (uncompressed, spilled to the temp directory
# under memory pressure, seen by every connection of the build, unlike a TEMP table, and never written to the file).
SCRATCH = "promo_scratch"
SMALL = f"{SCRATCH}.kv_small"
# Entry loads run this many at once (two connections to the build): an entry of fewer rows than DuckDB's row group
# (122,880) is read by one thread, and the deployed layout's ~80 entities are all that small.
LOADS_AT_ONCE = 2


def split_small_entries(con: duckdb.DuckDBPyConnection, layout: Layout) -> dict[int, str]:
    """Copy the rows of the small entries into SMALL, sorted by entry, so each entry reads only its own blocks
    (kv_work is in file order: every entry's rows are spread over all of it). Entries with more than a tenth of
    the keys (daily analytics) stay in kv_work. Returns the table each big entry reads."""
    sizes = dict(con.execute("SELECT pid, COUNT(*) FROM kv_work WHERE pid IS NOT NULL GROUP BY pid").fetchall())
    total = sum(sizes.values()) or 1
    big = sorted(pid for pid, n in sizes.items() if n > total * BIG_ENTRY_SHARE and layout.entries[pid].table)
    keep = f"AND pid NOT IN ({', '.join(map(str, big))})" if big else ""
    con.execute(f"ATTACH ':memory:' AS {SCRATCH}")
    con.execute(f"CREATE TABLE {SMALL} AS SELECT pid, key, value FROM kv_work WHERE pid IS NOT NULL {keep} "
                "ORDER BY pid")
    return dict.fromkeys(big, "kv_work")


def loads_side_by_side(con: duckdb.DuckDBPyConnection) -> plan.RunLoads:
    """Run the loads LOADS_AT_ONCE at a time, each worker on its own connection to the build (DuckDB releases the
    GIL while a statement runs). The whole-table steps (lists, indexes) and the biggest entries start first; each
    load counts into its own result, added to the build's in the layout's order. An error stops the workers (after
    the loads they are running) and is raised."""
    def run(loads: Sequence[tuple[int, plan.EntryLoad]], result: IngestResult) -> None:
        sizes = dict(con.execute("SELECT pid, COUNT(*) FROM kv_work WHERE pid IS NOT NULL GROUP BY pid").fetchall())
        # the lists and indexes (whole-table steps) first, then the entries, biggest first
        queue = sorted(loads, key=lambda load: (load[0] >= 0, -int(sizes.get(load[0], 0))))
        counted: dict[int, IngestResult] = {}
        failed: list[BaseException] = []
        lock = threading.Lock()

        def worker() -> None:
            cursor = own_cursor(con)
            try:
                while True:
                    with lock:
                        if failed or not queue:
                            return
                        pid, load = queue.pop(0)
                    own = IngestResult(run_id=result.run_id, store=result.store, layout=result.layout, files=[])
                    try:
                        load(parsed_execute(cursor), own)
                    except BaseException as exc:
                        with lock:
                            failed.append(exc)
                        return
                    counted[pid] = own
            finally:
                cursor.close()

        threads = [threading.Thread(target=worker, name=f"promo-load-{n}") for n in range(LOADS_AT_ONCE)]
        with one_thread_each(con):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if failed:
            raise failed[0]
        for pid in sorted(counted):
            for name, n in counted[pid].coercion_nulls.items():
                result.coercion_nulls[name] = result.coercion_nulls.get(name, 0) + n

    return plan.RunLoads(run, insertion_order_on=True)


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
                    started=started, layout=result.layout)
    try:
        con = open_build(build_path, workdir, memory_limit_for(sources))
        try:
            stage_files(con, sources, layout, result, workdir, say)
            if target.sync_build:  # the staged values to the disk meanwhile, while the cores build
                hasher.submit(sync_file, build_path)
            if origin is not None:
                # the source, and which part of its snapshot (record numbers count within a part)
                con.execute("UPDATE kv_rejects SET file = ? || CASE WHEN ? > 1 THEN ' part ' || "
                            "regexp_extract(file, '(\\d+)\\.ndjson$', 1) ELSE '' END",
                            [str(origin.get("source")), len(sources)])
            build(con, layout, result)
            if target.sync_build:  # the entity tables too, while the swap builds the key index and the rollups
                hasher.submit(sync_file, build_path)
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
