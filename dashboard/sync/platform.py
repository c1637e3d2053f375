"""Write-back: a moderation decision on a synced store is also applied to the platform's KV table, in the same user
action. The unit of work opens a ``PlatformWriter`` when the store's latest run is a sync; the service calls it for
every KV key it changes.

- **The item's own value** is written with compare-and-set on the value read at sync: the platform's current value
  must still be the one the dashboard has (compared decoded, so a double-encoded value compares as its JSON), and
  the ``UPDATE … SET value = %(new)s WHERE key = %(key)s AND value = %(current)s`` applies only if nobody wrote in
  between. Otherwise ``PlatformConflict``: the decision is refused and nothing is written on either side.
- **Side effects** (the artist's notification, promoted/active id lists, unread counters) are merged into the
  platform's *current* value: read, apply the same edit the store got, compare-and-set, and retry when the
  platform wrote in between, so its concurrent appends are never overwritten.
- **Encoding is kept**: a value the platform stores as a JSON string holding JSON is written back as such a string
  (compact, as ``JSON.stringify`` writes it); field names are the value's own (the rules edit the value in place).
- **Order** (see README, "Connect to the platform"): local changes inside the store's open transaction, then the
  platform's writes in one platform transaction, then the platform commits, then the store commits. A failure before
  the platform commit leaves both sides untouched; a store commit failing after it leaves the platform ahead, which
  the next sync brings into the store (the audit log never claims a decision the platform does not have).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dashboard.sync.source import PlatformSource, SourceError, connect, first_line, source_from_run, table_ident

MERGE_ATTEMPTS = 50
ORIGIN_SETTING = "promo.origin"  # changelog.ORIGIN_SETTING (the change log's origin column reads it)
DASHBOARD_ORIGIN = "dashboard"


class PlatformError(SourceError):
    """The platform cannot take the decision (unreachable, read-only, too busy): nothing was written."""


class PlatformConflict(Exception):
    """The platform's value of ``key`` is no longer the one the dashboard read at its sync."""

    def __init__(self, key: str, current: Any) -> None:
        super().__init__(f"{key} changed on the platform since the last sync")
        self.key = key
        self.current = current


@dataclass(frozen=True)
class SyncedFrom:
    """The origin of a synced store (its latest ``ingest_runs`` entry)."""

    source: PlatformSource
    writable: bool
    snapshot_at: str | None
    layout: str


def synced_from(files: Any, layout: str) -> dict[str, Any] | None:
    """The sync origin recorded in a run's ``files`` (JSON text on DuckDB, parsed on PostgreSQL), or None for a
    store fed by snapshot files."""
    if isinstance(files, str):
        try:
            files = json.loads(files)
        except json.JSONDecodeError:
            return None
    if isinstance(files, list) and len(files) == 1 and isinstance(files[0], dict) \
            and files[0].get("format") == "postgresql":
        return dict(files[0])
    return None


def resolve_origin(origin: dict[str, Any], layout: str) -> SyncedFrom:
    return SyncedFrom(source_from_run(origin), bool(origin.get("writable")),
                      str(origin["snapshot_at"]) if origin.get("snapshot_at") else None, layout)


