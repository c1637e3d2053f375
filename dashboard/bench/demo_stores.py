"""The demo snapshots and stores the benchmarks measure: generated or loaded once per (layout, scale, seed), then
reused. ``layout`` is ``seed`` (the documented layout) or ``deployed`` (what the platform's code writes)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCH_DIR = Path("data/bench")
BENCH_AS_OF = "2026-11-01"


def demo_file(scale: str, seed: int, layout: str = "seed") -> Path:
    import datetime as dt

    from dashboard.demo.deployed import day2_path, write_deployed_snapshot
    from dashboard.demo.snapshot import write_demo_snapshot

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    tag = "" if layout == "seed" else f"{layout}-"
    path = BENCH_DIR / f"demo-{tag}{scale}-{seed}-{BENCH_AS_OF}.ndjson"
    if not path.exists():
        print(f"writing demo snapshot {path} (not timed)…", file=sys.stderr)
        tmp = path.with_suffix(".tmp.ndjson")
        as_of = dt.date.fromisoformat(BENCH_AS_OF)
        if layout == "deployed":
            write_deployed_snapshot(tmp, scale=scale, seed=seed, as_of=as_of)
        else:
            write_demo_snapshot(tmp, scale=scale, seed=seed, as_of=as_of)
        tmp.rename(path)
        Path(f"{tmp}.manifest.json").rename(f"{path}.manifest.json")
        if layout == "deployed":  # the day-after snapshot is written beside the first
            day2_path(tmp).rename(day2_path(path))
    return path


def demo_store(scale: str, seed: int, layout: str = "seed") -> Path:
    """A DuckDB store with the demo snapshot ingested, built once per (layout, scale, seed)."""
    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    tag = "" if layout == "seed" else f"{layout}-"
    db = BENCH_DIR / f"demo-{tag}{scale}-{seed}.duckdb"
    if not db.exists():
        for snapshot in demo_snapshots(scale, seed, layout):
            ingest([snapshot], Store(str(db)), layout, say=lambda _m: None)
    return db


def demo_snapshots(scale: str, seed: int, layout: str = "seed") -> list[Path]:
    """The snapshots a demo store is built from, in order: the deployed demo as `make run` shows it is the snapshot
    and the day after (so the derived daily series has two points); the seed demo is one snapshot."""
    from dashboard.demo.deployed import day2_path

    first = demo_file(scale, seed, layout)
    return [first, day2_path(first)] if layout == "deployed" else [first]


def demo_pg_store(scale: str, seed: int, server_url: str, layout: str = "seed") -> str:
    """A PostgreSQL database with the demo snapshot ingested, loaded once per (scale, seed) on that server."""
    import psycopg

    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    name = f"promo_bench_{scale}_{seed}" + ("" if layout == "seed" else f"_{layout}")
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
        for snapshot in demo_snapshots(scale, seed, layout):
            ingest([snapshot], Store(url), layout, say=lambda _m: None)
    return url


def bench_store(args: argparse.Namespace) -> str:
    """The store a pages/moderation bench measures: --db, else the demo store of --engine."""
    if args.db:
        if "://" not in str(args.db) and not Path(args.db).is_file():  # a page would say so, and time the message
            raise SystemExit(f"error: no store at {args.db} (build one with python -m dashboard demo or ingest)")
        return str(args.db)
    if args.engine == "postgresql":
        if not args.pg_url:
            raise SystemExit("error: --engine postgresql needs --pg-url or PROMO_BENCH_PG_URL")
        return demo_pg_store(args.scale, args.seed, args.pg_url, args.layout)
    return str(demo_store(args.scale, args.seed, args.layout))
