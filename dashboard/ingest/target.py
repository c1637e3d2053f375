"""Where a build lands: the target-specific steps of an ingest (hold the store, clean leftovers, swap), as plain data.

A ``Target`` is a record of functions; there are two: ``duckdb_target`` here (the build is a new DuckDB file that
replaces the store's file) and ``postgres_load.postgres_target`` (the build is copied into a ``promo_load_*`` schema
and swapped in by renames). ``build.ingest`` picks one and calls, in order::

    with target.hold(say) as holder:           # the store held exclusively (decisions wait or are refused)
        target.clean(holder, say)              # what killed ingests left (build files, work folders, schemas)
        ... stage and build in a DuckDB build database ...
        target.swap(con, holder, finish)       # the new content in place, the run recorded, durable appends run

Durable appends (the hook for data that must grow with every ingest, e.g. a derived daily series): the functions
in ``Target.appends`` (by default the module list ``DURABLE_APPENDS``) run once per ingest, after the new content
and the store's durable tables are both present and before the run is recorded:

- DuckDB: inside the build database, after the durable tables were carried over from the old store;
- PostgreSQL (file ingest and in-server sync): inside the swap transaction, after the renames.

Each receives an ``AppendContext``: ``execute(sql, params)`` (unqualified table names are the new content and the
durable tables), ``dialect`` (``"duckdb"`` or ``"postgresql"``), ``run_id`` and ``started``. A failure aborts the
ingest and leaves the previous content as it was (DuckDB: the build file is dropped; PostgreSQL: the transaction
rolls back). Register one with ``DURABLE_APPENDS.append(fn)`` (or pass ``appends=`` to ``ingest``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dashboard.ingest.memory import size_bytes
from dashboard.ingest.result import IngestError, IngestResult
from dashboard.store import leftovers, schema
from dashboard.store.connect import Store, StoreError, duckdb_ingest_lock, ingest_wait
from dashboard.store.leftovers import INGEST_PREFIX, SYNC_PREFIX, pid_alive

Say = Callable[[str], None]
Execute = Callable[..., Any]


@dataclass(frozen=True)
class AppendContext:
    """What a durable append gets: a way to run SQL where the new content and the durable tables both are."""

    execute: Execute
    dialect: str
    run_id: str
    started: dt.datetime
    layout: str = "seed"  # the build's layout (its moderation rules say what the pending rollup holds)


Append = Callable[[AppendContext], None]
DURABLE_APPENDS: list[Append] = []


@dataclass(frozen=True)
class Finish:
    """What the swap needs from the build: the run's row for ingest_runs (made at the last moment, so its time
    includes the copy), the empty-snapshot rule, and the durable appends."""

    run_row: Callable[[], list[Any]]
    check_empty: Callable[[int], None]
    appends: list[Append]
    run_id: str
    started: dt.datetime
    layout: str = "seed"

    def run_appends(self, execute: Execute, dialect: str) -> None:
        ctx = AppendContext(execute=execute, dialect=dialect, run_id=self.run_id, started=self.started,
                            layout=self.layout)
        for append in self.appends:
            append(ctx)


@dataclass(frozen=True)
class Target:
    """The target-specific steps of an ingest (see the module docstring)."""

    label: str
    hold: Callable[[Say], AbstractContextManager[Any]]
    clean: Callable[[Any, Say], None]
    workdir_parent: Path
    build_path: Callable[[Path], Path]
    swap: Callable[[duckdb.DuckDBPyConnection, Any, Path, Finish, Say], None]
    after_close: Callable[[Path, Say], None] = lambda _path, _say: None
    appends: list[Append] = field(default_factory=lambda: DURABLE_APPENDS)
    sync_build: bool = False  # the build file becomes the store: flush it to the disk as it grows (``sync_file``)


# ---------------------------------------------------------------- pieces both targets use


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def run_row(result: IngestResult, started: dt.datetime) -> list[Any]:
    return [
        result.run_id,
        started,
        dt.datetime.now(dt.UTC),
        result.layout,
        json.dumps(result.files, ensure_ascii=False),
        result.rows_read,
        result.rows_loaded,
        result.rows_rejected,
        result.rows_unmapped,
        result.duplicates,
        json.dumps(result.table_counts),
        json.dumps(result.coercion_nulls, ensure_ascii=False),
    ]


def refuse_empty(result: IngestResult, keys_in_store: int, label: str) -> None:
    if result.rows_loaded == 0 and keys_in_store > 0:
        raise IngestError(
            f"the snapshot has no keys to load ({result.rows_read:,} records read, {result.rows_rejected:,} rejected); "
            f"{label} holds {keys_in_store:,} keys and was left as it was (pass --allow-empty to empty it)"
        )


SWAP_HOLD_ENV = "PROMO_INGEST_HOLD_SECONDS"  # tests and the race bench: widen the window before the swap


def hold_before_swap() -> None:
    seconds = float(os.environ.get(SWAP_HOLD_ENV, "0") or 0)
    if seconds > 0:
        time.sleep(seconds)


WORKDIR_PREFIX = INGEST_PREFIX


def remove_dead_workdirs(folders: list[Path]) -> int:
    """Work folders of ingests and syncs whose process is gone (named with its pid). Returns bytes freed."""
    return sum(leftovers.remove_dead_workdirs(folder, prefix) for folder in folders
               for prefix in (INGEST_PREFIX, SYNC_PREFIX))


def say_freed(freed: int, say: Say) -> None:
    if freed:
        say(f"  removed {freed / 1e6:,.1f} MB left by an interrupted ingest or sync")


# ---------------------------------------------------------------- the DuckDB file target


def wal_of(path: Path) -> Path:
    return Path(str(path) + ".wal")


def _stale_builds(db: Path) -> Iterator[Path]:
    for p in db.parent.glob(db.name + ".ingest-*.tmp*"):
        m = re.search(r"\.ingest-(\d+)\.tmp", p.name)
        if m and not pid_alive(int(m.group(1))):
            yield p


def clean_duckdb(store: Store, say: Say) -> None:
    """A killed ingest's build file and work folders (next to the store and in the temp folder)."""
    freed = 0
    for stale in _stale_builds(store.path):
        with contextlib.suppress(OSError):
            freed += stale.stat().st_size
            stale.unlink()
    freed += remove_dead_workdirs([store.path.parent, Path(tempfile.gettempdir())])
    say_freed(freed, say)


