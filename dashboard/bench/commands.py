"""Benchmarks: ``python -m dashboard bench ingest|pages|moderation|race --scale small|medium|large``.

Each side of ``bench ingest`` runs in its own process, so wall time and peak RSS (ru_maxrss) are that side's alone.
The demo snapshot is generated once per (scale, seed) under ``data/bench/`` and reused; generation is not timed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from dashboard.bench.demo_stores import BENCH_DIR, bench_store, demo_file, demo_store


def add_bench_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = sub.add_parser("bench", help="measure speed (ingest, pages, moderation, load, soak)")
    bench.add_argument("what", choices=["ingest", "pages", "moderation", "race", "sync", "load", "anomalies", "soak"])
    bench.add_argument("--layout", default="seed", choices=["seed", "deployed"],
                       help="ingest/pages/moderation: the demo's key layout (seed: the documented one; deployed: "
                            "what the platform's code writes)")
    bench.add_argument("--scale", default=None, choices=["tiny", "small", "medium", "large"],
                       help="the demo's size (default: medium; load and soak: small)")
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--db", help="for pages/moderation: an existing store to measure instead of a demo store")
    bench.add_argument("--engine", default="duckdb", choices=["duckdb", "postgresql"],
                       help="pages/moderation: the demo store's engine (postgresql needs --pg-url or "
                            "PROMO_BENCH_PG_URL; the demo is loaded once into database promo_bench_SCALE_SEED)")
    bench.add_argument("--pg-url", default=os.environ.get("PROMO_BENCH_PG_URL"),
                       help="a PostgreSQL server (postgresql+psycopg://user@host:port/db) for --engine postgresql")
    bench.add_argument("--no-peer", action="store_true", help="ingest: skip the pandas peer")
    bench.add_argument("--repeats", type=int, default=5, help="pages: timed runs per page and identity")
    bench.add_argument("--races", type=int, default=30, help="race: moderate-vs-ingest races")
    bench.add_argument("--pg", help="race: a postgresql+psycopg:// URL of an empty database to race on instead of "
                                    "a DuckDB copy of the demo store; sync: a PostgreSQL URL of a role that may "
                                    "create databases (default: PROMO_BENCH_PG_URL, else a throwaway server)")
    bench.add_argument("--url", help="load: a running app or serve proxy on this machine (default: start the app "
                                      "on the demo store of --scale/--engine, or --db, in demo mode)")
    bench.add_argument("--sessions", type=int, default=None,
                       help="load, soak: websocket sessions at once (default: load 1, soak 100)")
    bench.add_argument("--think", type=int, default=None,
                       help="load, soak: think time between pages, ms (default: load 3000, soak 5000)")
    bench.add_argument("--seconds", type=float, default=None,
                       help="load: how long sessions open pages (default 20); soak: how long it runs (default "
                            "600); sync --incremental: how long the platform's changes stream (default 120)")
    bench.add_argument("--deciders", type=int, default=10,
                       help="soak: how many of the sessions are moderators who approve items (default 10)")
    bench.add_argument("--decide-every", type=int, default=60000,
                       help="soak: a decider's time between decisions, ms (default 60000: with 10 deciders a "
                            "decision every 6 s, about 100 in 10 minutes, as many as the small demo has pending)")
    bench.add_argument("--replicas", type=int, default=2, help="soak: app replicas behind serve (default 2)")
    bench.add_argument("--incremental", action="store_true",
                       help="sync: stream platform changes into stores that follow the change log; report the lag "
                            "from the platform's commit to the store's and the CPU time per change")
    bench.add_argument("--rate", type=float, default=100, help="sync --incremental: changes per second (default 100)")
    bench.add_argument("--poll", type=float, default=2, help="sync --incremental: the follower's poll (default 2 s)")
    bench.add_argument("--pages", nargs="+", metavar="PAGE",
                       help="load: URL paths to open in turn, each maybe with ?query (default: every staff and "
                            "artist page as admin)")
    bench.add_argument("--no-warm", dest="warm", action="store_false",
                       help="load: skip the untimed first visit of every page")
    bench.set_defaults(run=cmd_bench)


_CHILD = """
import json, resource, sys, time
from pathlib import Path
side, src, db, layout = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
started = time.perf_counter()
if side == "ours":
    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store
else:
    from dashboard.bench.pandas_peer import pandas_ingest
t0 = time.perf_counter()  # imports are timed apart: the same for every run, not part of the ingest
if side == "ours":
    keys = ingest([src], Store(str(db)), layout, say=lambda _m: None).rows_loaded
else:
    keys = pandas_ingest(src, db, layout)
