"""Incremental sync: the platform's changes since the store's last sync, applied without rebuilding the store.

The platform's change log (``changelog.py``) says which keys changed since the store's position (the platform
snapshot its content equals, kept in the durable table ``sync_feed``). One batch:

1. with the store held as an ingest holds it (decisions wait, a full sync waits), the log and the changed keys'
   current values are read in one REPEATABLE READ transaction on the platform;
2. those keys go through **the same build** as a full sync (the layout compiler, ``plan.py``), in a delta build
   that holds only them: ``build.build(…, delta=True)`` in a small DuckDB database for a DuckDB store or a store in
   another PostgreSQL database (as their full sync builds in DuckDB), or ``pg_build.build_in_schema(…, delta=True)``
   in a schema of the platform's own database for a store that lives there (as its full sync builds in the server);
   then the derived tables (``derived.py``: contract milestones, the platform's dailyStats) of those keys;
3. in **one store transaction**: every replaceable table's rows of those keys are deleted (``kv_store``,
   ``kv_double_encoded``, ``kv_unmapped`` by key; ``kv_index`` by list key; ``kv_counters`` by counter key; every
   entity table, derived ones included, by ``source_key``; ``kv_rejects`` by the key's record prefix) and the delta
   build's rows inserted; ``sync_feed`` gets the new position. A page reads the batch whole or not at all.

Every row of every replaceable table comes from exactly one key (an entity row's ``source_key``, a list's or a
counter's own key; a milestone or a dailyStats row from its contract's or totals' key), and a key's rows depend on
that key alone, so replacing the changed keys' rows gives the store a full sync would give (tested with random
changes, table by table, on both engines). The track totals history (``series.py``), which a full sync appends to,
is appended to by a batch at most every ``PROMO_FEED_SERIES_MINUTES`` (15): one recording per quarter hour, as
``sync --every 15m`` made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import shutil
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import duckdb
import pandas as pd
import psycopg
from psycopg import sql

from dashboard import rollups
from dashboard.i18n.zone import TIMEZONE
from dashboard.ingest import derived, plan
from dashboard.ingest.build import build, create_work_tables, open_build, stage_files
from dashboard.ingest.dialect_duckdb import DUCKDB
from dashboard.ingest.layout import Layout, load_layout
from dashboard.ingest.readers import detect
from dashboard.ingest.result import IngestResult, _n
from dashboard.ingest.series import record_track_totals
from dashboard.ingest.target import _connect_patiently, first_line
from dashboard.store import schema
from dashboard.store.connect import ADVISORY_KEY, Store, StoreError, duckdb_ingest_lock
from dashboard.store.leftovers import SYNC_PREFIX, work_folder
from dashboard.sync import changelog
from dashboard.sync.changelog import Batch, Change, FullSyncNeeded, Mark
from dashboard.sync.position import FEED_COLUMNS, FEED_TABLE, full_sync_append, write_state
from dashboard.sync.source import PlatformSource, SourceError, table_ident

Say = Callable[[str], None]
# the column each bookkeeping table is keyed by (entity tables: source_key; kv_rejects: its record's prefix)
KEY_COLUMNS = {"kv_store": "key", "kv_double_encoded": "key", "kv_unmapped": "key", "kv_index": "list_key",
               "kv_counters": "counter_key"}
MAX_CHANGES_ENV = "PROMO_FEED_MAX_CHANGES"
DEFAULT_MAX_CHANGES = 100_000
SERIES_ENV = "PROMO_FEED_SERIES_MINUTES"
FOLLOW_KEY = ADVISORY_KEY + 1  # PostgreSQL: the follower's session lock
PRUNE_EVERY = 3600.0


def max_changes() -> int:
    try:
        return max(1, int(os.environ.get(MAX_CHANGES_ENV, "") or DEFAULT_MAX_CHANGES))
    except ValueError:
        return DEFAULT_MAX_CHANGES


def series_every() -> dt.timedelta:
    try:
        return dt.timedelta(minutes=float(os.environ.get(SERIES_ENV, "") or 15))
    except ValueError:
        return dt.timedelta(minutes=15)


def follower_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# ---------------------------------------------------------------- what one batch did


@dataclass
class FeedResult:
    """What one incremental run applied (``changes`` 0: the store was up to date, nothing was written)."""

    store: str
    changes: int = 0
    keys: int = 0
    deleted: int = 0
    own: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    lags: list[float] = field(default_factory=list)
    last_change_id: int | None = None
    last_change_at: dt.datetime | None = None
    series: bool = False
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def lag(self, q: float) -> float | None:
        if not self.lags:
            return None
        ordered = sorted(self.lags)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        """One line: what was applied, and how late."""
        if not self.changes:
            return f"incremental sync of {self.store}: up to date (change {self.last_change_id or 0:,})"
        rejected = ""
        if self.rows_rejected:
            rejected = f", {self.rows_rejected:,} rejected (" + ", ".join(
                f"{r} {n:,}" for r, n in self.rejects_by_reason.items()) + ")"
        own = f", {self.own:,} the dashboard's own write-back" if self.own else ""
        lag = f", lag p50 {self.lag(0.5):.1f} s, max {max(self.lags):.1f} s" if self.lags else ""
        return (f"incremental sync of {self.store}: {_n(self.changes, 'change')} to {_n(self.keys, 'key')} applied "
                f"({self.rows_loaded:,} loaded, {self.deleted:,} gone{rejected}{own}) up to change "
                f"{self.last_change_id or 0:,}, in {self.seconds:.2f} s{lag}")

    def summary_lines(self) -> list[str]:
        return [self.line()]


# ---------------------------------------------------------------- the store's position


@dataclass(frozen=True)
class FeedState:
    """The store's ``sync_feed`` row."""

    row: dict[str, Any]

    def mark(self) -> Mark:
        r = self.row
        if not r.get("snapshot") or not r.get("generation"):
            raise FullSyncNeeded("the store has no position in the change log yet (its last full sync found none)",
                                 no_position=True)
        return Mark(str(r["generation"]), str(r.get("trimmed_below") or "0"), str(r["snapshot"]),
                    r.get("last_change_id"), r.get("last_change_at"), r.get("checked_at") or dt.datetime.now(dt.UTC))

    def check(self, source: PlatformSource, layout_spec: str) -> Mark:
        r = self.row
        if r.get("source") != source.label or r.get("kv_table") != source.table:
            raise FullSyncNeeded(f"the store was last synced from {r.get('kv_table')} at {r.get('source')}")
        layout = str(r.get("layout") or "")
        if layout_spec != "auto" and layout_spec not in (layout, Path(layout).name):
            wanted = layout_spec if layout_spec in ("seed", "deployed") else str(Path(layout_spec).resolve())
            if wanted != layout:
                raise FullSyncNeeded(f"--layout {layout_spec} is not the store's layout ({layout})")
        return self.mark()

    @property
    def layout(self) -> str:
        return str(self.row.get("layout") or "seed")


