"""Test helpers: platform databases (``kv_store_84730125 (key text primary key, value jsonb)``) on the suite's
PostgreSQL server, loaded from snapshot files as the platform stores them (double-encoded strings stay strings)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from dashboard.bench.sync import copy_snapshot
from tests.pg_server import create_database

TABLE = "kv_store_84730125"


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def make_platform(admin_url: str, name: str, snapshot: Path) -> str:
    """A new database holding the platform table loaded from ``snapshot`` (NDJSON); returns its URL."""
    url = create_database(admin_url, name)
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        copy_snapshot(conn, snapshot, TABLE)
    return url


def platform_value(url: str, key: str) -> tuple[str | None, Any]:
    """(jsonb_typeof, the value) of a platform key; (None, None) when absent."""
    with psycopg.connect(libpq(url)) as conn:
        row = conn.execute(f"SELECT jsonb_typeof(value), value FROM {TABLE} WHERE key = %s", [key]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def platform_keys(url: str, like: str) -> list[str]:
    with psycopg.connect(libpq(url)) as conn:
        return [r[0] for r in conn.execute(f"SELECT key FROM {TABLE} WHERE key LIKE %s ORDER BY key", [like])]


def platform_execute(url: str, statement: str, params: list[Any] | None = None) -> None:
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(statement, params or [])


def read_only_role(admin_url: str, platform_url: str, role: str) -> str:
    """A role that may only read the platform table; returns the platform URL as that role."""
    db = platform_url.rsplit("/", 1)[1]
    with psycopg.connect(libpq(admin_url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(f'CREATE ROLE "{role}" LOGIN')
    with psycopg.connect(libpq(platform_url), autocommit=True) as conn:
        conn.execute(f'GRANT CONNECT ON DATABASE "{db}" TO "{role}"')
        conn.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        conn.execute(f'GRANT SELECT ON {TABLE} TO "{role}"')
    host = platform_url.split("@", 1)[1]
    return f"postgresql://{role}@{host}"
