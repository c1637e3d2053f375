"""An in-memory unit of work for the moderation write path (``ports.UnitsOfWork``): no database, milliseconds per
test. Used by the service tests and the queue page's session tests.

``FakeUnits`` holds one dict of KV values, entity rows, the log and the side-effect tables, copied when an action
begins and restored when it raises, as a real transaction would roll back. ``FakePlatform`` implements
``ports.PlatformPort`` and records what would be written back.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dashboard.moderation import config as moderation
from dashboard.moderation import service
from dashboard.moderation.ports import NullPlatform, PlatformPort
from dashboard.moderation.rules import LogEntry, column_name
from dashboard.sync.platform import PlatformConflict

AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
ARTIST = "artist-1"


@dataclass
class State:
    kv: dict[str, Any] = field(default_factory=dict)
    rows: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)  # (table, source_key, id)
    log: list[dict[str, Any]] = field(default_factory=list)
    changes: list[tuple[str, str]] = field(default_factory=list)
    index: list[tuple[str, int, str]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    notifications: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakePlatform:
    """A platform whose values may have moved (``moved``) or move during the write (``conflict_on``)."""

    snapshot_at: str | None = "2026-11-20T09:00:00Z"
    moved: set[str] = field(default_factory=set)
    conflict_on: set[str] = field(default_factory=set)
    written: list[str] = field(default_factory=list)
    committed: bool = False

    def open(self) -> None:
        return None

    def changed(self, key: str, local: Callable[[], Any]) -> tuple[bool, Any]:
        return (True, {"status": "approved"}) if key in self.moved else (False, None)

    def replace(self, key: str, expected: Any, edit: Callable[[Any], Any]) -> None:
        if key in self.conflict_on:
            raise PlatformConflict(key, {"status": "rejected"})
        edit(copy.deepcopy(expected))
        self.written.append(key)

    def merge(self, key: str, edit: Callable[[Any], Any]) -> Any:
        self.written.append(key)
        return edit(None)

    def commit(self) -> None:
        self.committed = True

    def close(self) -> None:
        return None


class FakeUnitOfWork:
    def __init__(self, state: State, layout: str, at: dt.datetime, platform: PlatformPort) -> None:
        self.state = state
        self.layout = layout
        self.at = at
        self.platform = platform
        self.changed: list[tuple[str, str]] = []

    def kv_get(self, key: str) -> tuple[bool, Any]:
        return (key in self.state.kv), copy.deepcopy(self.state.kv.get(key))

    def kv_set(self, key: str, value: Any, exists: bool, log_id: str) -> None:
        self.state.kv[key] = copy.deepcopy(value)
        self.changed.append((log_id, key))

    def read_row(self, r: moderation.EntityRules, source_key: str, entity_id: str) -> dict[str, Any] | None:
        row = self.state.rows.get((r.table, source_key, entity_id))
        return dict(row) if row else None

    def update_status(self, r: moderation.EntityRules, source_key: str, entity_id: str, seen: str | None,
                      to_status: str | None, actor: str, reason: str | None,
                      fields: dict[str, Any] | None = None, move_to: str | None = None) -> bool:
        row = self.state.rows.get((r.table, source_key, entity_id))
        if row is None or row["status"] != seen:
            return False
        row.update(status=to_status, moderator=actor, moderated_at=self.at, reason=reason)
        row.update({column_name(f): v for f, v in (fields or {}).items()})
        if move_to is not None:
            self.state.rows[(r.table, move_to, entity_id)] = self.state.rows.pop((r.table, source_key, entity_id))
        return True

    def find_rows(self, r: moderation.EntityRules, entity_id: str) -> list[tuple[str, str | None]]:
        return sorted((sk, row["status"]) for (t, sk, i), row in self.state.rows.items()
                      if t == r.table and i == entity_id)

    def latest_log(self, entity: str, entity_id: str, source_key: str) -> LogEntry | None:
        mine = [e for e in self.state.log if (e["entity"], e["entity_id"], e["source_key"])
                == (entity, entity_id, source_key)]
        if not mine:
            return None
        e = mine[-1]
        return LogEntry(e["id"], e["at"], e["actor"], e["action"], e["from_status"], e["to_status"])

    def append_log(self, log_id: str, actor: str, action: str, entity: str, entity_id: str, source_key: str,
                   from_status: str | None, to_status: str | None, reason: str | None, note: str | None,
                   batch_id: str | None) -> None:
        self.state.log.append({"id": log_id, "at": self.at, "actor": actor, "action": action, "entity": entity,
                               "entity_id": entity_id, "source_key": source_key, "from_status": from_status,
                               "to_status": to_status, "reason": reason, "note": note, "batch_id": batch_id})

    def record_changes(self) -> dict[str, list[str]]:
        keys: dict[str, list[str]] = {}
        for log_id, key in dict.fromkeys(self.changed):
            self.state.changes.append((log_id, key))
            keys.setdefault(log_id, []).append(key)
        return keys

    def index_add(self, list_key: str, position: int, item_id: str) -> None:
        self.state.index.append((list_key, position, item_id))

    def index_remove(self, list_key: str, position: int) -> None:
        self.state.index = [(k, p - (1 if k == list_key and p > position else 0), i) for k, p, i in self.state.index
                            if not (k == list_key and p == position)]

    def set_counter(self, counter_key: str, owner_id: str, value: int) -> None:
        self.state.counters[counter_key] = value

    def insert_notification(self, notice_id: str, user_id: str, type_: str, title: str, content: str, link: str,
                            metadata: dict[str, Any], source_key: str) -> None:
        self.state.notifications.append({"id": notice_id, "user_id": user_id, "title": title, "content": content,
                                         "source_key": source_key})


@dataclass
class FakeUnits:
    state: State = field(default_factory=State)
    layout: str = "seed"
    platform: PlatformPort = field(default_factory=NullPlatform)
    refreshed: list[str] = field(default_factory=list)
    actions: int = 0

    @contextlib.contextmanager
    def begin(self, at: dt.datetime) -> Iterator[FakeUnitOfWork]:
        before = copy.deepcopy(self.state)
        self.actions += 1
        self.platform.open()
        try:
            yield FakeUnitOfWork(self.state, self.layout, at, self.platform)
            self.platform.commit()
        except BaseException:
            self.state.__dict__.update(copy.deepcopy(before).__dict__)  # roll back
            raise
        finally:
            self.platform.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[FakeUnitOfWork]:
        yield FakeUnitOfWork(self.state, self.layout, AT, self.platform)

    def refresh(self, keys: list[str]) -> None:
        self.refreshed.extend(keys)


def with_track(units: FakeUnits, track_id: str, status: str = "pending", title: str = "Северный ветер 🌬") -> str:
    key = f"tracks:{ARTIST}:{track_id}"
    units.state.kv[key] = {"id": track_id, "title": title, "status": status, "updated_at": "2026-11-01T00:00:00Z"}
    units.state.rows[("tracks", key, track_id)] = {"status": status, "user_id": ARTIST, "title": title,
                                                    "is_promoted": None, "moderator": None, "moderated_at": None}
    return key


def track(units: FakeUnits, track_id: str, seen: str | None = "pending") -> service.Item:
    return service.Item("tracks", track_id, f"tracks:{ARTIST}:{track_id}", seen)
