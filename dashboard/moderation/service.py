"""The only write path: moderation decisions, each one user action in one database transaction.

A decision (approve, reject, or undo of the last decision) on an item:

1. updates the entity row with a single conditional UPDATE (``… WHERE source_key = :sk AND id = :id AND status =
   :seen``): if the item is no longer in the status the moderator saw, nothing changes and the outcome says who
   decided it and when ("already approved by X at T");
2. rewrites the raw KV value under the row's ``source_key`` (read, set the status field(s), write back), so the
   platform sees the decision;
3. appends a ``moderation_log`` row and records every KV key it changed in ``kv_changes`` (for export-changes);
4. does what the platform's helpers do, in the same transaction: a notification to the artist (a ``notifications``
   row plus ``notifications:{u}:list``/``:unread`` in the seed layout, a ``notification:{u}:{id}`` key in the
   deployed one), and keeps ``concerts:public:promoted``, ``news:public:promoted`` and ``banners:active:list`` (KV
   value and ``kv_index`` rows) in step: an item entering the list's status is added, one leaving it is removed.

Concurrency. PostgreSQL: the conditional UPDATE serializes racing decisions on a row (the losers see 0 rows);
KV rows are locked (advisory lock on the key, then ``SELECT … FOR UPDATE``) after every entity row of the action,
in key order, so two bulk actions cannot deadlock. DuckDB: one lock per store file serializes the writers of this
process; a store held by another process gives a one-line "in use by another process" error.

All SQL is bound (``:name``); table and column names come from the validated configuration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import shutil
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboard.i18n.formatting import moscow_time
from dashboard.moderation import config as moderation
from dashboard.store import schema
from dashboard.store.connect import Store, StoreError, describe_connect_error
from dashboard.store.queries import read_engine

MAX_REASON = 2000
_STORE_LOCKS: dict[str, threading.Lock] = {}
_STORE_LOCKS_GUARD = threading.Lock()
_PG_TABLES_READY: set[str] = set()


class ModerationError(Exception):
    """A decision that cannot be made as asked; the message is one line for the user."""


class ReasonRequired(ModerationError, ValueError):
    """A rejection without a reason."""


class BadRequest(ModerationError, ValueError):
    """Unknown entity or action, empty actor, ambiguous id."""


class NotFound(ModerationError):
    """No such item (or no decision to undo)."""


@dataclass(frozen=True)
class Item:
    """One moderated row: the entity (table), its id and the KV key it came from; ``seen`` is the status the
    moderator saw (None: the current status, for the command line)."""

    entity: str
    entity_id: str
    source_key: str
    seen: str | None = None


@dataclass
class Outcome:
    item: Item
    applied: bool
    action: str
    message: str
    from_status: str | None = None
    to_status: str | None = None
    current_status: str | None = None
    decided_by: str | None = None
    decided_at: Any = None
    log_id: str | None = None
    kind: str = "applied"  # applied | conflict | not_found
    changed_keys: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- transactions


def _store_lock(store: Store) -> contextlib.AbstractContextManager[Any]:
    if store.is_postgres:
        return contextlib.nullcontext()
    name = str(store.path.resolve())
    with _STORE_LOCKS_GUARD:
        lock = _STORE_LOCKS.setdefault(name, threading.Lock())
    return lock


@contextlib.contextmanager
def transaction(store: Store) -> Iterator[sa.Connection]:
    """One transaction on the store; DuckDB writers of this process take turns."""
    with _store_lock(store):
        try:
            with read_engine(store).connect() as conn:
                if not store.is_postgres:
                    # commit to the WAL only: a checkpoint at close rewrites the kv_store index (~200 ms on a
                    # million keys); the next reader's close, or DuckDB's WAL size threshold, checkpoints instead
                    conn.exec_driver_sql("PRAGMA disable_checkpoint_on_shutdown")
                    conn.commit()
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as exc:
            text = str(getattr(exc, "orig", exc)).lower()
            if not store.is_postgres and ("lock" in text or "conflicting" in text):
                raise StoreError(describe_connect_error(store, exc)) from None
            if isinstance(exc, sa.exc.OperationalError) and "connect" in text:
                raise StoreError(describe_connect_error(store, exc)) from None
            raise


def ensure_moderation_tables(store: Store) -> None:
    """Create ``moderation_log`` and ``kv_changes`` when the store has none yet (they survive re-ingests)."""
    if store.is_postgres and store.name in _PG_TABLES_READY:
        return
    if _tables_present(store):
        if store.is_postgres:
            _PG_TABLES_READY.add(store.name)
        return
    with transaction(store) as conn:
        _create_tables(conn, store)
    if store.is_postgres:
        _PG_TABLES_READY.add(store.name)


def _tables_present(store: Store) -> bool:
    """True when the log tables (and on DuckDB the kv_store key index) exist: then viewing a page writes nothing."""
    with read_engine(store).connect() as conn:
        if store.is_postgres:
            found = conn.execute(sa.text("SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                                         "current_schema() AND table_name IN ('moderation_log', 'kv_changes')"))
            return int(found.scalar() or 0) == 2
        tables = conn.execute(sa.text("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                                      "AND table_name IN ('moderation_log', 'kv_changes')")).scalar()
        index = conn.execute(sa.text("SELECT count(*) FROM duckdb_indexes() WHERE database_name = current_database() "
                                     "AND index_name = 'kv_store_key'")).scalar()
        return int(tables or 0) == 2 and int(index or 0) == 1


def _create_tables(conn: sa.Connection, store: Store) -> None:
    # columns quoted: ``at`` is a reserved word in DuckDB
    for table in ("moderation_log", "kv_changes"):
        conn.execute(sa.text(schema.create_table_sql(table, store.dialect)))
    if not store.is_postgres:
        conn.execute(sa.text(schema.KV_STORE_KEY_INDEX))


def store_layout(conn: sa.Connection) -> str:
    """The rule set of the store: the layout of its latest ingest run."""
    try:
        row = conn.execute(sa.text("SELECT layout FROM ingest_runs ORDER BY finished_at DESC LIMIT 1")).fetchone()
    except sa.exc.DBAPIError:
        return "seed"
    return moderation.layout_name(row[0] if row else None)


def layout_of(store: Store) -> str:
    with read_engine(store).connect() as conn:
        return store_layout(conn)


# ---------------------------------------------------------------- KV access inside a transaction


class _Tx:
    """The state of one action's transaction: connection, layout, time, and the KV keys changed per log row."""

    def __init__(self, conn: sa.Connection, store: Store, at: dt.datetime) -> None:
        self.conn = conn
        self.store = store
        self.pg = store.is_postgres
        self.json_type = "JSONB" if self.pg else "JSON"
        self.at = at
        if not self.pg:
            _create_tables(conn, store)
        self.layout = store_layout(conn)
        self.changed: list[tuple[str, str]] = []  # (log_id, key)

    def run(self, sql: str, **params: Any) -> sa.CursorResult[Any]:
        return self.conn.execute(sa.text(sql), params)

    def kv_get(self, key: str) -> tuple[bool, Any]:
        if self.pg:
            self.run("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))", k=key)
            row = self.run("SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k FOR UPDATE", k=key).fetchone()
        else:
            row = self.run("SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k", k=key).fetchone()
        if row is None:
            return False, None
        return True, None if row[0] is None else json.loads(row[0])

    def kv_set(self, key: str, value: Any, exists: bool, log_id: str) -> None:
        text = json.dumps(value, ensure_ascii=False)
        if exists:
            self.run(f"UPDATE kv_store SET value = CAST(:v AS {self.json_type}) WHERE key = :k", v=text, k=key)
        else:
            self.run(f"INSERT INTO kv_store (key, value) VALUES (:k, CAST(:v AS {self.json_type}))", k=key, v=text)
        self.changed.append((log_id, key))

    def stamp(self) -> str:
        return self.at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_name(name: str, table: str) -> str:
    if name not in {c for c, _ in schema.entity_columns(table)}:
        raise moderation.ConfigError(f"moderation config: {table} has no column {name!r}")
    return name