wall = time.perf_counter() - t0
print(json.dumps({"keys": keys, "wall": wall, "imports": t0 - started,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_side(side: str, src: Path, db: Path, layout: str = "seed") -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-c", _CHILD, side, str(src), str(db), layout], capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{side} ingest failed: {proc.stderr.strip().splitlines()[-1:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def bench_ingest(scale: str, seed: int, peer: bool = True, layout: str = "seed") -> dict[str, Any]:
    src = demo_file(scale, seed, layout)
    with tempfile.TemporaryDirectory(prefix="promo-bench-", dir=BENCH_DIR) as tmp:
        ours = run_side("ours", src, Path(tmp) / "ours.duckdb", layout)
        result: dict[str, Any] = {"scale": scale, "layout": layout, "file_mb": round(src.stat().st_size / 1e6, 1),
                                  "ours": ours}
        if peer:
            theirs = run_side("pandas", src, Path(tmp) / "peer.duckdb", layout)
            result["pandas"] = theirs
            result["ratio"] = theirs["wall"] / ours["wall"]
    return result


def print_ingest(result: dict[str, Any]) -> None:
    ours = result["ours"]
    print(f"bench ingest, layout {result['layout']}, scale {result['scale']} ({result['file_mb']} MB NDJSON, "
          f"{ours['keys']:,} keys)")
    print(f"  ours:   {ours['wall']:7.2f} s  {ours['keys'] / ours['wall']:>10,.0f} keys/s  "
          f"peak RSS {ours['rss_mb']:,.0f} MB  (+{ours['imports']:.1f} s of imports)")
    if "pandas" in result:
        peer = result["pandas"]
        print(f"  pandas: {peer['wall']:7.2f} s  {peer['keys'] / peer['wall']:>10,.0f} keys/s  "
              f"peak RSS {peer['rss_mb']:,.0f} MB  (+{peer['imports']:.1f} s of imports)")
        print(f"  ratio:  {result['ratio']:.1f}x faster than the pandas peer")


def bench_race(scale: str, seed: int, races: int, pg: str | None) -> int:
    """``races`` timed races of ``moderate`` against an ingest of the demo snapshot (issue 11's acceptance)."""
    import shutil

    from dashboard.bench.race import run_races
    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    src = demo_file(scale, seed)
    with tempfile.TemporaryDirectory(prefix="promo-bench-race-", dir=BENCH_DIR) as tmp:
        if pg:
            store = Store(pg)
            ingest([src], store, "seed", say=lambda _m: None)
        else:
            store = Store(str(Path(tmp) / "race.duckdb"))
            shutil.copyfile(demo_store(scale, seed), store.path)
        t0 = time.perf_counter()
        ingest([src], store, "seed", say=lambda _m: None)
        expected = time.perf_counter() - t0
        print(f"bench race on {store.label()} ({src.name}); one ingest alone: {expected:.1f} s", file=sys.stderr)
        report = run_races(store, src, races, window=expected + 1.0,
                           say=lambda m: print(m, file=sys.stderr))
    print(f"bench race, scale {scale}, {'PostgreSQL' if pg else 'DuckDB'}")
    for line in report.lines():
        print(line)
    return 0 if not report.lost and not report.undocumented else 1


def cmd_bench(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    soaking = args.what == "soak"
    if args.scale is None:
        args.scale = "small" if args.what in ("load", "soak") else "medium"
    if args.seconds is None:
        args.seconds = 120.0 if args.what == "sync" and args.incremental else 600.0 if soaking else 20.0
    if args.sessions is None:
        args.sessions = 100 if soaking else 1
    if args.think is None:
        args.think = 5000 if soaking else 3000
    if args.what in ("load", "soak"):
        # the sessions speak Streamlit's protocol (its protobufs): the UI's, run in its own process
        more = ["--deciders", str(args.deciders), "--decide-every", str(args.decide_every), "--replicas",
                str(args.replicas)] if soaking else []
        return subprocess.run([sys.executable, "-m", f"ui.bench_{args.what}", *load_options(args), *more],
                              check=False).returncode
    if args.what == "ingest":
        print_ingest(bench_ingest(args.scale, args.seed, peer=not args.no_peer, layout=args.layout))
    elif args.what == "race":
        return bench_race(args.scale, args.seed, args.races, args.pg)
    elif args.what == "sync" and args.incremental:
        from dashboard.bench.sync_feed import bench_incremental, print_incremental

        print_incremental(bench_incremental(args.scale, args.seed, args.pg, args.rate, args.seconds, args.poll))
    elif args.what == "sync":
        from dashboard.bench.sync import bench_sync, print_sync

        print_sync(bench_sync(args.scale, args.seed, args.pg))
    elif args.what == "anomalies":
        from dashboard.anomalies.bench import bench_anomalies, print_bench
        from dashboard.store.connect import Store

        print_bench(bench_anomalies(Store(bench_store(args)), args.repeats))
    elif args.what == "pages":
        # the pages are the UI's: measured by ui.bench_pages in its own process (the core never imports the UI)
        done = subprocess.run([sys.executable, "-m", "ui.bench_pages", "--db", bench_store(args),
                               "--repeats", str(args.repeats)], check=False)
        if done.returncode:
            return done.returncode
    else:
        from dashboard.bench.moderation import bench_decision
        from dashboard.store.connect import Store

        db = bench_store(args)
        result = bench_decision(Store(db), args.repeats * 10)
        print(f"bench moderation on {Store(db).label()}: {result['decisions']} decisions "
              f"({result['entity']} {result['id']}), median {result['median_ms']:.1f} ms, "
              f"p95 {result['p95_ms']:.1f} ms, max {result['max_ms']:.1f} ms")
    print(f"(bench finished in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    return 0


def load_options(args: argparse.Namespace) -> list[str]:
    """The options of ``bench load`` as command-line words again, for ``python -m ui.bench_load``."""
    words = ["--sessions", str(args.sessions), "--think", str(args.think), "--seconds", str(args.seconds),
             "--seed", str(args.seed), "--engine", args.engine, "--layout", args.layout]
    for flag, value in (("--url", args.url), ("--db", args.db), ("--pg-url", args.pg_url), ("--scale", args.scale)):
        if value:
            words += [flag, str(value)]
    if args.pages:
        words += ["--pages", *args.pages]
    if not args.warm:
        words.append("--no-warm")
    return words
