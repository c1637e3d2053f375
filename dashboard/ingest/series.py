"""The daily series the platform never stored: every track's running totals, recorded at each ingest or sync.

The deployed platform keeps only totals (``track:{u}:{t}``.plays and ``analytics:{u}:track:{t}``.plays; its
``dailyStats`` list stays empty, KEYS.md §2 and §C). Each ingest or sync appends to the durable table
``track_totals_history`` (kept across re-ingests, like the moderation log):

- one *run row* (``track_id`` NULL) saying "the totals were seen at ``recorded_at``", and
- one row per track whose totals differ from the track's previous row (every track on the first recording).

Plays per day are then the differences between a track's consecutive rows, spread evenly over the time between the
run that last saw the old total and the run that saw the new one (queries/artist/artist_series_by_day.sql). A
re-ingest of the same snapshot writes only its run row, so it adds no plays. A track first seen after the series
began counts its plays as growth since the previous run; on the first recording every total is the baseline.

``recorded_at`` is the time of the ingest, or ``PROMO_SNAPSHOT_AT`` (an ISO-8601 time) when set: the moment the
snapshot was taken, for a snapshot ingested later (and for tests and the demo's second snapshot).

``record_track_totals`` takes the build's DuckDB connection (before the swap) or the PostgreSQL swap transaction's
cursor (the new tables already live), with the run id; it runs in that transaction, so a failed ingest records
nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import duckdb

from dashboard.ingest.result import IngestError

SNAPSHOT_AT_ENV = "PROMO_SNAPSHOT_AT"

# The totals now, one row per (track, owner): the track row's counters and the analytics row's, whichever is higher
# (the play endpoint adds 1 to both; an analytics row outlives its deleted track, a public track has none).
CURRENT_TOTALS = """
SELECT COALESCE(t.track_id, a.track_id) AS track_id, COALESCE(t.user_id, a.user_id) AS user_id,
       GREATEST(COALESCE(t.plays, 0), COALESCE(a.plays, 0)) AS plays,
       GREATEST(COALESCE(t.likes, 0), COALESCE(a.likes, 0)) AS likes,
       GREATEST(COALESCE(t.downloads, 0), COALESCE(a.downloads, 0)) AS downloads
FROM (SELECT id AS track_id, user_id, MAX(plays) AS plays, MAX(likes) AS likes, MAX(downloads) AS downloads
      FROM tracks WHERE id IS NOT NULL AND user_id IS NOT NULL GROUP BY id, user_id) AS t
FULL OUTER JOIN (SELECT track_id, user_id, MAX(plays) AS plays, MAX(likes) AS likes, MAX(downloads) AS downloads
                 FROM track_totals WHERE track_id IS NOT NULL AND user_id IS NOT NULL
                 GROUP BY track_id, user_id) AS a
  ON a.track_id = t.track_id AND a.user_id = t.user_id
"""

LAST_RECORDED = """
SELECT track_id, user_id, plays, likes, downloads
FROM (SELECT h.track_id, h.user_id, h.plays, h.likes, h.downloads,
             row_number() OVER (PARTITION BY h.track_id, h.user_id ORDER BY h.recorded_at DESC, h.run_id DESC) AS rn
      FROM track_totals_history AS h WHERE h.track_id IS NOT NULL) AS x
WHERE rn = 1
"""

RECORD_CHANGES = f"""
INSERT INTO track_totals_history (run_id, recorded_at, track_id, user_id, plays, likes, downloads)
SELECT ?, ?, c.track_id, c.user_id, c.plays, c.likes, c.downloads
FROM ({CURRENT_TOTALS}) AS c
LEFT JOIN ({LAST_RECORDED}) AS l ON l.track_id = c.track_id AND l.user_id = c.user_id
WHERE l.track_id IS NULL OR l.plays IS DISTINCT FROM c.plays OR l.likes IS DISTINCT FROM c.likes
   OR l.downloads IS DISTINCT FROM c.downloads
"""

RECORD_RUN = ("INSERT INTO track_totals_history (run_id, recorded_at, track_id, user_id, plays, likes, downloads) "
              "VALUES (?, ?, NULL, NULL, NULL, NULL, NULL)")


class SeriesError(IngestError):
    """A bad PROMO_SNAPSHOT_AT; the message is one line (the ingest stops before it replaces anything)."""


def recorded_at(now: dt.datetime | None = None) -> dt.datetime:
    """The time the totals are recorded at: PROMO_SNAPSHOT_AT when set, else now (UTC)."""
    text = os.environ.get(SNAPSHOT_AT_ENV, "").strip()
    if not text:
        return now or dt.datetime.now(dt.UTC)
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SeriesError(f"{SNAPSHOT_AT_ENV}={text!r} is not an ISO-8601 time such as 2026-02-17T00:00:00+03:00"
                          ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _execute(con: Any, sql: str, params: list[Any]) -> None:
    """One statement on the build's DuckDB connection (``?``) or a psycopg cursor (``%s``)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        con.execute(sql, params)
    else:
        con.execute(sql.replace("?", "%s"), params)


def record_track_totals(con: Any, run_id: str, when: dt.datetime | None = None) -> None:
    """Append this run's changed track totals and its run row to track_totals_history (in the caller's
    transaction). ``when`` defaults to :func:`recorded_at`."""
    at = when or recorded_at()
    _execute(con, RECORD_CHANGES, [run_id, at])
    _execute(con, RECORD_RUN, [run_id, at])
    # the artist pages read an artist's records (queries/shared/series_days.sql); created once, kept with the table
    _execute(con, "CREATE INDEX IF NOT EXISTS track_totals_history_owner "
                  "ON track_totals_history (user_id, recorded_at)", [])