def _rules(entity: str, layout: str) -> moderation.EntityRules:
    try:
        r = moderation.rules(entity, layout)
    except moderation.ConfigError as exc:
        raise BadRequest(str(exc)) from None
    if r.table not in schema.MODERATED_TABLES:
        raise moderation.ConfigError(f"moderation config: {r.table} is not a moderated table")
    _check_name(r.title_column, r.table)
    for rule in r.lists:
        if rule.when:
            _check_name(rule.when, r.table)
    return r


def _read_row(tx: _Tx, r: moderation.EntityRules, item: Item) -> dict[str, Any] | None:
    promoted = "is_promoted" if "is_promoted" in {c for c, _ in schema.entity_columns(r.table)} else "NULL"
    row = tx.run(
        f"SELECT status, user_id, {r.title_column} AS title, {promoted} AS is_promoted, moderator, moderated_at "
        f"FROM {r.table} WHERE source_key = :sk AND id = :id",
        sk=item.source_key, id=item.entity_id,
    ).mappings().fetchone()
    return dict(row) if row else None


def _latest_log(tx: _Tx, item: Item) -> dict[str, Any] | None:
    row = tx.run(
        'SELECT id, "at", actor, action, from_status, to_status, reason FROM moderation_log '
        'WHERE entity = :e AND entity_id = :id AND source_key = :sk ORDER BY "at" DESC, id DESC LIMIT 1',
        e=item.entity, id=item.entity_id, sk=item.source_key,
    ).mappings().fetchone()
    return dict(row) if row else None


