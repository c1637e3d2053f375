"""The unit of work of the write path: one user action = one transaction on the store, and every read and write
it makes. No moderation rules here (they are in ``rules``); ``service`` decides what to read and write.

- **Transaction and lock.** PostgreSQL: racing decisions serialize on the entity row's conditional UPDATE, and KV
  rows are locked (advisory lock on the key, then ``SELECT … FOR UPDATE``); the service touches KV keys after every
  entity row, in key order, so two bulk actions cannot deadlock. DuckDB: one lock per store file serializes this
  process's writers; a file held by another process is a one-line "in use by another process" StoreError.
- **KV get/set.** ``kv_store`` holds values decoded: a value the platform stored double-encoded (a JSON string
  holding JSON) was decoded at ingest and is listed in ``kv_double_encoded``; it is read and written here as JSON,
  and ``export_changes`` encodes it again for the platform. Every key set is remembered with its log row, for
  ``kv_changes``.
- **Rows.** The entity row's read and its conditional status update (with the pending rollup's rows of the item's
  key, ``dashboard.rollups``), ``moderation_log`` appends and reads,
  ``kv_index`` (list positions), ``kv_counters`` and ``notifications`` rows.

Tables are never created here: ingest's schema step creates them (``dashboard.store.schema``). A store without
them (made by an older version) gives a one-line StoreError telling to re-ingest.

All SQL is bound (``:name``); table and column names come from the validated moderation configuration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dashboard.moderation import config as moderation
from dashboard.moderation.ports import NullPlatform, PlatformPort, SyncedPlatform
from dashboard.moderation.rules import UNREAD_COUNTER_PATTERN, LogEntry, column_name
from dashboard.rollups import (
    forget_dangling_id,
    lock_rollups,
    refresh_dangling_for_list,
    refresh_pending_for_key,
    revenue_in,
    revenue_out,
)
from dashboard.store import schema
from dashboard.store.connect import Store, StoreError, describe_connect_error, store_write_lock
from dashboard.store.queries import read_engine
from dashboard.sync.platform import PlatformWriter, SyncedFrom, resolve_origin, synced_from

MODERATION_TABLES = ("moderation_log", "kv_changes")
_DECISION_COLUMNS = frozenset({"id", "source_key", "status", "moderated_at", "moderator", "reason"})
_STORE_LOCKS: dict[str, threading.Lock] = {}
_STORE_LOCKS_GUARD = threading.Lock()
_TABLES_FOUND: set[str] = set()


def _store_lock(store: Store) -> contextlib.AbstractContextManager[Any]:
    if store.is_postgres:
        return contextlib.nullcontext()
    name = str(store.path.resolve())
    with _STORE_LOCKS_GUARD:
        lock = _STORE_LOCKS.setdefault(name, threading.Lock())
    return lock


@contextlib.contextmanager
def transaction(store: Store) -> Iterator[sa.Connection]:
    """One transaction on the store; DuckDB writers of this process take turns; an ingest excludes them all."""
    with _store_lock(store), store_write_lock(store) as hold_write_lock:
        try:
            with read_engine(store).connect() as conn:
                if not store.is_postgres:
                    # commit to the WAL only: a checkpoint at close rewrites the kv_store index (~200 ms on a
                    # million keys); the next reader's close, or DuckDB's WAL size threshold, checkpoints instead
                    conn.exec_driver_sql("PRAGMA disable_checkpoint_on_shutdown")
                    conn.commit()
                with conn.begin():
                    hold_write_lock(conn)
                    yield conn
        except sa.exc.DBAPIError as exc:
            text = str(getattr(exc, "orig", exc)).lower()
            if not store.is_postgres and ("lock" in text or "conflicting" in text):
                raise StoreError(describe_connect_error(store, exc)) from None
            if isinstance(exc, sa.exc.OperationalError) and "connect" in text:
                raise StoreError(describe_connect_error(store, exc)) from None
            raise


def missing_tables_message(store: Store, missing: list[str]) -> str:
    return (f"{store.label()} has no {', '.join(missing)} table (made by an older version): re-ingest it with "
            "'python -m dashboard ingest', which creates the moderation tables and keeps nothing else to lose")


def require_moderation_tables(conn: sa.Connection, store: Store) -> None:
    """A one-line StoreError when the store lacks the moderation tables. Found once, they stay (re-ingests keep
    them), so a store is checked once per process."""
    if store.name in _TABLES_FOUND:
        return
    if store.is_postgres:
        sql = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
               "AND table_name IN ('moderation_log', 'kv_changes')")
    else:
        sql = ("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
               "AND table_name IN ('moderation_log', 'kv_changes')")
    found = {str(r[0]) for r in conn.execute(sa.text(sql))}
    missing = [t for t in MODERATION_TABLES if t not in found]
    if missing:
        raise StoreError(missing_tables_message(store, missing))
    _TABLES_FOUND.add(store.name)


def latest_run(conn: sa.Connection) -> tuple[str | None, Any]:
    """(layout, files) of the store's latest ingest or sync run."""
    row = conn.execute(sa.text("SELECT layout, files FROM ingest_runs ORDER BY finished_at DESC LIMIT 1")).fetchone()
    return (row[0], row[1]) if row else (None, None)