def _connect_patiently(path: Path, say: Say, read_only: bool) -> duckdb.DuckDBPyConnection:
    """Open the store's file; a reader in another process may hold it for a moment: retry (bounded), saying so."""
    deadline = time.monotonic() + ingest_wait()
    said = False
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            if not said:
                say(f"  {path.name} is open in another process; waiting for it…")
                said = True
            time.sleep(0.1)


def settle_wal(path: Path, say: Say) -> None:
    """Before the swap, with the store held: fold the store's write-ahead log into its file (``moderate`` leaves
    one: checkpoint on shutdown is off), so that no log of the old file can outlive the rename and be replayed
    against the new one ("WAL does not match database file"). A log that already does not match its file (left by
    an ingest killed mid-swap before this step existed) holds nothing the file lacks — the killed ingest read it
    into its build — and is set aside as ``STORE.duckdb.wal.stale-<time>``."""
    wal = wal_of(path)
    if not path.exists() or not wal.exists():
        return
    try:
        con = _connect_patiently(path, say, read_only=False)
    except duckdb.Error as exc:
        if "WAL does not match" not in str(exc):
            raise StoreError(f"{path} is in use by another process or unreadable: {first_line(exc)}") from None
        aside = wal.with_name(f"{wal.name}.stale-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}")
        os.replace(wal, aside)
        say(f"  {wal.name} was left by an interrupted ingest and does not match {path.name}; set aside as {aside.name}")
        return
    try:
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if wal.exists():
        raise StoreError(f"{path}: its write-ahead log {wal.name} could not be folded into it; the store was left as "
                         "it was (close the programs using it and run ingest again)")