def _conflict(tx: _Tx, item: Item, action: str, seen: str | None, row: dict[str, Any] | None) -> Outcome:
    if row is None:
        return Outcome(item, False, action, f"{item.entity} {item.entity_id}: not found", kind="not_found")
    last = _latest_log(tx, item)
    status = row["status"]
    by, at = row.get("moderator"), row.get("moderated_at")
    if last and last["to_status"] == status:
        by, at = last["actor"], last["at"]
    if by:
        message = f"{item.entity} {item.entity_id}: already {status} by {by} at {moscow_time(at, 'MSK')}"
    else:
        message = f"{item.entity} {item.entity_id}: is {status or 'without status'} now, not {seen or 'pending'}"
    return Outcome(item, False, action, message, current_status=status, decided_by=by, decided_at=at,
                   kind="conflict")


def _set_status(value: Any, r: moderation.EntityRules, item: Item, to_status: str, tx: _Tx,
                reason: str | None, clear_decision: bool) -> bool:
    """Set the status inside the item's JSON (an object, or the element with the item's id in an array)."""
    target = value
    if isinstance(value, list):
        target = next((e for e in value if isinstance(e, dict) and str(e.get("id")) == item.entity_id), None)
    if not isinstance(target, dict):
        return False
    present = [f for f in r.status_fields if f in target]
    for name in present or r.status_fields[:1]:
        target[name] = to_status
    for name in r.updated_fields:
        if name in target:
            target[name] = tx.stamp()
    if clear_decision:
        if r.reason_field and r.reason_field in target:
            target[r.reason_field] = None
        if r.decided_at_field and r.decided_at_field in target:
            target[r.decided_at_field] = None
    else:
        if r.reason_field and reason:
            target[r.reason_field] = reason
        if r.decided_at_field:
            target[r.decided_at_field] = tx.stamp()
    return True


@dataclass
class _Effects:
    """Side effects collected while the entity rows are updated, applied afterwards in key order."""

    lists: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # key -> (op, id, log_id)
    notices: list[tuple[str, dict[str, Any], str]] = field(default_factory=list)  # (user_id, notice, log_id)