def _fetch(execute: Callable[..., Any], query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cur = execute(query, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def read_state(execute: Callable[..., Any], present: set[str]) -> FeedState:
    """The store's position (``present``: the store's tables). FullSyncNeeded when it has none, or lacks a table
    this version builds (made by an older version)."""
    if "kv_store" not in present:
        raise FullSyncNeeded("the store has no data yet", first=True)
    missing = [t for t in [*schema.replaceable_tables(), FEED_TABLE] if t not in present]
    if missing:
        raise FullSyncNeeded(f"the store lacks {', '.join(missing[:3])}{'…' if len(missing) > 3 else ''} "
                             "(made by an older version)")
    rows = _fetch(execute, f"SELECT {', '.join(FEED_COLUMNS)} FROM {FEED_TABLE}")
    if not rows:
        raise FullSyncNeeded("the store has no change-log position yet")
    return FeedState(rows[0])


# ---------------------------------------------------------------- the delta build


def touched_tables(layout: Layout, pids: set[int]) -> tuple[set[str], set[str]]:
    """(the tables a delta build of keys of these layout entries creates, the tables a batch replaces their rows in):
    the bookkeeping tables, the entries' entity tables and what is derived from them. A key's entry depends on the
    key alone (``plan.classify``), so its rows before and after the change are in these tables."""
    entity = {t for p in pids if (t := layout.entries[p].table)}
    replaced = set(schema.BOOKKEEPING_TABLES) | entity | {d for t in entity for d in derived.DERIVED_FROM.get(t, ())}
    return replaced | set(derived.DERIVED_FROM) | {d for ds in derived.DERIVED_FROM.values() for d in ds}, replaced


def build_delta(batch: Batch, layout_spec: str, workdir: Path, label: str) -> tuple[Path, IngestResult, set[str]]:
    """The changed keys' current values through ingest's build, into a DuckDB file holding the replaceable tables
    they touch (their rows only), the derived tables of those rows, and ``feed_keys`` (key, reject prefix). Returns
    the file, the build's counts and the tables the batch replaces rows in."""
    layout = load_layout(layout_spec)
    present = [line for line in batch.lines.values() if line is not None]
    path = workdir / "changes.ndjson"
    path.write_text("".join(line + "\n" for line in present), encoding="utf-8")
    db = workdir / "delta.duckdb"
    result = IngestResult(run_id=uuid.uuid4().hex, store="delta", layout=layout_spec, files=[])
    con = open_build(db, workdir)
    try:
        keys = sorted(batch.lines)
        frame = pd.DataFrame({"key": pd.Series(keys, dtype="object"),
                              "prefix": pd.Series([batch.prefixes[k] for k in keys], dtype="object")})
        con.register("feed_frame", frame)
        con.execute("CREATE TABLE feed_keys AS SELECT key, prefix FROM feed_frame")
        con.unregister("feed_frame")
        pids = {int(r[0]) for r in con.execute(
            f"SELECT DISTINCT {plan.classify(DUCKDB, layout, 'key')} FROM feed_keys").fetchall() if r[0] is not None}
        create, replaced = touched_tables(layout, pids)
        if present:
            stage_files(con, [detect(path)], layout, result, workdir, lambda _m: None)
            con.execute("UPDATE kv_rejects SET file = ?", [label])
        else:
            create_work_tables(con)
        build(con, layout, result, delta=True, tables=create)
        derived.derive_contract_milestones(con)
        derived.derive_daily_stats(con)
        result.rows_rejected = int(con.execute("SELECT count(*) FROM kv_rejects").fetchone()[0])  # type: ignore[index]
        result.rejects_by_reason = dict(con.execute(
            "SELECT reason, count(*) FROM kv_rejects GROUP BY reason ORDER BY 2 DESC, 1").fetchall())
    finally:
        con.close()
    return db, result, replaced


def apply_statements(delta: Callable[[str], str | None], keys: str, tables: set[str], layout: str) -> list[str]:
    """Replace the changed keys' rows of ``tables`` by the delta build's (``delta(table)``: where the delta's rows of
    a table are, None when it has none; ``keys``: the table of (key, prefix)), then the keys' rows of the pending
    rollup, made again from the entity tables just replaced (``layout``: the store's, for what is pending), and the
    revenue rollups' groups whose lines the batch changed (``rollups.revenue_delta_statements``: their lines are
    taken before the rows are replaced and again after), the directory's rows of the users its rows name, and data
    health's orphan rows of the parents and keys it touched and dangling list ids of the lists and records it
    touched."""
    revenue_before, revenue_after = rollups.revenue_delta_statements(delta, keys, tables)
    directory_before, directory_after = rollups.directory_delta_statements(delta, keys, tables)
    donations_before, donations_after = rollups.donations_delta_statements(keys, tables)
    coins_before, coins_after = rollups.coins_delta_statements(delta, keys, tables)
    flow_before, flow_after = rollups.coin_flow_delta_statements(keys, tables)
    orphans_before, orphans_after = rollups.orphans_delta_statements(delta, keys, tables)
    dangling_before, dangling_after = rollups.dangling_delta_statements(delta, keys, tables)
    statements: list[str] = [*revenue_before, *directory_before, *donations_before, *coins_before, *flow_before,
                             *orphans_before, *dangling_before]
    for table in schema.replaceable_tables():
        if table not in tables or table in schema.ROLLUP_TABLES:
            continue
        cols = ", ".join(f'"{c}"' for c, _ in schema.table_columns(table))
        if table == "kv_rejects":
            statements.append(f"DELETE FROM kv_rejects WHERE EXISTS (SELECT 1 FROM {keys} AS f "
                              "WHERE starts_with(kv_rejects.raw, f.prefix))")
        else:
            statements.append(f'DELETE FROM {table} WHERE "{KEY_COLUMNS.get(table, schema.SOURCE_KEY)}" IN '
                              f"(SELECT key FROM {keys})")
        source = delta(table)
        if source is not None:
            statements.append(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {source}")
    return [*statements, *rollups.pending_for_keys_statements(keys, layout), *revenue_after, *directory_after,
            *donations_after, *coins_after, *flow_after, *orphans_after, *dangling_after]


def next_state(state: FeedState, batch: Batch, result: FeedResult, follower: str | None, now: dt.datetime,
               series: bool) -> dict[str, Any]:
    lags = sorted((now - c.changed_at).total_seconds() for c in batch.changes)
    row = dict(state.row)
    row.update({
        "generation": batch.mark.generation, "trimmed_below": batch.mark.trimmed_below,
        "snapshot": batch.mark.snapshot, "last_change_id": batch.mark.last_id, "last_change_at": batch.mark.last_at,
        "checked_at": batch.mark.taken_at, "applied_at": now, "mode": "incremental",
        "changes": int(row.get("changes") or 0) + len(batch.changes), "batches": int(row.get("batches") or 0) + 1,
        "batch_changes": len(batch.changes), "follower": follower, "note": None,
        "lag_p50_ms": int(1000 * statistics.median(lags)) if lags else None,
        "lag_p95_ms": int(1000 * lags[min(len(lags) - 1, int(0.95 * len(lags)))]) if lags else None,
    })
    if series:
        row["series_at"] = now
    return row


def series_due(state: FeedState, now: dt.datetime) -> bool:
    last = state.row.get("series_at")
    return last is None or now - last >= series_every()


def end_batch(con: Any, execute: Callable[..., Any], dialect: str, state: FeedState, batch: Batch,
              result: FeedResult, follower: str | None) -> bool:
    """A batch's last writes, inside its transaction on either engine: the track totals' snapshot when the daily
    series is due, then the feed's new state. Returns whether the snapshot was taken."""
    now = dt.datetime.now(dt.UTC)
    series = series_due(state, now)
    if series:
        record_track_totals(con, uuid.uuid4().hex)
    write_state(execute, dialect, next_state(state, batch, result, follower, now, series))
    return series


def finish_result(result: FeedResult, batch: Batch, built: IngestResult, committed: dt.datetime) -> FeedResult:
    result.changes = len(batch.changes)
    result.keys = len(batch.lines)
    result.deleted = sum(1 for line in batch.lines.values() if line is None)
    result.own = batch.own
    result.rows_loaded = built.rows_loaded
    result.rows_rejected = built.rows_rejected
    result.rejects_by_reason = built.rejects_by_reason
    result.lags = [(committed - c.changed_at).total_seconds() for c in batch.changes]
    result.last_change_id = batch.mark.last_id
    result.last_change_at = batch.mark.last_at
    return result


# ---------------------------------------------------------------- one batch, per kind of store


def _duckdb_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = "
                                      "current_database() AND schema_name = 'main'").fetchall()}


def _duckdb_store(source: PlatformSource, store: Store, layout_spec: str, say: Say, follower: str | None,
                  limit: int) -> FeedResult:
    result = FeedResult(store=store.label())
    if not store.path.exists():
        raise FullSyncNeeded("the store does not exist yet", first=True)
    with duckdb_ingest_lock(store, say):
        con = _connect_patiently(store.path, say, read_only=False)  # as the app's connections: one configuration
        try:
            con.execute("PRAGMA disable_checkpoint_on_shutdown")
            state = read_state(con.execute, _duckdb_tables(con))
        finally:
            con.close()
        batch = changelog.read_batch(source, state.check(source, layout_spec), limit)
        if not batch.changes:
            result.last_change_id = batch.mark.last_id
            return result
        workdir = work_folder(SYNC_PREFIX, store.path.resolve().parent)
        try:
            delta, built, tables = build_delta(batch, state.layout, workdir, source.label)
            con = _connect_patiently(store.path, say, read_only=False)
            try:
                con.execute("PRAGMA disable_checkpoint_on_shutdown")
                con.execute(f"SET TimeZone = '{TIMEZONE}'")
                con.execute("ATTACH '" + str(delta).replace("'", "''") + "' AS promo_delta (READ_ONLY)")
                delta_tables = {r[0] for r in con.execute(
                    "SELECT table_name FROM duckdb_tables() WHERE database_name = 'promo_delta'").fetchall()}
                con.execute("BEGIN TRANSACTION")
                try:
                    for statement in apply_statements(
                            lambda t: f"promo_delta.main.{t}" if t in delta_tables else None,
                            "promo_delta.main.feed_keys", tables, state.layout):
                        con.execute(statement)
                    series = end_batch(con, con.execute, "duckdb", state, batch, result, follower)
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                result.series = series
                con.execute("DETACH promo_delta")
            finally:
                con.close()
        except duckdb.Error as exc:
            raise StoreError(f"applying changes to {store.label()} failed, nothing applied: {first_line(exc)}"
                             ) from None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return finish_result(result, batch, built, dt.datetime.now(dt.UTC))


def _pg_tables(cur: psycopg.Cursor[Any]) -> set[str]:
    return {r[0] for r in cur.execute("SELECT table_name FROM information_schema.tables "
                                      "WHERE table_schema = current_schema()").fetchall()}


def _pg_store(source: PlatformSource, store: Store, layout_spec: str, say: Say, follower: str | None,
              limit: int) -> FeedResult:
    """A PostgreSQL store in another database: the delta is built in DuckDB (as this store's full sync builds) and
    copied in as its full sync copies (CSV, COPY), into temporary tables of the batch's transaction."""
    from dashboard.ingest.postgres_load import export_csv, hold_store

    result = FeedResult(store=store.label())
    with hold_store(store, say) as holder:
        with holder.cursor() as cur:
            state = read_state(cur.execute, _pg_tables(cur))
        batch = changelog.read_batch(source, state.check(source, layout_spec), limit)
        if not batch.changes:
            result.last_change_id = batch.mark.last_id
            return result
        workdir = work_folder(SYNC_PREFIX, Path(tempfile.gettempdir()))
        try:
            delta, built, tables = build_delta(batch, state.layout, workdir, source.label)
            con = duckdb.connect(str(delta), read_only=True)
            exports: dict[str, Path] = {}
            try:
                con.execute(f"SET TimeZone = '{TIMEZONE}'")
                for table in [*(t for t in schema.replaceable_tables() if t in tables), "feed_keys"]:
                    if con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]:  # type: ignore[index]
                        exports[table] = workdir / f"{table}.csv"
                        export_csv(con, table, exports[table])
            finally:
                con.close()
            with holder.transaction(), holder.cursor() as cur:
                cur.execute("CREATE TEMP TABLE promo_feed_keys (key text, prefix text) ON COMMIT DROP")
                for table, path in exports.items():
                    target = "promo_feed_keys" if table == "feed_keys" else f"promo_delta_{table}"
                    cols = ("key", "prefix") if table == "feed_keys" else tuple(
                        c for c, _ in schema.table_columns(table))
                    if table != "feed_keys":
                        cur.execute(sql.SQL("CREATE TEMP TABLE {} (LIKE {}) ON COMMIT DROP").format(
                            sql.Identifier(target), sql.Identifier(table)))
                    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true)").format(
                        sql.Identifier(target), sql.SQL(", ").join(sql.Identifier(c) for c in cols))
                    with cur.copy(copy_sql) as copy, open(path, "rb") as fh:
                        while chunk := fh.read(1 << 20):
                            copy.write(chunk)
                # the rollups' lock, as a decision takes it: a decision and a batch that merge the same rollup group
                # at once would each write the group's row from what it read before the other committed
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [rollups.ROLLUP_LOCK])
                for statement in apply_statements(
                        lambda t: f"promo_delta_{t}" if t in exports else None, "promo_feed_keys", tables,
                        state.layout):
                    cur.execute(statement.encode())
                series = end_batch(cur, cur.execute, "postgresql", state, batch, result, follower)
            result.series = series
        except psycopg.Error as exc:
            raise StoreError(f"applying changes to {store.label()} failed, nothing applied: {first_line(exc)}"
                             ) from None
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return finish_result(result, batch, built, dt.datetime.now(dt.UTC))