def attach_old_store(con: duckdb.DuckDBPyConnection, old: Path, say: Say) -> None:
    """ATTACH the store being replaced, read-only (retrying while a reader holds it)."""
    deadline = time.monotonic() + ingest_wait()
    said = False
    path = "'" + str(old).replace("'", "''") + "'"
    while True:
        try:
            con.execute(f"ATTACH {path} AS old_store (READ_ONLY)")
            return
        except duckdb.Error as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise StoreError(f"{old} is in use by another process or unreadable: {first_line(exc)}") from None
            if not said:
                say(f"  {old.name} is open in another process; waiting for it…")
                said = True
            time.sleep(0.1)


def carry_over_durable(con: duckdb.DuckDBPyConnection, old: Path, check_empty: Callable[[int], None],
                       say: Say) -> None:
    """Copy the tables the dashboard writes itself from the old store into the build; ``check_empty`` gets the old
    store's key count (the rule that a snapshot with no keys does not empty a store)."""
    if not old.exists():
        return
    attach_old_store(con, old, say)
    replaced = set(schema.replaceable_tables())
    tables = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = 'old_store' AND schema_name = 'main'"
        ).fetchall()
    ]
    if "kv_store" in tables:
        check_empty(con.execute("SELECT COUNT(*) FROM old_store.main.kv_store").fetchone()[0])  # type: ignore[index]
    for table in tables:
        if table in replaced or not re.fullmatch(r"[a-z_][a-z0-9_]*", table):
            continue
        if table in schema.DURABLE_TABLES and any(t == table for t, _ in schema.DUCKDB_UNCOMPRESSED):
            # a table with columns stored uncompressed keeps its declaration (CREATE TABLE AS would drop it)
            con.execute(schema.create_table_sql(table, "duckdb"))
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM old_store.main.{table}")
        else:
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM old_store.main.{table}")
    con.execute("DETACH old_store")


# DuckDB builds an index in memory (an ART; it cannot spill to disk): the key index of the 10M deployed demo (9.9M
# keys of 58 characters on average) failed at the build's 700 MB and was built at 1 GB. For that one statement the
# limit is raised to what the keys need by this estimate (1.3 GB there), never lowered.
INDEX_BYTES = 64 * 1024**2  # the build's own buffers, whatever the keys
INDEX_BYTES_PER_KEY = 48
INDEX_BYTES_PER_KEY_BYTE = 1.5
# Up to this many keys the key index is built beside the appends (1M deployed keys: 1.43 s beside the rollups'
# 1.47 s, each about one core's work). At 10M each keeps both cores busy alone, and side by side they took as
# long or longer (the 10M deployed demo's swap, alternating: 21.8 and 26.6 s side by side, 20.9 and 21.0 s in
# turn), so there the index is built first.
SIDE_BY_SIDE_KEYS = 2_000_000


def key_index_memory(con: duckdb.DuckDBPyConnection) -> tuple[float, float | None, int]:
    """(the memory kv_store's key index needs by the estimate above, the build's memory limit, kv_store's keys)."""
    keys, key_bytes = con.execute("SELECT COUNT(*), COALESCE(SUM(strlen(key)), 0) FROM kv_store").fetchone()  # type: ignore[misc]
    need = INDEX_BYTES + INDEX_BYTES_PER_KEY * int(keys) + INDEX_BYTES_PER_KEY_BYTE * int(key_bytes)
    limit = size_bytes(str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))  # type: ignore[index]
    return need, limit, int(keys)


def create_key_index(con: duckdb.DuckDBPyConnection) -> None:
    """kv_store's key index, with the memory its keys need (see INDEX_BYTES_PER_KEY)."""
    need, limit, _keys = key_index_memory(con)
    if limit is None or need <= limit:
        con.execute(schema.KV_STORE_KEY_INDEX)
        return
    con.execute(f"SET memory_limit = '{int(need // 1024**2) + 1}MiB'")
    con.execute(schema.KV_STORE_KEY_INDEX)
    # back to the build's limit for what is left (the appends, the run's row), unless the index, which stays in
    # memory, already holds more than it: then the raised limit stays until the build's connection closes
    with contextlib.suppress(duckdb.OutOfMemoryException):
        con.execute(f"SET memory_limit = '{int(limit // 1024**2)}MiB'")