def _apply_one(tx: _Tx, item: Item, action: str, to_status: str, seen: str, actor: str, reason: str | None,
               note: str | None, batch_id: str | None, row: dict[str, Any], r: moderation.EntityRules,
               effects: _Effects, notify: bool) -> Outcome:
    updated = tx.run(
        f"UPDATE {r.table} SET status = :to, moderated_at = :at, moderator = :actor, reason = :reason "
        "WHERE source_key = :sk AND id = :id AND status = :seen RETURNING id",
        to=to_status, at=tx.at, actor=actor, reason=reason, sk=item.source_key, id=item.entity_id, seen=seen,
    ).fetchall()
    if not updated:
        return _conflict(tx, item, action, seen, _read_row(tx, r, item))
    log_id = uuid.uuid4().hex
    exists, value = tx.kv_get(item.source_key)
    if exists and _set_status(value, r, item, to_status, tx, reason, clear_decision=action == "undo"):
        tx.kv_set(item.source_key, value, True, log_id)
    tx.run(
        'INSERT INTO moderation_log (id, "at", actor, action, entity, entity_id, source_key, from_status, to_status, '
        "reason, note, batch_id) VALUES (:id, :at, :actor, :action, :entity, :eid, :sk, :from_s, :to_s, :reason, "
        ":note, :batch)",
        id=log_id, at=tx.at, actor=actor, action=action, entity=item.entity, eid=item.entity_id, sk=item.source_key,
        from_s=seen, to_s=to_status, reason=reason, note=note, batch=batch_id,
    )
    for rule in r.lists:
        eligible = not rule.when or bool(row.get(rule.when))
        if to_status == rule.status and seen != rule.status and eligible:
            effects.lists.setdefault(rule.key, []).append(("add", item.entity_id, log_id))
        elif seen == rule.status and to_status != rule.status:
            effects.lists.setdefault(rule.key, []).append(("remove", item.entity_id, log_id))
    if notify and row.get("user_id"):
        title = r.notify.get(action, action)
        subject = str(row.get("title") or item.entity_id)
        content = f"«{subject}»" + (f": {reason}" if reason else "")
        effects.notices.append((str(row["user_id"]), {
            "type": "moderation", "title": title, "content": content, "link": r.link,
            "metadata": {"entity": item.entity, "entity_id": item.entity_id, "status": to_status,
                         "moderation_log_id": log_id},
        }, log_id))
    verb = {"approve": "approved", "reject": "rejected", "undo": "undone"}[action]
    return Outcome(item, True, action, f"{item.entity} {item.entity_id}: {verb} ({seen} → {to_status})",
                   from_status=seen, to_status=to_status, current_status=to_status, decided_by=actor,
                   decided_at=tx.at, log_id=log_id)


def _list_contains(value: list[Any], entity_id: str) -> list[int]:
    return [i for i, e in enumerate(value)
            if str(e.get("id") if isinstance(e, dict) else e) == entity_id]


def _apply_lists(tx: _Tx, effects: _Effects) -> None:
    for key in sorted(effects.lists):
        exists, value = tx.kv_get(key)
        items: list[Any] = list(value) if isinstance(value, list) else []
        changed = False
        for op, entity_id, log_id in effects.lists[key]:
            positions = _list_contains(items, entity_id)
            if op == "add" and not positions:
                tx.run("INSERT INTO kv_index (list_key, owner_id, position, item_id) VALUES (:k, NULL, :p, :id)",
                       k=key, p=len(items), id=entity_id)
                items.append(entity_id)
                changed = True
            elif op == "remove" and positions:
                for p in sorted(positions, reverse=True):
                    tx.run("DELETE FROM kv_index WHERE list_key = :k AND position = :p", k=key, p=p)
                    tx.run("UPDATE kv_index SET position = position - 1 WHERE list_key = :k AND position > :p",
                           k=key, p=p)
                    del items[p]
                changed = True
            if changed:
                tx.kv_set(key, items, exists, log_id)
                exists = True
                changed = False


def _apply_notices(tx: _Tx, effects: _Effects, style_by_log: dict[str, str]) -> None:
    by_user: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for user_id, notice, log_id in effects.notices:
        by_user.setdefault(user_id, []).append((notice, log_id))
    for user_id in sorted(by_user):
        for notice, log_id in by_user[user_id]:
            notice_id = uuid.uuid4().hex
            if style_by_log[log_id] == "key":
                key = f"notification:{user_id}:{notice_id}"
                kv_value = {"id": notice_id, "userId": user_id, "type": notice["type"], "title": notice["title"],
                            "message": notice["content"], "link": notice["link"], "read": False,
                            "createdAt": tx.stamp(), "metadata": notice["metadata"]}
                tx.kv_set(key, kv_value, False, log_id)
                _insert_notification(tx, notice_id, user_id, notice, key)
                continue
            list_key, unread_key = f"notifications:{user_id}:list", f"notifications:{user_id}:unread"
            exists, value = tx.kv_get(list_key)
            items = list(value) if isinstance(value, list) else []
            items.insert(0, {"id": notice_id, "user_id": user_id, **notice, "is_read": False, "read_at": None,
                             "created_at": tx.stamp()})
            tx.kv_set(list_key, items, exists, log_id)
            _insert_notification(tx, notice_id, user_id, notice, list_key)
            exists, unread = tx.kv_get(unread_key)
            try:
                count = int(unread or 0) + 1
            except (TypeError, ValueError):
                count = 1
            tx.kv_set(unread_key, count, exists, log_id)
            done = tx.run("UPDATE kv_counters SET value = :v WHERE counter_key = :k RETURNING counter_key",
                          v=count, k=unread_key).fetchall()
            if not done:
                tx.run("INSERT INTO kv_counters (counter_key, owner_id, name, value) VALUES (:k, :o, :n, :v)",
                       k=unread_key, o=user_id, n="notifications:{user_id}:unread", v=count)


