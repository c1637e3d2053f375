"""The PostgreSQL target: a finished build is copied into a schema of its own (``promo_load_*``), given its keys,
indexes and statistics, then swapped in by renames in one short transaction (see ``target.py`` for the steps every
target offers, and the durable-appends hook, which runs inside that transaction). The in-server sync
(``sync/inserver.py``) builds straight into such a schema and uses the same keys, statistics and swap."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import sqlalchemy as sa
from psycopg import sql

from dashboard.ingest import derived  # noqa: F401 (registers its durable append: in-server sync too)
from dashboard.ingest.target import Finish, Say, Target, hold_before_swap, remove_dead_workdirs, say_freed
from dashboard.store import schema
from dashboard.store.connect import Store, StoreError, pg_ingest_lock


def pg_conninfo(store: Store) -> str:
    """A libpq URL for psycopg (without SQLAlchemy's +psycopg driver suffix)."""
    return sa.engine.make_url(store.url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect(store: Store) -> psycopg.Connection:
    try:
        return psycopg.connect(pg_conninfo(store), connect_timeout=10)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"cannot connect to {store.label()}: {first}") from None


LOAD_PREFIX = "promo_load_"
OLD_PREFIX = "promo_old_"
SWAP_ATTEMPTS = 5
SWAP_LOCK_TIMEOUT = "2s"


@contextlib.contextmanager
def hold_store(store: Store, say: Say) -> Iterator[psycopg.Connection]:
    """A connection holding the store's ingest lock (session advisory lock) until the ingest ends."""
    pg = connect(store)
    pg.autocommit = True
    try:
        pg_ingest_lock(pg, store, say)
        yield pg
    finally:
        pg.close()


def drop_leftover_schemas(pg: psycopg.Connection) -> int:
    """Drop the work schemas of ingests that died (safe: this ingest holds the store's lock, so none is running)."""
    found = [r[0] for r in pg.execute(
        "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s) OR starts_with(nspname, %s)",
        [LOAD_PREFIX, OLD_PREFIX]).fetchall()]
    for name in found:
        pg.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
    return len(found)


def export_csv(con: duckdb.DuckDBPyConnection, table: str, out: Path) -> None:
    """COPY a build table to a CSV file (the path is a quoted literal: COPY takes no bound parameter)."""
    path = "'" + str(out).replace("'", "''") + "'"
    con.execute(f"COPY {table} TO {path} (FORMAT csv, HEADER true)")


def clean_postgres(holder: psycopg.Connection, say: Say) -> None:
    """What killed ingests left: their work folders (temp folder) and their load schemas."""
    say_freed(remove_dead_workdirs([Path(tempfile.gettempdir())]), say)
    dropped = drop_leftover_schemas(holder)
    if dropped:
        say(f"  removed {dropped} schema(s) left by an interrupted ingest")


def postgres_target(store: Store) -> Target:
    return Target(
        label=store.label(),
        hold=lambda say: hold_store(store, say),
        clean=clean_postgres,
        workdir_parent=Path(tempfile.gettempdir()),
        build_path=lambda workdir: workdir / "build.duckdb",
        swap=lambda con, holder, workdir, finish, _say: load_into_postgres(con, store, workdir, holder, finish),
    )


def load_into_postgres(con: duckdb.DuckDBPyConnection, store: Store, workdir: Path, holder: psycopg.Connection,
                       finish: Finish) -> None:
    """Build the new content in a schema of its own (COPY, keys, indexes, statistics; nobody waits), then swap it
    in by renames in one short transaction that locks the live tables in a fixed (sorted) order. Decisions cannot
    be in flight (the ingest holds the store), so the swap waits only for readers' statements, and they for it."""
    live = holder.execute("SELECT current_schema()").fetchone()[0]
    live_id = sql.Identifier(live)
    tables = sorted(schema.replaceable_tables())
    present = {r[0] for r in holder.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [live]).fetchall()}
    if "kv_store" in present:
        keys = holder.execute(sql.SQL("SELECT count(*) FROM {}.kv_store").format(live_id)).fetchone()
        finish.check_empty(int(keys[0]) if keys else 0)
    exports: dict[str, Path] = {}
    for table in tables:
        exports[table] = workdir / f"{table}.csv"
        export_csv(con, table, exports[table])
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"
    new = sql.Identifier(LOAD_PREFIX + suffix)
    old = sql.Identifier(OLD_PREFIX + suffix)
    try:
        holder.execute(sql.SQL("CREATE SCHEMA {}").format(new))
        with holder.transaction(), holder.cursor() as cur:
            for table in tables:
                target = sql.SQL("{}.{}").format(new, sql.Identifier(table))
                cur.execute(sql.SQL(schema.create_table_sql(table, "postgresql", name="{}")).format(target))
                cols = sql.SQL(", ").join(sql.Identifier(c) for c, _ in schema.table_columns(table))
                copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv, HEADER true)").format(target, cols)
                with cur.copy(copy_sql) as copy, open(exports[table], "rb") as fh:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
            add_keys_and_indexes(cur, new)
        analyze_tables(holder, new)
        swap(holder, live_id, new, old, tables, finish)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"loading into {store.label()} failed, previous content kept: {first}") from None
    finally:
        with contextlib.suppress(psycopg.Error):
            holder.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(old))
            holder.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(new))


