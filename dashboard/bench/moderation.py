"""``bench moderation``: one decision's full write-path round trip (entity row, KV value, log, side effects, one
transaction), timed through the public service API."""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboard.moderation import config as moderation
from dashboard.moderation import service
from dashboard.moderation.unit_of_work import store_layout, store_units
from dashboard.store.connect import Store
from dashboard.store.queries import read_engine


def bench_decision(store: Store, n: int = 50) -> dict[str, Any]:
    """``n`` approve-then-undo pairs on one pending item (2n decisions).

    A DuckDB store is copied to a temporary file first, so the benchmark leaves the store as it was; on
    PostgreSQL the pairs run in place (the item ends as it started; the log keeps rows by actor ``bench``)."""
    work = store
    tmp: Path | None = None
    if not store.is_postgres:
        tmp = Path(tempfile.mkdtemp(prefix="promo-bench-"))
        shutil.copy(store.path, tmp / "bench.duckdb")
        work = Store(str(tmp / "bench.duckdb"))
    try:
        item = bench_item(work)
        units = store_units(work)
        timings: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            out = service.decide(units, [item], "approve", "bench", note="benchmark")[0]
            timings.append((time.perf_counter() - t0) * 1000)
            if not out.applied:
                raise service.ModerationError(f"benchmark decision not applied: {out.message}")
            t0 = time.perf_counter()
            back = service.undo(units, service.Item(item.entity, item.entity_id, item.source_key), "bench",
                                note="benchmark")
            timings.append((time.perf_counter() - t0) * 1000)
            if not back.applied:
                raise service.ModerationError(f"benchmark undo not applied: {back.message}")
        ordered = sorted(timings)
        return {
            "store": store.label(), "entity": item.entity, "id": item.entity_id, "pairs": n,
            "decisions": len(timings), "median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2), "max_ms": round(ordered[-1], 2),
        }
    finally:
        if tmp is not None:
            read_engine.cache_clear()
            shutil.rmtree(tmp, ignore_errors=True)


def bench_item(store: Store) -> service.Item:
    """A pending concert with an owner if there is one (it has the most side effects), else any pending item."""
    with read_engine(store).connect() as conn:
        layout = store_layout(conn)
        for entity in ("concerts", *moderation.entities()):
            r = moderation.rules(entity, layout)
            for status in r.pending:
                row = conn.execute(sa.text(f"SELECT id, source_key FROM {r.table} WHERE status = :s "
                                           "AND user_id IS NOT NULL ORDER BY id LIMIT 1"), {"s": status}).fetchone()
                if row:
                    return service.Item(entity, str(row[0]), str(row[1]), status)
    raise service.NotFound(f"{store.label()}: no pending item to benchmark")
