"""Copy a finished DuckDB build into PostgreSQL in one transaction (COPY, CSV)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import psycopg
import sqlalchemy as sa

from dashboard.store import schema
from dashboard.store.connect import Store, StoreError

# Indexes from the reference schema (the ones on columns we load), plus the keys we look rows up by.
INDEXES: tuple[tuple[str, str], ...] = (
    ("tracks", "user_id"), ("tracks", "status"), ("videos", "user_id"), ("videos", "status"),
    ("concerts", "user_id"), ("concerts", "date"), ("news", "user_id"), ("news", "status"),
    ("donations", "artist_id"), ("donations", "created_at"), ("coins_transactions", "user_id"),
    ("payment_transactions", "user_id"), ("payment_transactions", "created_at"), ("banner_ads", "user_id"),
    ("banner_ads", "status"), ("promotion_campaigns", "user_id"), ("pitching_submissions", "user_id"),
    ("track_analytics", "track_id"), ("track_analytics", "date"), ("concert_analytics", "concert_id"),
    ("notifications", "user_id"), ("kv_index", "list_key"),
)


def pg_conninfo(store: Store) -> str:
    """A libpq URL for psycopg (without SQLAlchemy's +psycopg driver suffix)."""
    return sa.engine.make_url(store.url).set(drivername="postgresql").render_as_string(hide_password=False)


def connect(store: Store) -> psycopg.Connection:
    try:
        return psycopg.connect(pg_conninfo(store), connect_timeout=10)
    except psycopg.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise StoreError(f"cannot connect to {store.label()}: {first}") from None


def load_into_postgres(con: duckdb.DuckDBPyConnection, store: Store, workdir: Path, run: list[Any]) -> None:
    exports: dict[str, Path] = {}
    for table in schema.replaceable_tables():
        out = workdir / f"{table}.csv"
        con.execute(f"COPY {table} TO '{out}' (FORMAT csv, HEADER true)")
        exports[table] = out
    with connect(store) as pg:
        try:
            with pg.transaction(), pg.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '30s'")
                for table, path in exports.items():
                    cur.execute(f"DROP TABLE IF EXISTS {table}")
                    cur.execute(schema.create_table_sql(table, "postgresql"))
                    cols = ", ".join(c for c, _ in schema.table_columns(table))
                    with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv, HEADER true)") as copy, open(
                        path, "rb"
                    ) as fh:
                        while chunk := fh.read(1 << 20):
                            copy.write(chunk)
                cur.execute("ALTER TABLE kv_store ADD PRIMARY KEY (key)")
                for table, col in INDEXES:
                    cur.execute(f"CREATE INDEX ON {table} ({col})")
                for table in schema.REFERENCE_TABLES:
                    cur.execute(f"CREATE INDEX ON {table} (source_key)")
                for table in schema.DURABLE_TABLES:
                    cur.execute(schema.create_table_sql(table, "postgresql"))
                cur.execute(
                    "INSERT INTO ingest_runs VALUES "
                    "(%s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)",
                    run,
                )
                for table in schema.REFERENCE_TABLES:
                    cur.execute(f"ANALYZE {table}")
        except psycopg.Error as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(f"loading into {store.label()} failed, previous content kept: {first}") from None
