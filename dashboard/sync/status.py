"""What the app shows about a synced store: where its latest run came from, whether decisions may go back, and
the "refresh now" action (one sync run from the recorded source)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dashboard.ingest.result import IngestResult
from dashboard.store.connect import Store
from dashboard.store.queries import read_engine
from dashboard.sync.platform import synced_from
from dashboard.sync.run import sync
from dashboard.sync.source import source_from_run


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


def refresh_now(store: Store) -> IngestResult:
    """One sync run from the source the store's latest sync recorded (its credentials entry, its layout choice)."""
    origin = sync_origin(store)
    if origin is None:
        raise ValueError("this store is not fed by sync")
    choice = str(origin.get("layout_choice") or "auto")
    layout = "auto" if choice.startswith("auto") else choice
    return sync(source_from_run(origin), store, layout, say=lambda _m: None)
