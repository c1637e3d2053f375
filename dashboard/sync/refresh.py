"""Refresh a few keys of a synced store from the platform (after a compare-and-set conflict), through the same
build as ingest: the keys' current values are built in a small DuckDB build with the store's layout, and their
``kv_store`` values, double-encoded marks and entity rows replace the store's, in one store transaction."""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql

from dashboard.ingest.build import build, open_build, stage_files
from dashboard.ingest.layout import load_layout
from dashboard.ingest.readers import detect
from dashboard.ingest.result import IngestResult
from dashboard.rollups import (
    DANGLING_TABLES,
    DIRECTORY_SOURCES,
    ORPHAN_TABLES,
    REVENUE_TABLES,
    lock_rollups,
    rebuild_coins,
    rebuild_dangling,
    rebuild_donations,
    rebuild_orphans,
    rebuild_revenue,
    refresh_directory,
    refresh_pending_for_key,
)
from dashboard.store import schema
from dashboard.store.connect import Store
from dashboard.sync.platform import SyncedFrom
from dashboard.sync.source import SourceError, connect, table_ident

ENTITY_TABLES = tuple(t for t in schema.ENTITY_TABLES if t not in schema.DERIVED_TABLES)


def platform_values(origin: SyncedFrom, keys: list[str]) -> list[str]:
    """NDJSON lines of the keys' current platform values (absent keys give no line)."""
    conn = connect(origin.source, autocommit=True)
    try:
        return [r[0] for r in conn.execute(
            sql.SQL("SELECT jsonb_build_object('key', key, 'value', value)::text FROM {} WHERE key = ANY(%s)").format(
                table_ident(origin.source.table)), [keys])]
    except psycopg.Error as exc:
        raise SourceError(f"refreshing from {origin.source.label} failed: {exc}") from None
    finally:
        conn.close()


def built_rows(lines: list[str], layout_spec: str) -> tuple[dict[str, str], set[str], dict[str, list[dict[str, Any]]]]:
    """Build ``lines`` as ingest would: (key → value JSON text, double-encoded keys, table → rows)."""
    layout = load_layout(layout_spec)
    workdir = Path(tempfile.mkdtemp(prefix="promo-refresh-"))
    try:
        path = workdir / "keys.ndjson"
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        con = open_build(workdir / "refresh.duckdb", workdir)
        try:
            result = IngestResult(run_id=uuid.uuid4().hex, store="refresh", layout=layout_spec, files=[])
            stage_files(con, [detect(path)], layout, result, workdir, lambda _m: None)
            build(con, layout, result)
            values = dict(con.execute("SELECT key, CAST(value AS VARCHAR) FROM kv_store").fetchall())
            encoded = {r[0] for r in con.execute("SELECT key FROM kv_double_encoded").fetchall()}
            rows: dict[str, list[dict[str, Any]]] = {}
            for table in ENTITY_TABLES:
                cur = con.execute(f"SELECT * FROM {table}")
                names = [d[0] for d in cur.description]
                rows[table] = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        finally:
            con.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return values, encoded, rows


def refresh_keys(conn: sa.Connection, store: Store, origin: SyncedFrom, keys: list[str]) -> None:
    """Replace the keys' values, double-encoded marks and entity rows in the store (inside ``conn``'s transaction)
    with the platform's current ones. A key gone from the platform is removed with its rows."""
    if not keys:
        return
    values, encoded, rows = built_rows(platform_values(origin, keys), origin.layout)
    lock_rollups(conn)  # before the rows the rollups summarise change (dashboard/rollups.py)
    users = {str(u) for table, column in DIRECTORY_SOURCES for key in keys for (u,) in conn.execute(
        sa.text(f"SELECT {column} FROM {table} WHERE source_key = :k AND {column} IS NOT NULL"), {"k": key})}
    users |= {str(row[column]) for table, column in DIRECTORY_SOURCES for row in rows[table]
              if row.get(column) is not None}
    json_type = "JSONB" if store.is_postgres else "JSON"
    for key in keys:
        conn.execute(sa.text("DELETE FROM kv_store WHERE key = :k"), {"k": key})
        conn.execute(sa.text("DELETE FROM kv_double_encoded WHERE key = :k"), {"k": key})
        if key in values:
            conn.execute(sa.text(f"INSERT INTO kv_store (key, value) VALUES (:k, CAST(:v AS {json_type}))"),
                         {"k": key, "v": values[key]})
        if key in encoded:
            conn.execute(sa.text("INSERT INTO kv_double_encoded (key) VALUES (:k)"), {"k": key})
    touched: set[str] = set()
    for table in ENTITY_TABLES:
        columns = schema.entity_columns(table)
        for key in keys:
            if conn.execute(sa.text(f"DELETE FROM {table} WHERE source_key = :k"), {"k": key}).rowcount:
                touched.add(table)
        if rows[table]:
            touched.add(table)
        for row in rows[table]:
            names = [f'"{c}"' for c, _ in columns if c in row]
            values_sql = ", ".join(f"CAST(:{c} AS {json_type})" if t == "JSONB" else f":{c}"
                                   for c, t in columns if c in row)
            params = {c: (json.dumps(json.loads(row[c]), ensure_ascii=False) if t == "JSONB" and row[c] is not None
                          else row[c]) for c, t in columns if c in row}
            conn.execute(sa.text(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({values_sql})"), params)
    for key in keys:
        refresh_pending_for_key(conn, origin.layout, key)
    if touched & REVENUE_TABLES:
        rebuild_revenue(conn)
    if "donations" in touched:
        rebuild_donations(conn)
    if "coins_transactions" in touched:
        rebuild_coins(conn)
    if touched & ORPHAN_TABLES:
        rebuild_orphans(conn)
    if touched & DANGLING_TABLES:
        rebuild_dangling(conn)
    if users:
        refresh_directory(conn, users)