def _in_server(source: PlatformSource, store: Store, layout_spec: str, say: Say, follower: str | None,
               limit: int) -> FeedResult:
    """The store is the platform's own database: the batch is one REPEATABLE READ transaction there, in which the
    log, the changed keys' values, the delta build (``pg_build``, in a schema of its own) and the store's tables are
    read and written; nothing leaves the server."""
    from dashboard.ingest.dialect_postgres import postgres_dialect
    from dashboard.ingest.pg_build import build_in_schema
    from dashboard.ingest.postgres_load import hold_store

    result = FeedResult(store=store.label())
    built = IngestResult(run_id=uuid.uuid4().hex, store="delta", layout="", files=[])
    delta = sql.Identifier(f"promo_delta_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    with hold_store(store, say) as holder:
        holder.execute(f"SET TimeZone = '{TIMEZONE}'".encode())
        holder.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        try:
            with holder.transaction(), holder.cursor() as cur:
                state = read_state(cur.execute, _pg_tables(cur))
                changes, mark = changelog.read_changes(cur, source.table, state.check(source, layout_spec), limit)
                if not changes:
                    result.last_change_id = mark.last_id
                    return result
                keys = sorted({c.key for c in changes})
                cur.execute(f"CREATE TEMP TABLE promo_feed_keys ON COMMIT DROP AS SELECT k.key, "
                            f"{changelog.PREFIX_SQL} AS prefix FROM unnest(%s::text[]) AS k(key)".encode(), [keys])
                cur.execute(sql.SQL("CREATE TEMP TABLE promo_feed_src ON COMMIT DROP AS SELECT t.key, t.value "
                                    "FROM {} AS t WHERE t.key = ANY(%s) ORDER BY t.ctid").format(
                    table_ident(source.table)), [keys])
                present = {r[0] for r in cur.execute("SELECT key FROM promo_feed_src").fetchall()}
                layout = load_layout(state.layout)
                built.layout = state.layout
                cur.execute(sql.SQL("CREATE SCHEMA {}").format(delta))
                target = delta.as_string(holder)
                pids = {int(r[0]) for r in cur.execute(
                    f"SELECT DISTINCT {plan.classify(postgres_dialect(target), layout, 'key')} FROM promo_feed_keys"
                    .encode()).fetchall() if r[0] is not None}
                create, tables = touched_tables(layout, pids)
                build_in_schema(cur, target, "promo_feed_src", layout, built, source.label, say, delta=True,
                                tables=create)
                path = cur.execute("SELECT current_setting('search_path')").fetchone()[0]  # type: ignore[index]
                cur.execute("SELECT set_config('search_path', %s, true)", [f"{target}, pg_temp"])
                derived.derive_contract_milestones(cur)
                derived.derive_daily_stats(cur)
                cur.execute("SELECT set_config('search_path', %s, true)", [path])
                built.rows_rejected = int(cur.execute(
                    f"SELECT count(*) FROM {target}.kv_rejects".encode()).fetchone()[0])  # type: ignore[index]
                built.rejects_by_reason = dict(cur.execute(
                    f"SELECT reason, count(*) FROM {target}.kv_rejects GROUP BY reason ORDER BY 2 DESC, 1".encode()
                ).fetchall())
                for statement in apply_statements(lambda t: f"{target}.{t}", "promo_feed_keys", tables,
                                                  state.layout):
                    cur.execute(statement.encode())
                cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(delta))
                batch = Batch(changes, {k: ("" if k in present else None) for k in keys},
                              {}, mark)
                series = end_batch(cur, cur.execute, "postgresql", state, batch, result, follower)
            result.series = series
        except psycopg.Error as exc:
            raise StoreError(f"applying changes inside {store.label()} failed, nothing applied: "
                             f"{first_line(exc)}") from None
        finally:
            holder.isolation_level = None
    return finish_result(result, batch, built, dt.datetime.now(dt.UTC))