def _insert_notification(tx: _Tx, notice_id: str, user_id: str, notice: dict[str, Any], source_key: str) -> None:
    tx.run(
        "INSERT INTO notifications (id, user_id, type, title, content, link, is_read, read_at, metadata, created_at, "
        f"source_key) VALUES (:id, :u, :type, :title, :content, :link, FALSE, NULL, CAST(:meta AS {tx.json_type}), "
        ":at, :sk)",
        id=notice_id, u=user_id, type=notice["type"], title=notice["title"], content=notice["content"],
        link=notice["link"], meta=json.dumps(notice["metadata"], ensure_ascii=False), at=tx.at, sk=source_key,
    )


def _record_changes(tx: _Tx, outcomes: list[Outcome]) -> None:
    seen: set[tuple[str, str]] = set()
    by_log = {o.log_id: o for o in outcomes if o.log_id}
    for log_id, key in tx.changed:
        if (log_id, key) in seen:
            continue
        seen.add((log_id, key))
        tx.run('INSERT INTO kv_changes (log_id, "at", key) VALUES (:l, :at, :k)', l=log_id, at=tx.at, k=key)
        if log_id in by_log:
            by_log[log_id].changed_keys.append(key)


# ---------------------------------------------------------------- public API


def _clean_reason(action: str, reason: str | None) -> str | None:
    text = (reason or "").strip()
    if action == "reject" and not text:
        raise ReasonRequired("a rejection needs a reason (a canned reason or free text)")
    if len(text) > MAX_REASON:
        raise BadRequest(f"the reason is longer than {MAX_REASON} characters")
    return text or None


def _clean_actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise BadRequest("the actor (who decides) is required")
    return actor


def decide(store: Store, items: Sequence[Item], action: str, actor: str, reason: str | None = None,
           note: str | None = None, batch_id: str | None = None, allow_reversal: bool = False,
           now: dt.datetime | None = None) -> list[Outcome]:
    """Approve or reject ``items`` in one transaction. Each item applies only if it is still in the status the
    moderator saw (``Item.seen``; None: its current status, which must be pending). Items that lost a race are
    returned as conflicts and change nothing. ``allow_reversal`` also accepts an item in the other decision's
    status (reject after approve)."""
    if action not in ("approve", "reject"):
        raise BadRequest(f"unknown action {action!r}: approve or reject (undo has its own function)")
    actor = _clean_actor(actor)
    reason = _clean_reason(action, reason)
    if not items:
        return []
    if len(items) > 1 and batch_id is None:
        batch_id = uuid.uuid4().hex
    at = now or dt.datetime.now(dt.UTC)
    if store.is_postgres:
        ensure_moderation_tables(store)
    ordered = sorted(items, key=lambda i: (i.entity, i.source_key, i.entity_id))
    with transaction(store) as conn:
        tx = _Tx(conn, store, at)
        effects = _Effects()
        outcomes: list[Outcome] = []
        style: dict[str, str] = {}
        for item in ordered:
            r = _rules(item.entity, tx.layout)
            row = _read_row(tx, r, item)
            if row is None:
                outcomes.append(_conflict(tx, item, action, item.seen, None))
                continue
            seen = item.seen if item.seen is not None else row["status"]
            allowed = set(r.pending)
            if allow_reversal:
                allowed |= {r.approve, r.reject} - {r.target(action)}
            if seen not in allowed:
                outcomes.append(_conflict(tx, item, action, seen, row))
                continue
            outcome = _apply_one(tx, item, action, r.target(action), seen, actor, reason, note, batch_id, row, r,
                                 effects, notify=True)
            if outcome.log_id:
                style[outcome.log_id] = r.notification
            outcomes.append(outcome)
        _apply_lists(tx, effects)
        _apply_notices(tx, effects, style)
        _record_changes(tx, outcomes)
    order = {id(i): n for n, i in enumerate(items)}
    return sorted(outcomes, key=lambda o: order.get(id(o.item), 0))