def store_layout(conn: sa.Connection) -> str:
    """The rule set of the store: the layout of its latest ingest run."""
    return moderation.layout_name(latest_run(conn)[0])


def store_origin(conn: sa.Connection) -> SyncedFrom | None:
    """Where a synced store came from (None: fed by snapshot files, so decisions stay local for export-changes)."""
    layout, files = latest_run(conn)
    origin = synced_from(files, layout or "seed")
    return resolve_origin(origin, layout or "seed") if origin else None


def fed_at(conn: sa.Connection, store: Store) -> str | None:
    """When the store's copy was last brought up to date from the platform by an incremental sync (the snapshot
    time of its last batch), for "changed on the platform since …"; None when it never was (or has no sync_feed)."""
    exists = ("SELECT to_regclass('sync_feed') IS NOT NULL" if store.is_postgres else
              "SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = current_database() "
              "AND table_name = 'sync_feed'")
    if not conn.execute(sa.text(exists)).scalar():
        return None
    row = conn.execute(sa.text("SELECT checked_at FROM sync_feed WHERE mode = 'incremental'")).fetchone()
    return row[0].isoformat() if row and row[0] is not None else None


@functools.cache
def _columns(table: str) -> frozenset[str]:
    return frozenset(c for c, _ in schema.entity_columns(table))


def checked_names(r: moderation.EntityRules) -> moderation.EntityRules:
    """The rules, once their table and column names (which go into SQL text) are checked against the schema."""
    if r.table not in schema.MODERATED_TABLES:
        raise moderation.ConfigError(f"moderation config: {r.table} is not a moderated table")
    for name in (r.title_column, *(c for c in (r.owner_column,) if c), *r.row_columns,
                 *(rule.when for rule in r.lists if rule.when)):
        if name not in _columns(r.table):
            raise moderation.ConfigError(f"moderation config: {r.table} has no column {name!r}")
    return r


