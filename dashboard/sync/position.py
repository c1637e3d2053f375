"""A synced store's position in the platform's change log (the durable table ``sync_feed``, one row): written by
every full sync in its swap (``full_sync_append``, a durable append) and by every incremental batch in its
transaction (``feed.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dashboard.ingest.target import Append, AppendContext
from dashboard.store import schema
from dashboard.sync.changelog import Mark
from dashboard.sync.source import PlatformSource

FEED_TABLE = "sync_feed"
FEED_COLUMNS = tuple(c for c, _ in schema.DURABLE_TABLES[FEED_TABLE])


def write_state(execute: Callable[..., Any], dialect: str, row: dict[str, Any]) -> None:
    marks = ", ".join(["?" if dialect == "duckdb" else "%s"] * len(FEED_COLUMNS))
    execute(f"DELETE FROM {FEED_TABLE}")
    execute(f"INSERT INTO {FEED_TABLE} ({', '.join(FEED_COLUMNS)}) VALUES ({marks})",
            [row.get(c) for c in FEED_COLUMNS])


def full_sync_append(source: PlatformSource, mark: Mark | None, layout: str) -> Append:
    """The durable append a full sync runs in its swap: the store's new position (the snapshot it read), or none
    (no change log on the platform: the next sync is a full one too)."""
    def append(ctx: AppendContext) -> None:
        now = dt.datetime.now(dt.UTC)
        note = None if mark else "no change log on the platform (install it with --install-change-log)"
        write_state(ctx.execute, ctx.dialect, {
            "source": source.label, "kv_table": source.table, "layout": layout,
            "generation": mark.generation if mark else None, "trimmed_below": mark.trimmed_below if mark else None,
            "snapshot": mark.snapshot if mark else None, "last_change_id": mark.last_id if mark else None,
            "last_change_at": mark.last_at if mark else None,
            "checked_at": mark.taken_at if mark else now, "applied_at": now, "mode": "full", "changes": 0,
            "batches": 0, "series_at": now, "note": note,
        })

    return append
