"""Each ingest run's check counts (table ``health_counts``), for "the change since the previous ingest run".

Counts are recorded for the store's latest ingest run by ``python -m dashboard check`` and after every CLI
``ingest``/``demo``; a later record for the same run replaces the earlier one. The previous run is the most recent
earlier ingest run that has counts. Pages only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from dashboard.store.connect import Store
from dashboard.store.queries import read_engine, run_query
from dashboard.store.schema import create_table_sql


@dataclass(frozen=True)
class Previous:
    run_id: str
    finished_at: object
    counts: dict[str, int]


def latest_run_id(store: Store) -> str | None:
    runs = run_query(store, "last_ingest")
    return None if runs.empty else str(runs["id"].iloc[0])


def previous_from_frame(frame: pd.DataFrame) -> Previous | None:
    """The previous run's counts from ``queries/health/health_previous_counts.sql``'s rows."""
    if frame.empty:
        return None
    found = {str(r.check_name): int(r.found) for r in frame.itertuples(index=False)}
    return Previous(str(frame["run_id"].iloc[0]), frame["run_finished_at"].iloc[0], found)


def previous_counts(store: Store) -> Previous | None:
    if int(run_query(store, "health_counts_table")["n"].iloc[0]) == 0:
        return None
    return previous_from_frame(run_query(store, "health_previous_counts"))


def count_change(name: str, count: int, previous: Previous | None) -> int | None:
    """The change of one check's count since the previous run; None when that run has no count for it."""
    if previous is None or name not in previous.counts:
        return None
    return count - previous.counts[name]


def record_counts(store: Store, run_id: str, found: dict[str, int]) -> None:
    """Replace the run's recorded counts, in one transaction."""
    rows = [{"run": run_id, "name": name, "found": n, "at": dt.datetime.now(dt.UTC)} for name, n in found.items()]
    with read_engine(store).begin() as conn:
        conn.execute(sa.text(create_table_sql("health_counts", store.dialect)))  # a store from before the table
        conn.execute(sa.text("DELETE FROM health_counts WHERE run_id = :run"), {"run": run_id})
        conn.execute(sa.text("INSERT INTO health_counts (run_id, check_name, found, recorded_at) "
                             "VALUES (:run, :name, :found, :at)"), rows)
