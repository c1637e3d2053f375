"""``bench sync --incremental``: a steady stream of platform changes against the demo's platform table (1M keys at
medium), applied by a follower as ``sync --follow`` applies them, into a DuckDB store and into the platform's own
PostgreSQL database.

For each target: a full sync (the store's position in the change log, not timed), then a follower in its own
process (``Feed`` batches every ``--poll`` seconds, as ``sync --follow`` runs them) while a writer makes ``--rate``
changes per second for ``--seconds`` seconds, each in its own platform transaction: updates of existing keys (a
number or a status in the value), new keys (a copy of an existing key's value under a new id) and deletes of keys
the writer added, so the table keeps its size. Reported:

- **lag**, per change: the store's commit of the batch that applied it minus the change's platform commit (its
  ``changed_at``, taken in the trigger at the end of the writer's one-statement transaction), p50/p95/max;
- **CPU per change**: the follower process's CPU time, and the PostgreSQL server's (every backend: the writer's
  statements and triggers and the follower's reads and, for the same-database store, its build), each divided by
  the changes applied (the server's only when it runs on this machine);
- the batches (how many, their median time) and the rate the writer kept.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from dashboard.bench.demo_stores import BENCH_DIR, demo_file
from dashboard.bench.sync import TABLE, bench_server, platform_table

_FOLLOWER = """
import json, resource, signal, sys, threading, time
from dashboard.store.connect import Store
from dashboard.sync.feed import Feed, FeedResult, follower_lock, follower_name
from dashboard.sync.run import run_sync
from dashboard.sync.source import resolve_source
store, poll, out = Store(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
source = resolve_source("env:PROMO_BENCH_SOURCE")
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
lags, batches, full = [], [], 0
with follower_lock(store):
    feed = Feed(source, store, "auto", follower=follower_name())
    ready = resource.getrusage(resource.RUSAGE_SELF)  # the imports' CPU is not the changes'
    print("ready", flush=True)
    while not stop.is_set():
        started = time.monotonic()
        result = run_sync(source, store, say=lambda m: print(m, file=sys.stderr, flush=True), feed=feed)
        if isinstance(result, FeedResult):
            if result.changes:
                lags += result.lags
                batches.append([result.changes, result.seconds, result.last_change_id])
        else:
            full += 1
        stop.wait(max(0.0, poll - (time.monotonic() - started)))
usage = resource.getrusage(resource.RUSAGE_SELF)
json.dump({"lags": lags, "batches": batches, "full": full,
           "cpu": usage.ru_utime + usage.ru_stime - ready.ru_utime - ready.ru_stime,
           "rss_mb": usage.ru_maxrss / 1024}, open(out, "w"))
"""

_FULL = """
import sys, time
from dashboard.store.connect import Store
from dashboard.sync.run import sync
from dashboard.sync.source import resolve_source
t0 = time.perf_counter()
sync(resolve_source("env:PROMO_BENCH_SOURCE"), Store(sys.argv[1]), "auto", say=lambda _m: None)
print(time.perf_counter() - t0)
"""


def server_cpu(conn: psycopg.Connection) -> float | None:
    """CPU seconds the PostgreSQL server behind ``conn`` has used (the postmaster, its live children and those it
    has waited for), when it runs on this machine; None otherwise."""
    try:
        pid = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        tick = os.sysconf("SC_CLK_TCK")

        def fields(p: int) -> list[str]:
            return Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()

        top = fields(parent)
        total = sum(int(x) for x in top[11:15])  # utime stime cutime cstime
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    f = fields(int(entry.name))
                except OSError:
                    continue
                if int(f[1]) == parent:
                    total += int(f[11]) + int(f[12])
        return total / tick
    except (OSError, ValueError, IndexError, psycopg.Error):
        return None


class Writer:
    """The platform's changes, ``rate`` per second, each in its own transaction."""

    def __init__(self, url: str, seed: int) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.rng = random.Random(seed)
        rows = self.conn.execute(f"SELECT key, value::text FROM {TABLE} TABLESAMPLE SYSTEM (5) LIMIT 20000"
                                 ).fetchall()
        self.sample = [(k, v) for k, v in rows if v.startswith("{")]
        self.added: list[str] = []
        self.done = 0
        self.made = 0

    def one(self) -> None:
        roll = self.rng.random()
        if roll < 0.1 and self.added:
            self.conn.execute(f"DELETE FROM {TABLE} WHERE key = %s", [self.added.pop(self.rng.randrange(
                len(self.added)))])
        elif roll < 0.2:
            key, value = self.rng.choice(self.sample)
            self.made += 1
            new = re.sub(r"[^:]+$", f"bench{os.getpid()}x{self.made}", key)
            self.conn.execute(f"INSERT INTO {TABLE} (key, value) VALUES (%s, %s::jsonb) ON CONFLICT (key) DO NOTHING",
                              [new, value])
            self.added.append(new)
        else:
            key, _ = self.rng.choice(self.sample)
            self.conn.execute(
                f"UPDATE {TABLE} SET value = CASE WHEN value ? 'plays' THEN jsonb_set(value, '{{plays}}', "
                "to_jsonb(COALESCE((value->>'plays')::numeric, 0) + 1)) "
                "WHEN value ? 'status' THEN jsonb_set(value, '{status}', to_jsonb(%s::text)) "
                "ELSE value || jsonb_build_object('bench_n', %s::int) END WHERE key = %s",
                [self.rng.choice(["pending", "approved", "active"]), self.done, key])
        self.done += 1

    def run(self, rate: float, seconds: float) -> float:
        """Write at ``rate`` per second for ``seconds``; returns the rate kept."""
        t0 = time.monotonic()
        total = int(rate * seconds)
        for n in range(total):
            wait = t0 + n / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.one()
        return total / (time.monotonic() - t0)

    def restore(self) -> None:
        """Delete the keys the writer added (the table keeps its size for the next run)."""
        if self.added:
            self.conn.execute(f"DELETE FROM {TABLE} WHERE key = ANY(%s)", [self.added])
        self.conn.close()


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stream_into(store: str, platform: str, env: dict[str, str], rate: float, seconds: float, poll: float,
                seed: int, workdir: Path) -> dict[str, Any]:
    full = subprocess.run([sys.executable, "-c", _FULL, store], env=env, capture_output=True, text=True, check=False)
    if full.returncode:
        raise RuntimeError(f"the full sync into {store.split('@')[-1]} failed: {full.stderr.strip()[-300:]}")
    out = workdir / f"follower-{abs(hash(store))}.json"
    follower = subprocess.Popen([sys.executable, "-c", _FOLLOWER, store, str(poll), str(out)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert follower.stdout is not None
    follower.stdout.readline()  # "ready"
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(follower.stderr or []), daemon=True).start()
    writer = Writer(platform, seed)
    with psycopg.connect(platform, autocommit=True) as watch:
        cpu0 = server_cpu(watch)
        try:
            kept = writer.run(rate, seconds)
        finally:
            writer.restore()
        last = int(watch.execute("SELECT COALESCE(max(id), 0) FROM promo_kv_changes").fetchone()[0])  # type: ignore[index]
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:  # the follower catches up with the last change (the restore's delete)
            time.sleep(poll)
            if follower.poll() is not None:
                break
            if _applied(store, env) >= last:
                break
        cpu1 = server_cpu(watch)
    follower.send_signal(signal.SIGTERM)
    follower.wait(timeout=120)
    if not out.exists():
        raise RuntimeError(f"the follower of {store.split('@')[-1]} failed: {''.join(errors)[-500:]}")
    report = json.loads(out.read_text())
    changes = sum(b[0] for b in report["batches"])
    lags = report["lags"]
    return {
        "rate_kept": round(kept, 1), "changes": changes, "batches": len(report["batches"]),
        "full_syncs": report["full"], "full_sync_s": round(float(full.stdout.strip().splitlines()[-1]), 1),
        "batch_median_s": round(statistics.median([b[1] for b in report["batches"]]), 2) if report["batches"] else None,
        "lag_p50_s": _round(quantile(lags, 0.5)), "lag_p95_s": _round(quantile(lags, 0.95)),
        "lag_max_s": _round(max(lags) if lags else None),
        "follower_cpu_ms_per_change": round(1000 * report["cpu"] / changes, 2) if changes else None,
        "server_cpu_ms_per_change": (round(1000 * (cpu1 - cpu0) / changes, 2)
                                     if changes and cpu0 is not None and cpu1 is not None else None),
        "follower_rss_mb": round(report["rss_mb"]),
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _applied(store: str, env: dict[str, str]) -> int:
    """The last change id the store has applied (its sync_feed row)."""
    if store.startswith("postgresql"):
        with psycopg.connect(store.replace("postgresql+psycopg://", "postgresql://")) as conn:
            row = conn.execute("SELECT last_change_id FROM sync_feed").fetchone()
    else:
        import duckdb

        try:
            con = duckdb.connect(store, read_only=True)
        except duckdb.Error:  # the follower has the file open for a moment
            return -1
        try:
            row = con.execute("SELECT last_change_id FROM sync_feed").fetchone()
        finally:
            con.close()
    return int(row[0]) if row and row[0] is not None else -1


def bench_incremental(scale: str, seed: int, server_url: str | None, rate: float, seconds: float,
                      poll: float) -> dict[str, Any]:
    from dashboard.sync import changelog
    from dashboard.sync.source import resolve_source

    src = demo_file(scale, seed)
    manifest = json.loads(Path(f"{src}.manifest.json").read_text(encoding="utf-8"))
    keys = int(manifest.get("total_keys") or sum(1 for _ in src.open("rb")))
    with bench_server(server_url or os.environ.get("PROMO_BENCH_PG_URL")) as server, \
            tempfile.TemporaryDirectory(prefix="promo-bench-feed-", dir=BENCH_DIR) as tmp:
        platform = platform_table(server, src, keys)
        env = {**os.environ, "PROMO_BENCH_SOURCE": platform}
        os.environ["PROMO_BENCH_SOURCE"] = platform
        print(changelog.install(resolve_source("env:PROMO_BENCH_SOURCE")), file=sys.stderr)
        out: dict[str, Any] = {"scale": scale, "keys": keys, "rate": rate, "seconds": seconds, "poll": poll}
        for name, store in (("duckdb", str(Path(tmp) / "feed.duckdb")),
                            ("same_postgresql", platform.replace("postgresql://", "postgresql+psycopg://"))):
            print(f"streaming {rate:g} changes/s for {seconds:g} s into {name}…", file=sys.stderr)
            out[name] = stream_into(store, platform, env, rate, seconds, poll, seed, Path(tmp))
    return out


def print_incremental(result: dict[str, Any]) -> None:
    print(f"bench sync --incremental, scale {result['scale']} ({result['keys']:,} keys): {result['rate']:g} "
          f"changes/s for {result['seconds']:g} s, follower polling every {result['poll']:g} s")
    for name, label in (("duckdb", "-> DuckDB"), ("same_postgresql", "-> same PostgreSQL")):
        r = result[name]
        print(f"  {label:20} {r['changes']:,} changes in {r['batches']:,} batches (median {r['batch_median_s']} s, "
              f"writer kept {r['rate_kept']}/s); lag p50 {r['lag_p50_s']} s, p95 {r['lag_p95_s']} s, max "
              f"{r['lag_max_s']} s; CPU per change: follower {r['follower_cpu_ms_per_change']} ms, PostgreSQL "
              f"{r['server_cpu_ms_per_change']} ms; full sync first {r['full_sync_s']} s")