def add_keys_and_indexes(cur: psycopg.Cursor[Any], new: sql.Identifier) -> None:
    """kv_store's primary key, the PostgreSQL table settings (schema.PG_TABLE_SETTINGS), the indexes behind every
    artist and revenue query (issue 13) and each reference table's source_key index, on the load schema ``new``
    (nobody reads it yet)."""
    cur.execute(sql.SQL("ALTER TABLE {}.kv_store ADD PRIMARY KEY (key)").format(new))
    for table, clause in schema.PG_TABLE_SETTINGS:
        cur.execute(sql.SQL("ALTER TABLE {}.{} {}").format(new, sql.Identifier(table), sql.SQL(clause)))
    for table, cols in schema.PG_INDEXES:
        cur.execute(sql.SQL("CREATE INDEX ON {}.{} ({})").format(
            new, sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in cols)))
    for table, expression in schema.PG_EXPRESSION_INDEXES:
        cur.execute(sql.SQL("CREATE INDEX ON {}.{} {}").format(new, sql.Identifier(table), sql.SQL(expression)))
    for table in [*schema.ENTITY_TABLES, "pending_rollup"]:
        cur.execute(sql.SQL("CREATE INDEX ON {}.{} (source_key)").format(new, sql.Identifier(table)))


def analyze_tables(holder: psycopg.Connection[Any], new: sql.Identifier) -> None:
    """Planner statistics for the reference tables of the load schema, before the swap makes them live."""
    for table in schema.ENTITY_TABLES:
        holder.execute(sql.SQL("ANALYZE {}.{}").format(new, sql.Identifier(table)))


def swap(pg: psycopg.Connection, live: sql.Identifier, new: sql.Identifier, old: sql.Identifier, tables: list[str],
         finish: Finish) -> None:
    """Move the live tables out and the new ones in, run the durable appends and record the run, in one
    transaction; retried when a reader's lock makes it time out or a deadlock is detected (nothing is changed by a
    failed attempt)."""
    hold_before_swap()
    for attempt in range(1, SWAP_ATTEMPTS + 1):
        try:
            with pg.transaction(), pg.cursor() as cur:
                cur.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
                present = {r[0] for r in cur.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                ).fetchall()}
                moving = [t for t in tables if t in present]
                for table in moving:  # sorted: every swap takes the locks in the same order
                    cur.execute(sql.SQL("LOCK TABLE {}.{} IN ACCESS EXCLUSIVE MODE").format(live,
                                                                                        sql.Identifier(table)))
                cur.execute(sql.SQL("CREATE SCHEMA {}").format(old))
                for table in moving:
                    cur.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(live, sql.Identifier(table), old))
                for table in tables:
                    cur.execute(sql.SQL("ALTER TABLE {}.{} SET SCHEMA {}").format(new, sql.Identifier(table), live))
                for table in schema.DURABLE_TABLES:
                    cur.execute(schema.create_table_sql(table, "postgresql"))
                finish.run_appends(cur.execute, "postgresql")
                cur.execute(
                    "INSERT INTO ingest_runs VALUES "
                    "(%s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)",
                    finish.run_row(),
                )
            return
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            if attempt == SWAP_ATTEMPTS:
                raise
            time.sleep(0.2 * attempt)