def decode(value: Any) -> tuple[Any, bool]:
    """(the value, whether it was double-encoded): a JSON string holding a JSON object or array is decoded."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            inner = json.loads(value)
        except json.JSONDecodeError:
            return value, False
        if isinstance(inner, dict | list):
            return inner, True
    return value, False


def encode(value: Any, double: bool) -> str:
    """The jsonb text to write: the value, or (double) a JSON string holding its compact JSON."""
    if double:
        return json.dumps(json.dumps(value, ensure_ascii=False, separators=(",", ":")), ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False)


@dataclass
class PlatformWriter:
    """One platform transaction for one user action. ``recorded`` is the sync origin of the store's latest run;
    the credentials are looked up only when the platform is first needed."""

    recorded: dict[str, Any]
    layout: str
    conn: psycopg.Connection | None = None
    _origin: SyncedFrom | None = None

    @property
    def origin(self) -> SyncedFrom:
        if self._origin is None:
            try:
                self._origin = resolve_origin(self.recorded, self.layout)
            except SourceError as exc:
                raise PlatformError(f"{exc}; the decision was not made (nothing was written)") from None
        return self._origin

    @property
    def writable(self) -> bool:
        return bool(self.recorded.get("writable"))

    @property
    def label(self) -> str:
        return str(self.recorded.get("source") or "the platform")

    def open(self) -> None:
        if not self.writable:
            raise PlatformError(
                f"moderation is read-only: the role of {self.label} may not update "
                f"{self.recorded.get('table')}; nothing was written")
        if self.conn is None:
            try:
                self.conn = connect(self.origin.source)
            except SourceError as exc:
                raise PlatformError(f"{exc}; the decision was not made (nothing was written)") from None
            # the change log (sync/changelog.py) records this session's writes as the dashboard's own
            self._execute(sql.SQL("SELECT set_config({}, {}, false)").format(
                sql.Literal(ORIGIN_SETTING), sql.Literal(DASHBOARD_ORIGIN)), [])

    def _execute(self, query: sql.Composable, params: list[Any]) -> psycopg.Cursor:
        self.open()
        assert self.conn is not None
        try:
            return self.conn.execute(query, params)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise PlatformError(f"moderation is read-only: {first_line(exc)}; nothing was written") from None
        except psycopg.Error as exc:
            raise PlatformError(f"the platform database {self.origin.source.label} failed: {first_line(exc)}; "
                                "nothing was written") from None

    def read(self, key: str) -> tuple[bool, Any, bool, str | None]:
        """(exists, decoded value, double-encoded, the exact jsonb text) of a platform key."""
        row = self._execute(sql.SQL("SELECT value::text FROM {} WHERE key = %s").format(
            table_ident(self.origin.source.table)), [key]).fetchone()
        if row is None:
            return False, None, False, None
        value, double = decode(None if row[0] is None else json.loads(row[0]))
        return True, value, double, row[0]

    def matches(self, key: str, expected: Any) -> tuple[bool, Any]:
        """Is the platform's value of ``key`` still ``expected`` (decoded)? And the platform's value."""
        exists, current, _double, _text = self.read(key)
        return exists and current == expected, current

    def _cas(self, key: str, exists: bool, text: str | None, new_text: str) -> bool:
        table = table_ident(self.origin.source.table)
        if exists and text is None:
            cur = self._execute(sql.SQL("UPDATE {} SET value = %s::jsonb WHERE key = %s AND value IS NULL"
                                        ).format(table), [new_text, key])
        elif not exists:
            cur = self._execute(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s::jsonb) "
                                        "ON CONFLICT (key) DO NOTHING").format(table), [key, new_text])
        else:
            cur = self._execute(sql.SQL("UPDATE {} SET value = %s::jsonb WHERE key = %s AND value = %s::jsonb"
                                        ).format(table), [new_text, key, text])
        return cur.rowcount == 1

    def replace(self, key: str, expected: Any, edit: Callable[[Any], Any]) -> None:
        """Compare-and-set the item's own value: PlatformConflict unless the platform still has ``expected``.
        ``edit`` is applied to the platform's value (equal to ``expected``, in the platform's own field order)."""
        exists, current, double, text = self.read(key)
        new = edit(current) if exists and current == expected else None
        if new is None or not self._cas(key, exists, text, encode(new, double)):
            raise PlatformConflict(key, current)

    def merge(self, key: str, edit: Callable[[Any], Any]) -> Any:
        """Apply ``edit`` to the platform's current value (None when the key is absent) with compare-and-set,
        retrying when the platform wrote in between. Returns the value written."""
        for _ in range(MERGE_ATTEMPTS):
            exists, current, double, text = self.read(key)
            new = edit(current if exists else None)
            if self._cas(key, exists, text, encode(new, double)):
                return new
        raise PlatformError(f"{key} kept changing on the platform ({MERGE_ATTEMPTS} attempts); nothing was written")

    def commit(self) -> None:
        if self.conn is not None:
            try:
                self.conn.commit()
            except psycopg.Error as exc:
                raise PlatformError(f"the platform database {self.origin.source.label} did not commit: "
                                    f"{first_line(exc)}; nothing was written") from None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()  # rolls back anything not committed
            self.conn = None
