"""The demo snapshots and stores the benchmarks measure: generated or loaded once per (scale, seed), then reused."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCH_DIR = Path("data/bench")
BENCH_AS_OF = "2026-11-01"


def demo_file(scale: str, seed: int) -> Path:
    import datetime as dt

    from dashboard.demo.snapshot import write_demo_snapshot

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"demo-{scale}-{seed}-{BENCH_AS_OF}.ndjson"
    if not path.exists():
        print(f"writing demo snapshot {path} (not timed)…", file=sys.stderr)
        tmp = path.with_suffix(".tmp.ndjson")
        write_demo_snapshot(tmp, scale=scale, seed=seed, as_of=dt.date.fromisoformat(BENCH_AS_OF))
        tmp.rename(path)
        Path(f"{tmp}.manifest.json").rename(f"{path}.manifest.json")
    return path


def demo_store(scale: str, seed: int) -> Path:
    """A DuckDB store with the demo snapshot ingested, built once per (scale, seed)."""
    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    db = BENCH_DIR / f"demo-{scale}-{seed}.duckdb"
    if not db.exists():
        ingest([demo_file(scale, seed)], Store(str(db)), "seed", say=lambda _m: None)
    return db


def demo_pg_store(scale: str, seed: int, server_url: str) -> str:
    """A PostgreSQL database with the demo snapshot ingested, loaded once per (scale, seed) on that server."""
    import psycopg

    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    name = f"promo_bench_{scale}_{seed}"
    base = server_url.replace("postgresql+psycopg://", "postgresql://")
    url = server_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(base, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        loaded = conn.execute("SELECT to_regclass('ingest_runs')").fetchone()
    if not loaded or loaded[0] is None:
        print(f"loading the {scale} demo into {name} (not timed)…", file=sys.stderr)
        ingest([demo_file(scale, seed)], Store(url), "seed", say=lambda _m: None)
    return url


def bench_store(args: argparse.Namespace) -> str:
    """The store a pages/moderation bench measures: --db, else the demo store of --engine."""
    if args.db:
        return str(args.db)
    if args.engine == "postgresql":
        if not args.pg_url:
            raise SystemExit("error: --engine postgresql needs --pg-url or PROMO_BENCH_PG_URL")
        return demo_pg_store(args.scale, args.seed, args.pg_url)
    return str(demo_store(args.scale, args.seed))
