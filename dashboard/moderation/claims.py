"""Claims on queue items: "Ирина has this item open". Opening an item claims it for a few minutes, so two
moderators working the same queue do not meet on the same items: others see who has it open, and their next-item
flow skips it. A claim ends with the holder's decision, when they move on to another item, or at its expiry.

Claims live in the store (``moderation_claims``, a durable table: re-ingests keep it), so they hold across app
replicas. They never block a decision: deciding an item someone else has open is allowed, and the queue logs it
with the decision (``service.decide``'s ``item_notes``).

One row per claim. A holder is one browser session (a token the queue page keeps), so one person in two tabs has
two holders; ``actor`` is the name others see. ``claim`` runs in one transaction per item: on PostgreSQL under a
transaction advisory lock on the item (two sessions claiming at once: one wins, the other gets the winner's
claim back), on DuckDB under the store's in-process writer lock (one app process per DuckDB store).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.moderation.selection import split_ref
from dashboard.moderation.unit_of_work import transaction
from dashboard.store.connect import Store, StoreError
from dashboard.store.queries import run_query

DEFAULT_CLAIM_SECONDS = 300
SWEEP_AFTER = dt.timedelta(hours=1)  # claims expired this long ago are deleted by the next claim


def claim_seconds(env: Mapping[str, str] = os.environ) -> int:
    """How long opening an item claims it: ``PROMO_CLAIM_SECONDS`` (default 300, five minutes; at least 1)."""
    raw = env.get("PROMO_CLAIM_SECONDS", "").strip()
    try:
        return max(1, int(float(raw))) if raw else DEFAULT_CLAIM_SECONDS
    except ValueError:
        return DEFAULT_CLAIM_SECONDS


@dataclass(frozen=True)
class Claim:
    """Who has an item open, since when and until when."""

    ref: str
    holder: str
    actor: str
    claimed_at: dt.datetime
    expires_at: dt.datetime


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _aware(value: object) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.UTC)


def _refuse_old_store(store: Store, exc: sa.exc.DBAPIError) -> StoreError:
    text = str(exc).lower()
    if "moderation_claims" in text and ("does not exist" in text or "catalog error" in text):
        return StoreError(f"{store.label()} has no moderation_claims table (made by an older version): re-ingest it "
                          "with 'python -m dashboard ingest'")
    raise exc


def claim(store: Store, ref: str, holder: str, actor: str, now: dt.datetime | None = None,
          seconds: int | None = None) -> Claim:
    """Open ``ref`` for ``holder``: their other claims end, and the item is theirs for ``seconds`` (default
    ``claim_seconds()``) unless someone else's claim on it is still in force. Returns the claim in force on the item
    afterwards: the holder's own, or the other one (then the holder has none)."""
    at = _now(now)
    until = at + dt.timedelta(seconds=seconds or claim_seconds())
    entity, source_key, entity_id = split_ref(ref)
    item = {"e": entity, "sk": source_key, "id": entity_id}
    try:
        with transaction(store) as conn:
            sweep = True
            if store.is_postgres:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"claim\t{ref}"})
                sweep = bool(conn.execute(sa.text(
                    "SELECT pg_try_advisory_xact_lock(hashtextextended('claim sweep', 0))")).scalar())
            if sweep:  # claims long expired (sessions that left) go; one sweeper at a time
                conn.execute(sa.text("DELETE FROM moderation_claims WHERE expires_at < :old"),
                             {"old": at - SWEEP_AFTER})
            other = conn.execute(sa.text(
                "SELECT holder, actor, claimed_at, expires_at FROM moderation_claims WHERE entity = :e AND "
                "source_key = :sk AND entity_id = :id AND holder <> :h AND expires_at > :now "
                "ORDER BY claimed_at, holder LIMIT 1"), {**item, "h": holder, "now": at}).fetchone()
            conn.execute(sa.text("DELETE FROM moderation_claims WHERE holder = :h"), {"h": holder})
            if other is not None:
                return Claim(ref, str(other[0]), str(other[1]), _aware(other[2]), _aware(other[3]))
            conn.execute(sa.text("DELETE FROM moderation_claims WHERE entity = :e AND source_key = :sk AND "
                                 "entity_id = :id"), item)  # expired claims on the item
            conn.execute(sa.text(
                "INSERT INTO moderation_claims (entity, source_key, entity_id, holder, actor, claimed_at, expires_at) "
                "VALUES (:e, :sk, :id, :h, :actor, :at, :until)"),
                {**item, "h": holder, "actor": actor, "at": at, "until": until})
    except sa.exc.DBAPIError as exc:
        raise _refuse_old_store(store, exc) from None
    return Claim(ref, holder, actor, at, until)


def release(store: Store, holder: str) -> None:
    """End every claim of ``holder`` (they decided, moved on to nothing, or left the queue)."""
    try:
        with transaction(store) as conn:
            conn.execute(sa.text("DELETE FROM moderation_claims WHERE holder = :h"), {"h": holder})
    except sa.exc.DBAPIError as exc:
        raise _refuse_old_store(store, exc) from None


def active(store: Store, now: dt.datetime | None = None) -> dict[str, Claim]:
    """Every claim in force by item reference (the earliest, should two be)."""
    return by_item(in_force_at(store, now), now)


def in_force_at(store: Store, now: dt.datetime | None = None) -> list[Claim]:
    """The claims in force at ``now``, earliest first (what ``by_item`` keeps reading as time goes on)."""
    try:
        frame = run_query(store, "moderation_claims_active", now=_now(now))
    except sa.exc.DBAPIError as exc:
        raise _refuse_old_store(store, exc) from None
    return [Claim(f"{row.entity}\t{row.source_key}\t{row.entity_id}", str(row.holder), str(row.actor),
                  _aware(row.claimed_at), _aware(row.expires_at)) for row in frame.itertuples(index=False)]


def by_item(found: Iterable[Claim], now: dt.datetime | None = None) -> dict[str, Claim]:
    """The claims of ``found`` still in force at ``now``, by item reference (the earliest, should two be)."""
    at = _now(now)
    out: dict[str, Claim] = {}
    for claim in found:
        if claim.expires_at > at:
            out.setdefault(claim.ref, claim)
    return out


def others(claims: Mapping[str, Claim], holder: str) -> dict[str, Claim]:
    """The claims of everyone but ``holder``."""
    return {ref: c for ref, c in claims.items() if c.holder != holder}


def first_free(order: Iterable[str], taken: Mapping[str, Claim], holder: str, skip: Iterable[str] = ()) -> str | None:
    """The first item of ``order`` that nobody but ``holder`` has open (and not in ``skip``)."""
    left_out = set(skip)
    return next((ref for ref in order if ref not in left_out and (ref not in taken or taken[ref].holder == holder)),
                None)
