"""``python -m dashboard bench anomalies [--scale S] [--engine duckdb|postgresql] [--db STORE] [--repeats N]``:
the time of each suspicious-activity query, and of all the flags together, on a store (medians of N runs after a
warm-up run; each run opens its own connection, as the CLI does)."""

from __future__ import annotations

import statistics
import time
from typing import Any

from dashboard.anomalies.flags import KINDS, compute_flags, kind_frame, load_thresholds
from dashboard.store.connect import Store


def _median_seconds(run: Any, repeats: int) -> tuple[float, Any]:
    result = run()  # warm-up: the first run reads the file / fills the caches
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench_anomalies(store: Store, repeats: int = 5) -> dict[str, Any]:
    limits = load_thresholds()
    kinds: dict[str, dict[str, float]] = {}
    for kind in KINDS:
        seconds, frame = _median_seconds(lambda k=kind: kind_frame(store, k, limits), repeats)
        kinds[kind] = {"ms": seconds * 1000, "rows": len(frame)}
    seconds, flags = _median_seconds(lambda: compute_flags(store, thresholds=limits), repeats)
    return {"store": store.label(), "kinds": kinds, "all_ms": seconds * 1000, "flags": len(flags)}


def print_bench(result: dict[str, Any]) -> None:
    print(f"bench anomalies on {result['store']} (median of the timed runs)")
    for kind, r in result["kinds"].items():
        print(f"  {kind:<15} {r['ms']:>9.1f} ms  {r['rows']:>5} flags")
    print(f"  {'all flags':<15} {result['all_ms']:>9.1f} ms  {result['flags']:>5} flags")