@contextlib.contextmanager
def one_thread_each(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB's ``threads`` at 1 meanwhile, for steps that run side by side, each on a connection of its own to the
    build (the setting is the database's; the previous value comes back after). Each statement then runs on its
    own connection's thread, one core each, instead of both handing tasks to DuckDB's one worker thread beside
    them: the deployed 1M demo's loads took 2.31 s instead of 2.60 s (medians of five alternating pairs) and about
    0.4 CPU-s less; an entry's rows fit in one row group, which one thread reads anyway."""
    before = con.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(before)}")


# The build's file, attached under this name to an in-memory DuckDB (build.open_build) and every build
# connection's default database.
BUILD_DATABASE = "promo_build"


def own_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A connection of its own to the build (for a thread), its default database the build's file (a new
    connection's default is the in-memory one)."""
    cursor = con.cursor()
    cursor.execute(f"USE {BUILD_DATABASE}")
    return cursor


def _on_own_connection(con: duckdb.DuckDBPyConnection, step: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
    cursor = own_cursor(con)
    try:
        step(cursor)
    finally:
        cursor.close()


def swap_duckdb(store: Store, con: duckdb.DuckDBPyConnection, finish: Finish, say: Say) -> None:
    """Finish the build database as the new store (durable tables, appends, the run's row), before it is closed."""
    settle_wal(store.path, say)
    carry_over_durable(con, store.path, finish.check_empty, say)
    for table in schema.DURABLE_TABLES:
        con.execute(schema.create_table_sql(table, "duckdb"))
    # the key index (about a second at 1M keys, built on one connection) while the appends (the rollups, from the
    # entity tables; none reads kv_store) run on another, when it fits in the build's memory beside them and is
    # small (SIDE_BY_SIDE_KEYS); an index that needs the limit raised (10M keys at 700 MB: 1.3 GB) is built alone
    # first (beside the appends, the 10M deployed ingest ran out of memory)
    need, limit, keys = key_index_memory(con)
    if (limit is not None and need * 2 > limit) or keys > SIDE_BY_SIDE_KEYS:
        create_key_index(con)
        finish.run_appends(con.execute, "duckdb")
    else:
        with one_thread_each(con), ThreadPoolExecutor(max_workers=1, thread_name_prefix="promo-key-index") as pool:
            indexed = pool.submit(_on_own_connection, con, create_key_index)
            finish.run_appends(con.execute, "duckdb")
            indexed.result()
    con.execute("INSERT INTO ingest_runs VALUES (?, ?, ?, ?, ?::JSON, ?, ?, ?, ?, ?, ?::JSON, ?::JSON)",
                finish.run_row())
    con.execute("CHECKPOINT")


def sync_file(path: Path) -> None:
    """Everything written to ``path`` so far on the disk (fsync: DuckDB's own fsyncs are off in a build)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_file(store: Store, build_path: Path, say: Say) -> None:
    """The closed build file becomes the store: on the disk first (the build ran without DuckDB's fsyncs), then
    renamed over the store, then the rename itself on the disk (the folder synced). The old file's log was folded in
    before (settle_wal) and nobody may write while the ingest holds the store, so there is no log to outlive the
    rename; one is removed anyway."""
    sync_file(build_path)
    hold_before_swap()
    if wal_of(store.path).exists():  # a writer that ignored the lock: fold it in again rather than strand it
        settle_wal(store.path, say)
    os.replace(build_path, store.path)
    with contextlib.suppress(FileNotFoundError):
        wal_of(store.path).unlink()
    sync_file(store.path.parent)


@contextlib.contextmanager
def _hold_duckdb(store: Store, say: Say) -> Iterator[None]:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb_ingest_lock(store, say):
        yield None


def duckdb_target(store: Store) -> Target:
    def build_path(_workdir: Path) -> Path:
        path = store.path.parent / f"{store.path.name}.ingest-{os.getpid()}.tmp"
        path.unlink(missing_ok=True)
        return path

    def cleanup(path: Path, say: Say) -> None:
        replace_file(store, path, say)

    return Target(
        label=store.label(),
        hold=lambda say: _hold_duckdb(store, say),
        clean=lambda _holder, say: clean_duckdb(store, say),
        workdir_parent=store.path.parent,
        build_path=build_path,
        swap=lambda con, _holder, _workdir, finish, say: swap_duckdb(store, con, finish, say),
        after_close=cleanup,
        sync_build=True,
    )