class StoreUnitOfWork:
    """One action's transaction on a store (``ports.UnitOfWork``): its connection, layout and time, its platform
    port, and the KV keys it changed per log row."""

    def __init__(self, conn: sa.Connection, store: Store, at: dt.datetime) -> None:
        self.conn = conn
        self.store = store
        self.pg = store.is_postgres
        self.json_type = "JSONB" if self.pg else "JSON"
        self.at = at
        layout, files = latest_run(conn)
        self.layout = moderation.layout_name(layout)
        self.changed: list[tuple[str, str]] = []  # (log_id, key), in order
        self.rollups_locked = False
        # a synced store: every KV write also goes to the platform (compare-and-set / merge), in one platform
        # transaction that commits right before this one; a store fed by files has the null port
        origin = synced_from(files, layout or "seed")
        if origin:
            origin = {**origin, "snapshot_at": fed_at(conn, store) or origin.get("snapshot_at")}
        self.platform: PlatformPort = (SyncedPlatform(PlatformWriter(origin, layout or "seed")) if origin
                                       else NullPlatform())

    def _run(self, sql: str, **params: Any) -> sa.CursorResult[Any]:
        return self.conn.execute(sa.text(sql), params)

    # ------------------------------------------------------------ KV

    def kv_get(self, key: str) -> tuple[bool, Any]:
        """(exists, value) of a KV key; on PostgreSQL the key stays locked until the transaction ends."""
        if self.pg:
            self._run("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))", k=key)
            row = self._run("SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k FOR UPDATE", k=key).fetchone()
        else:
            row = self._run("SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k", k=key).fetchone()
        if row is None:
            return False, None
        return True, None if row[0] is None else json.loads(row[0])

    def kv_set(self, key: str, value: Any, exists: bool, log_id: str) -> None:
        text = json.dumps(value, ensure_ascii=False)
        if exists:
            self._run(f"UPDATE kv_store SET value = CAST(:v AS {self.json_type}) WHERE key = :k", v=text, k=key)
        else:
            self._run(f"INSERT INTO kv_store (key, value) VALUES (:k, CAST(:v AS {self.json_type}))", k=key, v=text)
        self.changed.append((log_id, key))

    # ------------------------------------------------------------ entity rows

    def read_row(self, r: moderation.EntityRules, source_key: str, entity_id: str) -> dict[str, Any] | None:
        """status, user_id (the owner column), title, is_promoted (NULL where the table has none), moderator,
        moderated_at, and the columns the rules' conditions read (``r.row_columns``)."""
        r = checked_names(r)
        promoted = "is_promoted" if "is_promoted" in _columns(r.table) else "NULL"
        extra = "".join(f", {c}" for c in r.row_columns if c not in {"status", "moderator", "moderated_at"})
        row = self._run(
            f"SELECT status, {r.owner_column or 'NULL'} AS user_id, {r.title_column} AS title, "
            f"{promoted} AS is_promoted, "
            f"moderator, moderated_at{extra} FROM {r.table} WHERE source_key = :sk AND id = :id",
            sk=source_key, id=entity_id,
        ).mappings().fetchone()
        return dict(row) if row else None

    def update_status(self, r: moderation.EntityRules, source_key: str, entity_id: str, seen: str | None,
                      to_status: str | None, actor: str, reason: str | None,
                      fields: dict[str, Any] | None = None, move_to: str | None = None) -> bool:
        """Set the row's status and last decision only if it is still in ``seen``; False when it is not. ``fields``
        (the decision's own KV fields) also set the row's columns of the same (snake_case) name; ``move_to``: the
        row's new ``source_key`` (an item that moved to another array)."""
        r = checked_names(r)
        columns = {column_name(f): v for f, v in (fields or {}).items()
                   if column_name(f) in _columns(r.table) and column_name(f) not in _DECISION_COLUMNS}
        if move_to is not None:
            columns["source_key"] = move_to
        sets = "".join(f", {c} = :c{n}" for n, c in enumerate(columns))
        self.hold_rollups()
        money = revenue_out(self.conn, r.table, source_key)  # a banner, publish order or track test: its lines
        updated = self._run(
            f"UPDATE {r.table} SET status = :to, moderated_at = :at, moderator = :actor, reason = :reason{sets} "
            "WHERE source_key = :sk AND id = :id AND status = :seen RETURNING id",
            to=to_status, at=self.at, actor=actor, reason=reason, sk=source_key, id=entity_id, seen=seen,
            **{f"c{n}": v for n, v in enumerate(columns.values())},
        ).fetchall()
        if money:
            revenue_in(self.conn, (move_to or source_key) if updated else source_key)
        if updated:  # the pending rollup follows the row, in this transaction (dashboard/rollups.py)
            for key in dict.fromkeys((source_key, move_to or source_key)):
                refresh_pending_for_key(self.conn, self.layout, key, r.table)
        return bool(updated)

    def hold_rollups(self) -> None:
        """The rollups' lock, once per transaction, before anything they summarise is read (dashboard/rollups.py):
        two decisions that remake the same rows of a rollup at once would each write them from what they read."""
        if not self.rollups_locked:
            lock_rollups(self.conn)
            self.rollups_locked = True

    def find_rows(self, r: moderation.EntityRules, entity_id: str) -> list[tuple[str, str | None]]:
        """(source_key, status) of every row of the entity with this id."""
        r = checked_names(r)
        found = self._run(f"SELECT source_key, status FROM {r.table} WHERE id = :id ORDER BY source_key", id=entity_id)
        return [(str(sk), status) for sk, status in found]

    # ------------------------------------------------------------ the audit log

    def latest_log(self, entity: str, entity_id: str, source_key: str) -> LogEntry | None:
        row = self._run(
            'SELECT id, "at", actor, action, from_status, to_status FROM moderation_log '
            'WHERE entity = :e AND entity_id = :id AND source_key = :sk ORDER BY "at" DESC, id DESC LIMIT 1',
            e=entity, id=entity_id, sk=source_key,
        ).fetchone()
        return LogEntry(*row) if row else None

    def append_log(self, log_id: str, actor: str, action: str, entity: str, entity_id: str, source_key: str,
                   from_status: str | None, to_status: str | None, reason: str | None, note: str | None,
                   batch_id: str | None) -> None:
        self._run(
            'INSERT INTO moderation_log (id, "at", actor, action, entity, entity_id, source_key, from_status, '
            "to_status, reason, note, batch_id) VALUES (:id, :at, :actor, :action, :entity, :eid, :sk, :from_s, "
            ":to_s, :reason, :note, :batch)",
            id=log_id, at=self.at, actor=actor, action=action, entity=entity, eid=entity_id, sk=source_key,
            from_s=from_status, to_s=to_status, reason=reason, note=note, batch=batch_id,
        )

    def record_changes(self) -> dict[str, list[str]]:
        """One ``kv_changes`` row per (log row, key) changed; returns the keys per log id, in order."""
        keys: dict[str, list[str]] = {}
        for log_id, key in dict.fromkeys(self.changed):
            self._run('INSERT INTO kv_changes (log_id, "at", key) VALUES (:l, :at, :k)', l=log_id, at=self.at, k=key)
            keys.setdefault(log_id, []).append(key)
        return keys

    # ------------------------------------------------------------ bookkeeping tables kept in step with the KV

    def index_add(self, list_key: str, position: int, item_id: str) -> None:
        self.hold_rollups()
        self._run("INSERT INTO kv_index (list_key, owner_id, position, item_id) VALUES (:k, NULL, :p, :id)",
                  k=list_key, p=position, id=item_id)
        refresh_dangling_for_list(self.conn, list_key)  # data health's rollup follows the list

    def index_remove(self, list_key: str, position: int) -> None:
        """Remove one position of a list (the positions after it move up by one)."""
        self.hold_rollups()
        self._run("DELETE FROM kv_index WHERE list_key = :k AND position = :p", k=list_key, p=position)
        self._run("UPDATE kv_index SET position = position - 1 WHERE list_key = :k AND position > :p",
                  k=list_key, p=position)
        refresh_dangling_for_list(self.conn, list_key)

    def set_counter(self, counter_key: str, owner_id: str, value: int) -> None:
        done = self._run("UPDATE kv_counters SET value = :v WHERE counter_key = :k RETURNING counter_key",
                         v=value, k=counter_key).fetchall()
        if not done:
            self._run("INSERT INTO kv_counters (counter_key, owner_id, name, value) VALUES (:k, :o, :n, :v)",
                      k=counter_key, o=owner_id, n=UNREAD_COUNTER_PATTERN, v=value)

    def insert_notification(self, notice_id: str, user_id: str, type_: str, title: str, content: str, link: str,
                            metadata: dict[str, Any], source_key: str) -> None:
        self._run(
            "INSERT INTO notifications (id, user_id, type, title, content, link, is_read, read_at, metadata, "
            f"created_at, source_key) VALUES (:id, :u, :type, :title, :content, :link, FALSE, NULL, "
            f"CAST(:meta AS {self.json_type}), :at, :sk)",
            id=notice_id, u=user_id, type=type_, title=title, content=content, link=link,
            meta=json.dumps(metadata, ensure_ascii=False), at=self.at, sk=source_key,
        )
        forget_dangling_id(self.conn, "notifications", notice_id)  # a list naming it no longer dangles


