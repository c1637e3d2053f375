"""Dismiss and confirm a suspicious-activity flag: the write path and the reads of the flags' states.

``anomaly_reviews`` (a durable table: re-ingests keep it) is append-only: each row is one decision, with who, when,
the state before and after and the note, so it is the audit log too. A flag's state is its latest row's
``to_status`` ("open" without one). One decision is one transaction (``dashboard.moderation.unit_of_work``:
the store's write lock, so it never overlaps an ingest) and applies only if the flag is still in the state the
person saw: the loser of a race gets a Conflict naming who decided and when, and writes nothing. On PostgreSQL the
flag's id is locked (a transaction advisory lock) before it is read; on DuckDB writers take turns.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dashboard.anomalies.flags import Flag
from dashboard.i18n.formatting import moscow_now
from dashboard.moderation.unit_of_work import transaction
from dashboard.store.connect import Store, StoreError
from dashboard.store.queries import run_query

ACTIONS = {"dismiss": "dismissed", "confirm": "confirmed"}
OPEN = "open"


@dataclass(frozen=True)
class Review:
    status: str
    actor: str | None = None
    at: dt.datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class Outcome:
    applied: bool
    review: Review  # the new state, or for a conflict the state found


def states(store: Store) -> dict[str, Review]:
    """Every reviewed flag's current state by flag id (flags without a row are open)."""
    frame = run_query(store, "anomaly_review_states")
    return {str(r.flag_id): Review(str(r.to_status), r.actor, r.at, r.note) for r in frame.itertuples(index=False)}


def _latest(conn: sa.Connection, flag_id: str) -> Review:
    row = conn.execute(sa.text(
        'SELECT to_status, actor, "at", note FROM anomaly_reviews WHERE flag_id = :f '
        'ORDER BY "at" DESC, id DESC LIMIT 1'),
        {"f": flag_id}).fetchone()
    return Review(OPEN) if row is None else Review(str(row[0]), row[1], row[2], row[3])


def review(store: Store, flag: Flag, action: str, seen: str, actor: str, note: str = "",
           at: dt.datetime | None = None) -> Outcome:
    """Dismiss or confirm ``flag`` if it is still in the state ``seen``. ValueError for a bad action or actor."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; choose dismiss or confirm")
    if not actor.strip():
        raise ValueError("who decides is required")
    when = at or moscow_now()
    try:
        with transaction(store) as conn:
            if store.is_postgres:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"),
                             {"k": f"anomaly:{flag.id}"})
            current = _latest(conn, flag.id)
            if current.status != seen:
                return Outcome(False, current)
            params: dict[str, Any] = {"id": uuid.uuid4().hex, "flag_id": flag.id, "at": when, "actor": actor.strip(),
                                      "action": action, "from_status": seen, "to_status": ACTIONS[action],
                                      "note": note.strip() or None, "kind": flag.kind, "artist_id": flag.artist_id}
            conn.execute(sa.text(
                'INSERT INTO anomaly_reviews (id, flag_id, "at", actor, action, from_status, to_status, note, kind, '
                "artist_id) VALUES (:id, :flag_id, :at, :actor, :action, :from_status, :to_status, :note, :kind, "
                ":artist_id)"), params)
    except sa.exc.ProgrammingError as exc:
        text = str(exc).lower()
        if "anomaly_reviews" in text and ("does not exist" in text or "catalog error" in text):
            raise StoreError(f"{store.label()} has no anomaly_reviews table (made by an older version): re-ingest "
                             "it with 'python -m dashboard ingest'") from None
        raise
    return Outcome(True, Review(ACTIONS[action], actor.strip(), when, note.strip() or None))