def decide_one(store: Store, item: Item, action: str, actor: str, reason: str | None = None,
               note: str | None = None) -> Outcome:
    return decide(store, [item], action, actor, reason=reason, note=note)[0]


def undo(store: Store, item: Item, actor: str, note: str | None = None, now: dt.datetime | None = None) -> Outcome:
    """Undo the item's latest decision: a new logged action that restores the status before it. Applies only if the
    item is still in the status that decision set. Raises NotFound when there is no decision to undo."""
    actor = _clean_actor(actor)
    at = now or dt.datetime.now(dt.UTC)
    if store.is_postgres:
        ensure_moderation_tables(store)
    with transaction(store) as conn:
        tx = _Tx(conn, store, at)
        r = _rules(item.entity, tx.layout)
        row = _read_row(tx, r, item)
        if row is None:
            raise NotFound(f"{item.entity} {item.entity_id}: not found")
        last = _latest_log(tx, item)
        if last is None:
            raise NotFound(f"{item.entity} {item.entity_id}: no decision to undo")
        if last["action"] == "undo":
            return Outcome(item, False, "undo",
                           f"{item.entity} {item.entity_id}: already undone by {last['actor']} at "
                           f"{moscow_time(last['at'], 'MSK')}", current_status=row["status"], decided_by=last["actor"],
                           decided_at=last["at"], kind="conflict")
        effects = _Effects()
        outcome = _apply_one(tx, item, "undo", last["from_status"], last["to_status"], actor, None,
                             note or f"undo of {last['id']}", None, row, r, effects, notify=False)
        _apply_lists(tx, effects)
        _record_changes(tx, [outcome])
    return outcome


def find_items(store: Store, entity: str, entity_id: str) -> list[Item]:
    """The rows of ``entity`` with this id (one per KV key holding it), with their current status as ``seen``."""
    with read_engine(store).connect() as conn:
        r = _rules(entity, store_layout(conn))
        rows = conn.execute(sa.text(f"SELECT source_key, status FROM {r.table} WHERE id = :id ORDER BY source_key"),
                            {"id": entity_id}).fetchall()
    return [Item(entity, entity_id, sk, None) for sk, _status in rows]


# ---------------------------------------------------------------- benchmark


def bench_decision(store: Store, n: int = 50) -> dict[str, Any]:
    """One decision's full repository round trip: ``n`` approve-then-undo pairs on one pending item (2n decisions).

    A DuckDB store is copied to a temporary file first, so the benchmark leaves the store as it was; on
    PostgreSQL the pairs run in place (the item ends as it started; the log keeps rows by actor ``bench``)."""
    work = store
    tmp: Path | None = None
    if not store.is_postgres:
        tmp = Path(tempfile.mkdtemp(prefix="promo-bench-"))
        shutil.copy(store.path, tmp / "bench.duckdb")
        work = Store(str(tmp / "bench.duckdb"))
    try:
        item = _bench_item(work)
        ensure_moderation_tables(work)
        timings: list[float] = []
        for _ in range(n):
            t0 = time.perf_counter()
            out = decide(work, [item], "approve", "bench", note="benchmark")[0]
            timings.append((time.perf_counter() - t0) * 1000)
            if not out.applied:
                raise ModerationError(f"benchmark decision not applied: {out.message}")
            t0 = time.perf_counter()
            back = undo(work, Item(item.entity, item.entity_id, item.source_key), "bench", note="benchmark")
            timings.append((time.perf_counter() - t0) * 1000)
            if not back.applied:
                raise ModerationError(f"benchmark undo not applied: {back.message}")
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


def _bench_item(store: Store) -> Item:
    """A pending concert if there is one (it has the most side effects), else any pending item."""
    with read_engine(store).connect() as conn:
        layout = store_layout(conn)
        for entity in ("concerts", *moderation.entities()):
            r = _rules(entity, layout)
            for status in r.pending:
                row = conn.execute(sa.text(f"SELECT id, source_key FROM {r.table} WHERE status = :s "
                                           "AND user_id IS NOT NULL ORDER BY id LIMIT 1"), {"s": status}).fetchone()
                if row:
                    return Item(entity, str(row[0]), str(row[1]), status)
    raise NotFound(f"{store.label()}: no pending item to benchmark")