@contextlib.contextmanager
def unit_of_work(store: Store, at: dt.datetime) -> Iterator[StoreUnitOfWork]:
    """One action: commits when the block ends, rolls back on any exception. On a synced store the platform's
    transaction commits first, then the store's (see ``dashboard.sync.platform`` for why this order)."""
    with transaction(store) as conn:
        require_moderation_tables(conn, store)
        uow = StoreUnitOfWork(conn, store, at)
        uow.platform.open()  # unreachable or read-only: refused before anything is written
        try:
            yield uow
            uow.platform.commit()
        finally:
            uow.platform.close()


def refresh_from_platform(store: Store, keys: list[str]) -> None:
    """After a conflict: the store's copy of ``keys`` (values and rows) replaced by the platform's current one."""
    if not keys:
        return
    from dashboard.sync.refresh import refresh_keys
    from dashboard.sync.source import SourceError

    try:
        with transaction(store) as conn:
            origin = store_origin(conn)
            if origin is not None:
                refresh_keys(conn, store, origin, sorted(set(keys)))
    except SourceError:
        pass  # the platform went away after the conflict: the next sync refreshes the item instead


@contextlib.contextmanager
def reading(store: Store) -> Iterator[StoreUnitOfWork]:
    """Reads outside any action (finding an item): no lock, no transaction to commit."""
    with read_engine(store).connect() as conn:
        yield StoreUnitOfWork(conn, store, dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class StoreUnits:
    """The store's units of work (``ports.UnitsOfWork``), built by the caller: ``store_units(store)``."""

    store: Store

    def begin(self, at: dt.datetime) -> contextlib.AbstractContextManager[StoreUnitOfWork]:
        return unit_of_work(self.store, at)

    def reading(self) -> contextlib.AbstractContextManager[StoreUnitOfWork]:
        return reading(self.store)

    def refresh(self, keys: list[str]) -> None:
        refresh_from_platform(self.store, keys)


def store_units(store: Store) -> StoreUnits:
    """The default units of work of a store: its transactions, and its platform when it was synced."""
    return StoreUnits(store)
