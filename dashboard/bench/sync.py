"""``bench sync``: a platform table made from the demo snapshot (1M keys at medium) on a PostgreSQL server, synced
into a DuckDB store and into the same PostgreSQL database, each in its own process (wall, keys/s, peak RSS), next
to ``ingest`` of the same data from the local NDJSON file.

The server is ``--pg URL`` (or ``PROMO_BENCH_PG_URL``): a URL of a role that may create databases. Without one, a
throwaway server is started as the test suite does (``tests/pg_server.py``; needs the PostgreSQL binaries). The
platform table is loaded once (not timed) and reused while it holds the snapshot's key count.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from dashboard.bench.demo_stores import BENCH_DIR, demo_file

TABLE = "kv_store_84730125"
PLATFORM_DB = "promo_bench_platform"

_CHILD = """
import json, os, resource, sys, time
from pathlib import Path
what, store_name, src = sys.argv[1], sys.argv[2], sys.argv[3]
from dashboard.store.connect import Store
if what == "ingest":
    from dashboard.ingest.build import ingest
else:
    from dashboard.sync.run import sync
    from dashboard.sync.source import resolve_source
t0 = time.perf_counter()
if what == "ingest":
    result = ingest([Path(src)], Store(store_name), "seed", say=lambda _m: None)
else:
    result = sync(resolve_source("env:PROMO_BENCH_SOURCE"), Store(store_name), "auto", say=lambda _m: None)
wall = time.perf_counter() - t0
print(json.dumps({"keys": result.rows_loaded, "wall": wall, "layout": result.layout,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


@contextlib.contextmanager
def bench_server(url: str | None) -> Iterator[str]:
    if url:
        yield url
        return
    try:
        from tests.pg_server import postgres_server
    except ImportError:
        raise RuntimeError("bench sync needs --pg URL (or PROMO_BENCH_PG_URL): a PostgreSQL server") from None
    with postgres_server() as started:
        yield started


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def database_url(server: str, name: str) -> str:
    return libpq(server).rsplit("/", 1)[0] + "/" + name


def copy_snapshot(conn: psycopg.Connection[Any], snapshot: Path, table: str = TABLE, unlogged: bool = False) -> None:
    """``table (key text PRIMARY KEY, value jsonb NOT NULL)`` made on ``conn`` (autocommit) and filled from the NDJSON
    snapshot, each value as the platform stores it (a double-encoded string stays a string)."""
    conn.execute(f"CREATE {'UNLOGGED ' if unlogged else ''}TABLE {table} (key text PRIMARY KEY, value jsonb NOT NULL)")
    with conn.cursor() as cur, cur.copy(f"COPY {table} (key, value) FROM STDIN") as copy, \
            snapshot.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                copy.write_row((rec["key"], json.dumps(rec["value"], ensure_ascii=False)))


def platform_table(server: str, snapshot: Path, keys: int) -> str:
    """The platform database with the snapshot as its KV table (values as the platform stores them)."""
    with psycopg.connect(libpq(server), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PLATFORM_DB]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{PLATFORM_DB}"')
    url = database_url(server, PLATFORM_DB)
    with psycopg.connect(url, autocommit=True) as conn:
        present = conn.execute("SELECT to_regclass(%s) IS NOT NULL", [TABLE]).fetchone()
        if present and present[0]:
            count = conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()
            if count and count[0] == keys:
                return url
            conn.execute(f"DROP TABLE {TABLE}")
        print(f"loading {keys:,} keys into {TABLE} (not timed)…", file=sys.stderr)
        copy_snapshot(conn, snapshot, unlogged=True)
        conn.execute(f"ANALYZE {TABLE}")
    return url


def run_child(what: str, store: str, src: str, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, what, store, src], capture_output=True, text=True,
                          check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} into {store.split('@')[-1]} failed: {proc.stderr.strip().splitlines()[-1:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def bench_sync(scale: str, seed: int, server_url: str | None) -> dict[str, Any]:
    src = demo_file(scale, seed)
    manifest = json.loads(Path(f"{src}.manifest.json").read_text(encoding="utf-8"))
    keys = int(manifest.get("total_keys") or sum(1 for _ in src.open("rb")))
    with bench_server(server_url or os.environ.get("PROMO_BENCH_PG_URL")) as server, \
            tempfile.TemporaryDirectory(prefix="promo-bench-", dir=BENCH_DIR) as tmp:
        platform = platform_table(server, src, keys)
        env = {**os.environ, "PROMO_BENCH_SOURCE": platform}
        out: dict[str, Any] = {"scale": scale, "keys": keys, "file_mb": round(src.stat().st_size / 1e6, 1)}
        out["ingest_duckdb"] = run_child("ingest", str(Path(tmp) / "ingest.duckdb"), str(src), env)
        out["sync_duckdb"] = run_child("sync", str(Path(tmp) / "sync.duckdb"), "", env)
        out["sync_same_postgresql"] = run_child("sync", platform.replace("postgresql://", "postgresql+psycopg://"),
                                                "", env)
    return out


def print_sync(result: dict[str, Any]) -> None:
    print(f"bench sync, scale {result['scale']} ({result['keys']:,} keys, {result['file_mb']} MB as NDJSON)")
    base = result["ingest_duckdb"]["wall"]
    for name, label in (("ingest_duckdb", "ingest NDJSON -> DuckDB"), ("sync_duckdb", "sync -> DuckDB"),
                        ("sync_same_postgresql", "sync -> same PostgreSQL")):
        r = result[name]
        print(f"  {label:26} {r['wall']:7.2f} s  {r['keys'] / r['wall']:>10,.0f} keys/s  "
              f"peak RSS {r['rss_mb']:,.0f} MB  ({r['wall'] / base:.2f}x ingest)")
