"""``sync`` when the store is the platform's own database: the build runs inside the server, no data leaves it.

"Same database" is what the servers say, not what the URLs look like: the store's connection and the source's
connection must name the same database (``current_database()``) of the same running server (the same postmaster
start time and port, the same system identifier where the role may read it), and the source's connection must
see the store connection's backend in that database. Then the store's connection (which must be allowed to read
the KV table) runs ``pg_build`` in one REPEATABLE READ transaction: the KV table is read by one statement, the
result lands in a new ``promo_load_*`` schema, and ``postgres_load`` takes over: keys and indexes, ANALYZE, the
empty-table rule and the swap (which records the run), all under the store's ingest lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from dashboard.i18n.zone import TIMEZONE
from dashboard.ingest.layout import load_layout
from dashboard.ingest.pg_build import build_in_schema
from dashboard.ingest.postgres_load import (
    LOAD_PREFIX,
    OLD_PREFIX,
    add_keys_and_indexes,
    analyze_tables,
    connect,
    drop_leftover_schemas,
    hold_store,
    swap,
)
from dashboard.ingest.result import IngestResult
from dashboard.ingest.target import DURABLE_APPENDS, Append, Finish, first_line, refuse_empty, run_row
from dashboard.store import schema
from dashboard.store.connect import Store, StoreError
from dashboard.sync.changelog import NO_LOG_HINT, mark_now
from dashboard.sync.position import full_sync_append
from dashboard.sync.source import (
    SAMPLE_KEYS,
    PlatformSource,
    Snapshot,
    SourceError,
    can_write,
    regclass_name,
    table_ident,
)
from dashboard.sync.source import connect as source_connect

Say = Callable[[str], None]
IDENTITY_SQL = ("SELECT current_database(), pg_postmaster_start_time(), current_setting('port'), "
                "pg_backend_pid()")
SYSTEM_ID_SQL = "SELECT system_identifier FROM pg_control_system()"


def _system_id(conn: psycopg.Connection) -> int | None:
    """The cluster's system identifier, when this role may read it (superusers, pg_monitor…)."""
    try:
        with conn.transaction():
            row = conn.execute(SYSTEM_ID_SQL).fetchone()
        return int(row[0]) if row else None
    except psycopg.Error:
        return None


def same_database(source: PlatformSource, store: Store) -> bool:
    """Is the PostgreSQL store the source's database, on the same server (asked of both servers)?"""
    if not store.is_postgres:
        return False
    src = source_connect(source, autocommit=True)
    try:
        dst = connect(store)
        dst.autocommit = True
        try:
            s_db, s_start, s_port, _ = src.execute(IDENTITY_SQL).fetchone()  # type: ignore[misc]
            d_db, d_start, d_port, d_pid = dst.execute(IDENTITY_SQL).fetchone()  # type: ignore[misc]
            if (s_db, s_start, s_port) != (d_db, d_start, d_port):
                return False
            s_id, d_id = _system_id(src), _system_id(dst)
            if s_id is not None and d_id is not None and s_id != d_id:
                return False
            seen = src.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s "
                               "AND datname = current_database())", [d_pid]).fetchone()
            if not (seen and seen[0]):
                return False
            # the build reads the KV table with the store's credentials
            readable = dst.execute("SELECT to_regclass(%s) IS NULL OR has_table_privilege(current_user, "
                                   "to_regclass(%s), 'SELECT')", [regclass_name(source.table)] * 2).fetchone()
            return bool(readable and readable[0])
        finally:
            dst.close()
    finally:
        src.close()


def source_facts(source: PlatformSource) -> bool:
    """Whether the source's role may write back (checked with the source's own credentials, as a sync does)."""
    conn = source_connect(source)
    try:
        with conn.transaction(), conn.cursor() as cur:
            found = cur.execute("SELECT to_regclass(%s) IS NOT NULL", [regclass_name(source.table)]).fetchone()
            if not found or not found[0]:
                raise SourceError(f"{source.label}: no table {source.table}")
            return can_write(cur, source.table)
    except psycopg.Error as exc:
        raise SourceError(f"reading {source.table} from {source.label} failed: {first_line(exc)}") from None
    finally:
        conn.close()