@dataclass
class Feed:
    """The incremental sync of one store from one source: how its batches are made (decided once), when the log
    was last pruned."""

    source: PlatformSource
    store: Store
    layout_spec: str = "auto"
    follower: str | None = None
    same: bool | None = None
    pruned_at: float = 0.0

    def apply(self, say: Say) -> FeedResult:
        """One batch (FullSyncNeeded: it cannot be done incrementally; nothing was written)."""
        t0, c0 = time.perf_counter(), time.process_time()
        limit = max_changes()
        if self.store.is_postgres:
            if self.same is None:
                from dashboard.sync.inserver import same_database

                self.same = same_database(self.source, self.store)
            run = _in_server if self.same else _pg_store
        else:
            run = _duckdb_store
        try:
            result = run(self.source, self.store, self.layout_spec, say, self.follower, limit)
        except FullSyncNeeded as why:
            if why.no_position and (missing := changelog.missing_reason(self.source)):
                raise FullSyncNeeded(missing) from None
            raise
        result.seconds = time.perf_counter() - t0
        result.cpu_seconds = time.process_time() - c0
        if time.monotonic() - self.pruned_at >= PRUNE_EVERY:
            self.pruned_at = time.monotonic()
            gone = changelog.prune(self.source, changelog.keep_hours())
            if gone:
                say(f"  pruned {gone:,} changes older than {changelog.keep_hours():g} h from the change log")
        return result


