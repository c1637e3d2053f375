"""What the app shows about a synced store: where its latest run came from, whether decisions may go back, the
"refresh now" action (one sync run from the recorded source: the changes since the last one when the platform has
a change log), and the change feed's state (following, behind, stopped; its lag and backlog)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dashboard.ingest.result import IngestResult
from dashboard.store.connect import Store, StoreError
from dashboard.store.queries import read_engine
from dashboard.sync.feed import FeedResult, follower_alive
from dashboard.sync.platform import synced_from
from dashboard.sync.position import FEED_COLUMNS, FEED_TABLE
from dashboard.sync.run import run_sync
from dashboard.sync.source import source_from_run

BEHIND_ENV = "PROMO_FEED_BEHIND_SECONDS"
DEFAULT_BEHIND_SECONDS = 60.0


def sync_origin(store: Store) -> dict[str, Any] | None:
    """The recorded origin of the store's latest run when it was a sync (``source``, ``table``, ``writable``,
    ``snapshot_at``, ``layout_choice``); None for a store fed by snapshot files, or an empty store."""
    try:
        with read_engine(store).connect() as conn:
            row = conn.execute(sa.text("SELECT layout, files FROM ingest_runs ORDER BY finished_at DESC LIMIT 1")
                               ).fetchone()
    except sa.exc.DBAPIError:
        return None
    if row is None:
        return None
    return synced_from(row[1], row[0] or "seed")


def refresh_now(store: Store) -> IngestResult | FeedResult:
    """One sync run from the source the store's latest sync recorded (its credentials entry, its layout choice):
    the changes since the last one where the platform has a change log, else a full sync."""
    origin = sync_origin(store)
    if origin is None:
        raise ValueError("this store is not fed by sync")
    choice = str(origin.get("layout_choice") or "auto")
    layout = "auto" if choice.startswith("auto") else choice
    return run_sync(source_from_run(origin), store, layout, say=lambda _m: None)


def behind_seconds() -> float:
    try:
        return float(os.environ.get(BEHIND_ENV, "") or DEFAULT_BEHIND_SECONDS)
    except ValueError:
        return DEFAULT_BEHIND_SECONDS


@dataclass(frozen=True)
class FeedStatus:
    """The store's change feed as people see it (``sync_feed`` plus a probe of the follower and, when asked, of the
    platform's log). ``state``: ``following``, ``behind`` (following, but changes wait longer than
    PROMO_FEED_BEHIND_SECONDS, or the last batch's p95 lag was longer), ``stopped`` (a ``sync --follow`` recorded
    itself and no longer runs), ``manual`` (brought up to date by ``sync`` runs, no follower), ``off`` (no change
    log: full syncs only)."""

    row: dict[str, Any]
    following: bool
    backlog: int | None = None
    oldest_waiting: dt.datetime | None = None

    @property
    def incremental(self) -> bool:
        return self.row.get("mode") == "incremental"

    @property
    def last_change_at(self) -> dt.datetime | None:
        return self.row.get("last_change_at")

    @property
    def lag_p95(self) -> float | None:
        ms = self.row.get("lag_p95_ms")
        return None if ms is None else ms / 1000

    def waiting_seconds(self, now: dt.datetime | None = None) -> float | None:
        if not self.backlog or self.oldest_waiting is None:
            return None
        return ((now or dt.datetime.now(dt.UTC)) - self.oldest_waiting).total_seconds()

    @property
    def state(self) -> str:
        if not self.row.get("snapshot"):
            return "off"
        if self.following:
            late = self.waiting_seconds() or 0.0
            return "behind" if max(late, self.lag_p95 or 0.0) > behind_seconds() else "following"
        return "stopped" if self.row.get("follower") else "manual"


def feed_row(store: Store) -> dict[str, Any] | None:
    """The store's ``sync_feed`` row (None: never synced, or a store from before the feed)."""
    try:
        with read_engine(store).connect() as conn:
            row = conn.execute(sa.text(f"SELECT {', '.join(FEED_COLUMNS)} FROM {FEED_TABLE}")).mappings().fetchone()
    except (sa.exc.DBAPIError, StoreError):
        return None
    return dict(row) if row else None


def feed_status(store: Store, ask_platform: bool = True) -> FeedStatus | None:
    """The feed's state; with ``ask_platform`` also its backlog (how many changes wait on the platform, the oldest
    one's time: one indexed read of the log; unknown when the platform cannot be reached)."""
    row = feed_row(store)
    if row is None:
        return None
    try:
        following = follower_alive(store)
    except (sa.exc.DBAPIError, StoreError, OSError):
        following = False
    backlog: tuple[int, dt.datetime | None] | tuple[None, None] = (None, None)
    origin = sync_origin(store)
    if ask_platform and row.get("snapshot") and origin:
        from dashboard.sync.changelog import backlog as waiting
        from dashboard.sync.source import SourceError

        with contextlib.suppress(SourceError, OSError):
            backlog = waiting(source_from_run(origin), row.get("last_change_id"))
    return FeedStatus(row, following, backlog[0], backlog[1])