def sync_in_server(source: PlatformSource, store: Store, layout_spec: str, say: Say, allow_empty: bool,
                   origin_of: Callable[[PlatformSource, Snapshot, str], dict[str, Any]],
                   choose_layout: Callable[[list[str]], str]) -> IngestResult:
    """One sync run built inside the server (see the module docstring). ``choose_layout`` turns sampled keys into a
    layout name (``--layout auto``); ``origin_of`` is what ``ingest_runs.files`` records, as for any sync."""
    t0 = time.perf_counter()
    started = dt.datetime.now(dt.UTC)
    writable = source_facts(source)
    result = IngestResult(run_id=uuid.uuid4().hex, store=store.label(), layout="", files=[])
    with hold_store(store, say) as holder:
        freed = drop_leftover_schemas(holder)
        if freed:
            say(f"  removed {freed} schema(s) left by an interrupted ingest")
        live = holder.execute("SELECT current_schema()").fetchone()[0]  # type: ignore[index]
        suffix = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
        new = sql.Identifier(LOAD_PREFIX + suffix)
        old = sql.Identifier(OLD_PREFIX + suffix)
        table = table_ident(source.table).as_string(holder)
        try:
            holder.execute(f"SET temp_buffers = '256MB'; SET TimeZone = '{TIMEZONE}'".encode())
            holder.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            try:
                with holder.transaction(), holder.cursor() as cur:
                    taken_at = cur.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
                    mark = mark_now(cur, source.table)  # the change log's position in this same snapshot
                    if mark is None:
                        say(NO_LOG_HINT)
                    found = cur.execute("SELECT to_regclass(%s) IS NOT NULL", [regclass_name(source.table)])
                    if not found.fetchone()[0]:  # type: ignore[index]
                        raise SourceError(f"{source.label}: no table {source.table}")
                    note = layout_spec
                    if layout_spec == "auto":
                        sample = [r[0] for r in cur.execute(f"SELECT key FROM {table} LIMIT {SAMPLE_KEYS}".encode())]
                        layout_spec = choose_layout(sample)
                        note = f"auto: {layout_spec}"
                    layout = load_layout(layout_spec)
                    result.layout = (layout_spec if layout_spec in ("seed", "deployed")
                                     else str(Path(layout_spec).resolve()))
                    cur.execute(sql.SQL("CREATE SCHEMA {}").format(new))
                    build_in_schema(cur, new.as_string(holder), table, layout, result, source.label, say)
                    size = cur.execute("SELECT pg_total_relation_size(%s)", [regclass_name(source.table)]).fetchone()[0]  # type: ignore[index]
            finally:
                holder.isolation_level = None
            say(f"  built {result.rows_read:,} keys of {source.table} inside {store.label()}")
            snap = Snapshot((), result.rows_read, int(size or 0), taken_at, writable, ())
            result.files = [{**origin_of(source, snap, note), "size": int(size or 0)}]
            if not writable:
                say(f"  {source.label}: this role may not update {source.table}: moderation is read-only")
            finish(holder, store, live, new, old, result, started, allow_empty, t0,
                   [*DURABLE_APPENDS, full_sync_append(source, mark, result.layout)])
        except psycopg.Error as exc:
            raise StoreError(f"building inside {store.label()} failed, previous content kept: "
                             f"{first_line(exc)}") from None
        finally:
            with contextlib.suppress(psycopg.Error):
                holder.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(old))
                holder.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(new))
    result.seconds = time.perf_counter() - t0
    return result


def finish(holder: psycopg.Connection, store: Store, live: str, new: sql.Identifier, old: sql.Identifier,
           result: IngestResult, started: dt.datetime, allow_empty: bool, t0: float,
           appends: list[Append] | None = None) -> None:
    """Keys, indexes and statistics on the new schema, the empty-table rule, then postgres_load's swap (with the
    durable appends: ``target.DURABLE_APPENDS`` unless given)."""
    with holder.transaction(), holder.cursor() as cur:
        add_keys_and_indexes(cur, new)
    analyze_tables(holder, new)
    live_id = sql.Identifier(live)
    present = {r[0] for r in holder.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [live]).fetchall()}
    if "kv_store" in present and not allow_empty:
        keys = holder.execute(sql.SQL("SELECT count(*) FROM {}.kv_store").format(live_id)).fetchone()
        refuse_empty(result, int(keys[0]) if keys else 0, store.label())
    def run() -> list[Any]:
        result.seconds = time.perf_counter() - t0
        return run_row(result, started)

    finish = Finish(run_row=run, check_empty=lambda _keys: None,
                    appends=DURABLE_APPENDS if appends is None else appends, run_id=result.run_id, started=started,
                    layout=result.layout)
    swap(holder, live_id, new, old, sorted(schema.replaceable_tables()), finish)