# ---------------------------------------------------------------- the follower


@contextlib.contextmanager
def follower_lock(store: Store) -> Iterator[None]:
    """Held by ``sync --follow`` for as long as it runs (one follower per store); the app probes it."""
    if store.is_postgres:
        from dashboard.ingest.postgres_load import connect

        conn = connect(store)
        conn.autocommit = True
        try:
            got = conn.execute("SELECT pg_try_advisory_lock(%s)", [FOLLOW_KEY]).fetchone()
            if not got or not got[0]:
                raise StoreError(f"another sync --follow is running on {store.label()}")
            yield
        finally:
            conn.close()
        return
    fh = _follow_file(store, fcntl.LOCK_EX)
    if fh is None:
        raise StoreError(f"another sync --follow is running on {store.label()}")
    try:
        yield
    finally:
        fh.close()


def _follow_file(store: Store, mode: int) -> IO[bytes] | None:
    path = store.path.with_name(store.path.name + ".follow.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "ab")  # noqa: SIM115 - held open for as long as the lock is held
    try:
        fcntl.flock(fh.fileno(), mode | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        return None
    return fh


def follower_alive(store: Store) -> bool:
    """Is a ``sync --follow`` running on this store (a probe of its lock)?"""
    if store.is_postgres:
        import sqlalchemy as sa

        from dashboard.store.queries import read_engine

        with read_engine(store).connect() as conn:
            free = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock_shared(:k)"), {"k": FOLLOW_KEY}).scalar())
            if free:
                conn.execute(sa.text("SELECT pg_advisory_unlock_shared(:k)"), {"k": FOLLOW_KEY})
            return not free
    fh = _follow_file(store, fcntl.LOCK_SH)
    if fh is None:
        return True
    fh.close()
    return False


def mark_follower(store: Store, follower: str | None) -> None:
    """Record who follows (the app says "stopped" when the recorded follower no longer holds its lock)."""
    if store.is_postgres:
        from dashboard.ingest.postgres_load import connect

        conn = connect(store)
        try:
            with conn.transaction():
                if "sync_feed" in _pg_tables(conn.cursor()):
                    conn.execute("UPDATE sync_feed SET follower = %s", [follower])
        finally:
            conn.close()
        return
    if not store.path.exists():
        return
    con = _connect_patiently(store.path, lambda _m: None, read_only=False)
    try:
        con.execute("PRAGMA disable_checkpoint_on_shutdown")
        if "sync_feed" in _duckdb_tables(con):
            con.execute("UPDATE sync_feed SET follower = ?", [follower])
    finally:
        con.close()


__all__ = ["Change", "Feed", "FeedResult", "FullSyncNeeded", "SourceError", "follower_alive", "follower_lock",
           "full_sync_append", "mark_follower"]
