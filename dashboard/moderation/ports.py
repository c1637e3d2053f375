"""The ports of the write path: what ``service`` needs from the outside world, as protocols.

- ``UnitOfWork``: one user action's transaction on the store, with every read and write the service makes.
  ``unit_of_work.StoreUnitOfWork`` is the real one (DuckDB or PostgreSQL); tests pass an in-memory fake.
- ``UnitsOfWork``: where a service gets its units of work: ``begin`` one for an action, ``reading`` one for a
  lookup, and ``refresh`` the store's copy of keys the platform changed. ``unit_of_work.store_units(store)`` builds
  the real one from a store; the caller builds it (the CLI, the queue page, the bench).
- ``PlatformPort``: the platform write-back. ``SyncedPlatform`` writes to the platform table a store was synced
  from (``dashboard.sync.platform.PlatformWriter``); ``NullPlatform`` is for a store fed by snapshot files, whose
  decisions stay local for ``export-changes``. The service never asks which one it has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from dashboard.moderation import config as moderation
from dashboard.moderation.rules import LogEntry

Edit = Callable[[Any], Any]


class PlatformPort(Protocol):
    """The platform's side of one action: opened before anything is written, committed right before the store."""

    @property
    def snapshot_at(self) -> str | None:
        """When the store's copy was read from the platform (None: not synced)."""
        ...

    def open(self) -> None: ...

    def changed(self, key: str, local: Callable[[], Any]) -> tuple[bool, Any]:
        """Has the platform's value of ``key`` moved away from the store's copy (``local()``)? And its value."""
        ...

    def replace(self, key: str, expected: Any, edit: Edit) -> None:
        """Compare-and-set the item's own value; ``PlatformConflict`` when the platform no longer has ``expected``."""
        ...

    def merge(self, key: str, edit: Edit) -> Any:
        """Apply ``edit`` to the platform's current value (lists, notifications, counters)."""
        ...

    def commit(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class NullPlatform:
    """No platform to write to: every write stays in the store (``export-changes`` carries it later)."""

    snapshot_at: str | None = None

    def open(self) -> None:
        return None

    def changed(self, key: str, local: Callable[[], Any]) -> tuple[bool, Any]:
        return False, None

    def replace(self, key: str, expected: Any, edit: Edit) -> None:
        return None

    def merge(self, key: str, edit: Edit) -> Any:
        return None

    def commit(self) -> None:
        return None

    def close(self) -> None:
        return None


class _Writer(Protocol):
    recorded: dict[str, Any]

    def open(self) -> None: ...
    def matches(self, key: str, expected: Any) -> tuple[bool, Any]: ...
    def replace(self, key: str, expected: Any, edit: Edit) -> None: ...
    def merge(self, key: str, edit: Edit) -> Any: ...
    def commit(self) -> None: ...
    def close(self) -> None: ...


@dataclass
class SyncedPlatform:
    """The platform table a store was synced from, through the sync's writer (compare-and-set, merges)."""

    writer: _Writer

    @property
    def snapshot_at(self) -> str | None:
        at = self.writer.recorded.get("snapshot_at")
        return str(at) if at else None

    def open(self) -> None:
        self.writer.open()

    def changed(self, key: str, local: Callable[[], Any]) -> tuple[bool, Any]:
        same, current = self.writer.matches(key, local())
        return not same, current

    def replace(self, key: str, expected: Any, edit: Edit) -> None:
        self.writer.replace(key, expected, edit)

    def merge(self, key: str, edit: Edit) -> Any:
        return self.writer.merge(key, edit)

    def commit(self) -> None:
        self.writer.commit()

    def close(self) -> None:
        self.writer.close()


class UnitOfWork(Protocol):
    """One action's reads and writes, in one transaction (see ``unit_of_work`` for the real one)."""

    layout: str
    at: dt.datetime
    platform: PlatformPort

    def kv_get(self, key: str) -> tuple[bool, Any]: ...
    def kv_set(self, key: str, value: Any, exists: bool, log_id: str) -> None: ...
    def read_row(self, r: moderation.EntityRules, source_key: str, entity_id: str) -> dict[str, Any] | None: ...
    def update_status(self, r: moderation.EntityRules, source_key: str, entity_id: str, seen: str | None,
                      to_status: str | None, actor: str, reason: str | None,
                      fields: dict[str, Any] | None = None, move_to: str | None = None) -> bool: ...
    def find_rows(self, r: moderation.EntityRules, entity_id: str) -> list[tuple[str, str | None]]: ...
    def latest_log(self, entity: str, entity_id: str, source_key: str) -> LogEntry | None: ...
    def append_log(self, log_id: str, actor: str, action: str, entity: str, entity_id: str, source_key: str,
                   from_status: str | None, to_status: str | None, reason: str | None, note: str | None,
                   batch_id: str | None) -> None: ...
    def record_changes(self) -> dict[str, list[str]]: ...
    def index_add(self, list_key: str, position: int, item_id: str) -> None: ...
    def index_remove(self, list_key: str, position: int) -> None: ...
    def set_counter(self, counter_key: str, owner_id: str, value: int) -> None: ...
    def insert_notification(self, notice_id: str, user_id: str, type_: str, title: str, content: str, link: str,
                            metadata: dict[str, Any], source_key: str) -> None: ...


class UnitsOfWork(Protocol):
    """Where the service's units of work come from."""

    def begin(self, at: dt.datetime) -> AbstractContextManager[UnitOfWork]:
        """One action: commits when the block ends (platform first), rolls back on any exception."""
        ...

    def reading(self) -> AbstractContextManager[UnitOfWork]:
        """Reads outside any action: no lock, nothing to commit."""
        ...

    def refresh(self, keys: list[str]) -> None:
        """After a conflict with the platform: the store's copy of ``keys`` replaced by the platform's."""
        ...
