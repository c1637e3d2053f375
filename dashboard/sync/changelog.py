"""The platform's change log: a table fed by statement triggers on the KV table, so a sync can read which keys
changed since its last run instead of the whole table (issue 22).

Installed on the platform by ``python -m dashboard sync --install-change-log`` (removed by ``--remove-change-log``),
next to the KV table, in its schema:

- ``promo_kv_changes (id bigserial, key, op, xid xid8, changed_at, origin)``: one row per key an ``INSERT``,
  ``UPDATE`` or ``DELETE`` on the KV table touched (``op`` insert/update/delete), written by three ``AFTER … FOR EACH
  STATEMENT`` triggers with transition tables (one insert per statement, whatever its size). ``xid`` is the writing
  transaction (``pg_current_xact_id()``), ``changed_at`` the clock when the statement ran (``clock_timestamp()``,
  the commit follows within the transaction), ``origin`` the session's ``promo.origin`` setting (the dashboard's
  write-back sets it to ``dashboard``).
- ``promo_kv_changes_state``: one row: the KV table it serves, a ``generation`` (new at every install) and
  ``trimmed_below``: every change of a transaction below that id may be gone from the log. Deleting rows from the log
  (pruning, or anyone's ``DELETE``) and ``TRUNCATE`` of the log raise it (a statement trigger on the log); a
  ``TRUNCATE`` of the KV table, which fires no row change, raises it past every transaction so far.

Which changes a store still needs is decided by **transaction visibility, not by ids alone**: an id is taken when a
statement runs, a transaction that took id 100 may commit after one that took 101, so "ids above the last one seen"
would skip 100 for good. A store records the platform's ``pg_current_snapshot()`` its content equals; the changes it
needs are the rows whose transaction was not visible in that snapshot (``NOT pg_visible_in_snapshot(xid, s)``, on the
``xid`` index from the snapshot's ``xmin``), read in one ``REPEATABLE READ`` transaction together with the keys'
current values, whose own snapshot becomes the store's next position. The last id applied is kept too, for people
(backlog, "changes since").

A store whose snapshot predates ``trimmed_below`` (changes it never saw were deleted), a log installed again (another
generation) or no log at all: the sync rebuilds the store in full, and says so in one line.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from dashboard.sync.platform import DASHBOARD_ORIGIN  # the write-back's promo.origin
from dashboard.sync.source import PlatformSource, SourceError, connect, first_line, regclass_name, table_ident

LOG = "promo_kv_changes"
STATE = "promo_kv_changes_state"
RECORD_FN = "promo_kv_changes_record"
TRIMMED_FN = "promo_kv_changes_trimmed"
KV_TRIGGERS = ("promo_kv_changes_insert", "promo_kv_changes_update", "promo_kv_changes_delete",
               "promo_kv_changes_truncate")
LOG_TRIGGERS = ("promo_kv_changes_pruned", "promo_kv_changes_emptied")
API_ROLES = ("anon", "authenticated")  # Supabase's API roles: no access to the log, whatever the default privileges
KEEP_ENV = "PROMO_CHANGE_LOG_KEEP_HOURS"  # how long applied changes stay in the log (pruned by syncs)
DEFAULT_KEEP_HOURS = 24.0
NO_LOG_HINT = "  no change log on the platform: the next sync is a full one too (see --install-change-log)"
# the NDJSON line ingest reads for a key (source.COPY_SQL's text): the build sees exactly what a full sync's file holds
LINE_SQL = ("""CASE WHEN t.value IS NULL THEN '{"key":' || to_json(t.key)::text || '}' """
            """ELSE '{"key":' || to_json(t.key)::text || ',"value":' || t.value::text || '}' END""")
# how a key's kv_rejects.raw starts (its line's beginning): rejects are found again by it
PREFIX_SQL = """'{"key":' || to_json(k.key)::text"""

Say = Callable[[str], None]


class FullSyncNeeded(Exception):
    """The store cannot be brought up to date from the change log; the message says why, in one line. ``first``:
    the store has never been synced (nothing to say: a first sync is a full one)."""

    def __init__(self, message: str, first: bool = False, no_position: bool = False) -> None:
        super().__init__(message)
        self.first = first
        self.no_position = no_position


@dataclass(frozen=True)
class Mark:
    """A position in the change log: the platform snapshot a store's content equals, and what people read of it."""

    generation: str
    trimmed_below: str
    snapshot: str
    last_id: int | None
    last_at: dt.datetime | None
    taken_at: dt.datetime


@dataclass(frozen=True)
class Change:
    id: int
    key: str
    op: str
    changed_at: dt.datetime
    origin: str | None


@dataclass(frozen=True)
class Batch:
    """What one read of the log gave: the changes since the store's mark, the keys' lines for ingest (None: the key is
    gone), each key's reject prefix, and the new mark."""

    changes: list[Change]
    lines: dict[str, str | None]
    prefixes: dict[str, str]
    mark: Mark

    @property
    def own(self) -> int:
        return sum(1 for c in self.changes if (c.origin or "").startswith(DASHBOARD_ORIGIN))


def keep_hours() -> float:
    try:
        return max(0.0, float(os.environ.get(KEEP_ENV, "") or DEFAULT_KEEP_HOURS))
    except ValueError:
        return DEFAULT_KEEP_HOURS


# ---------------------------------------------------------------- where the log is


def kv_schema(cur: psycopg.Cursor[Any], table: str) -> str | None:
    """The schema of the KV table (None when there is no such table)."""
    row = cur.execute("SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.oid = to_regclass(%s)", [regclass_name(table)]).fetchone()
    return str(row[0]) if row else None


def _names(schema: str) -> dict[str, sql.Composable]:
    return {"log": sql.Identifier(schema, LOG), "state": sql.Identifier(schema, STATE),
            "record": sql.Identifier(schema, RECORD_FN), "trimmed": sql.Identifier(schema, TRIMMED_FN)}


def leftovers(cur: psycopg.Cursor[Any], schema: str) -> bool:
    """Are the log's tables there (with or without the triggers that feed them)?"""
    row = cur.execute("SELECT to_regclass(%s) IS NOT NULL OR to_regclass(%s) IS NOT NULL",
                      [f'"{schema}"."{LOG}"', f'"{schema}"."{STATE}"']).fetchone()
    return bool(row and row[0])


def installed(cur: psycopg.Cursor[Any], schema: str, table: str | None = None) -> bool:
    """Are the log, its state and (given the KV table) the four triggers that feed it all there? A KV table dropped
    and made again has lost its triggers: then the log is not installed (and is never read)."""
    row = cur.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                      [f'"{schema}"."{LOG}"', f'"{schema}"."{STATE}"']).fetchone()
    if not (row and row[0]):
        return False
    if table is None:
        return True
    found = cur.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND tgname = ANY(%s) "
                        "AND NOT tgisinternal", [regclass_name(table) if "." in table else f'"{schema}"."{table}"',
                                                 list(KV_TRIGGERS)]).fetchone()
    return bool(found and found[0] == len(KV_TRIGGERS))


def readable(cur: psycopg.Cursor[Any], schema: str) -> bool:
    row = cur.execute("SELECT has_table_privilege(%s, 'SELECT') AND has_table_privilege(%s, 'SELECT')",
                      [f'"{schema}"."{LOG}"', f'"{schema}"."{STATE}"']).fetchone()
    return bool(row and row[0])


def mark_now(cur: psycopg.Cursor[Any], table: str) -> Mark | None:
    """The current position, in the caller's (REPEATABLE READ) transaction: None when no log is installed or this
    role may not read it. Checked before it is read, so a full sync's snapshot transaction never fails here."""
    schema = kv_schema(cur, table)
    if schema is None or not installed(cur, schema, table) or not readable(cur, schema):
        return None
    n = _names(schema)
    state = cur.execute(sql.SQL("SELECT generation, trimmed_below::text FROM {} LIMIT 1").format(n["state"])).fetchone()
    if state is None:
        return None
    snap, now = cur.execute("SELECT pg_current_snapshot()::text, now()").fetchone()  # type: ignore[misc]
    last = cur.execute(sql.SQL("SELECT id, changed_at FROM {} ORDER BY id DESC LIMIT 1").format(n["log"])).fetchone()
    return Mark(str(state[0]), str(state[1]), str(snap), int(last[0]) if last else None,
                last[1] if last else None, now)


def xid_of(text: str) -> int:
    return int(text)


def snapshot_xmin(snapshot: str) -> int:
    return int(snapshot.split(":", 1)[0])


def check_position(state_generation: str, state_trimmed: str, mark: Mark) -> None:
    """FullSyncNeeded when the log no longer holds every change the store has not seen."""
    if state_generation != mark.generation:
        raise FullSyncNeeded("the change log was installed again since the store's last sync")
    if state_trimmed != mark.trimmed_below and xid_of(state_trimmed) > snapshot_xmin(mark.snapshot):
        raise FullSyncNeeded("the change log lost changes this store has not applied (pruned, truncated, or the "
                             "platform table was truncated)")


def read_changes(cur: psycopg.Cursor[Any], table: str, since: Mark, max_changes: int) -> tuple[list[Change], Mark]:
    """The changes not visible in ``since``'s snapshot, and the new mark, in the caller's REPEATABLE READ
    transaction. FullSyncNeeded when the log is gone, replaced, lost changes, or holds more than ``max_changes``."""
    schema = kv_schema(cur, table)
    if schema is None:
        raise SourceError(f"no table {table}")
    if not installed(cur, schema, table):
        raise FullSyncNeeded("no change log on the platform (install it with --install-change-log)")
    if not readable(cur, schema):
        raise FullSyncNeeded(f"this role may not read the change log {schema}.{LOG}")
    mark = mark_now(cur, table)
    if mark is None:
        raise FullSyncNeeded("the change log has no state row")
    check_position(mark.generation, mark.trimmed_below, since)
    rows = cur.execute(sql.SQL(
        "SELECT id, key, op, changed_at, origin FROM {} WHERE xid >= %s::xid8 "
        "AND NOT pg_visible_in_snapshot(xid, %s::pg_snapshot) ORDER BY id LIMIT %s").format(_names(schema)["log"]),
        [str(snapshot_xmin(since.snapshot)), since.snapshot, max_changes + 1]).fetchall()
    if len(rows) > max_changes:
        raise FullSyncNeeded(f"more than {max_changes:,} changes to apply (PROMO_FEED_MAX_CHANGES): a full sync is "
                             "cheaper")
    changes = [Change(int(r[0]), str(r[1]), str(r[2]), r[3], r[4]) for r in rows]
    last_id = max([c.id for c in changes] + ([since.last_id] if since.last_id is not None else []), default=None)
    last_at = max([c.changed_at for c in changes] + ([since.last_at] if since.last_at is not None else []),
                  default=None)
    return changes, Mark(mark.generation, mark.trimmed_below, mark.snapshot, last_id, last_at, mark.taken_at)


def key_lines(cur: psycopg.Cursor[Any], table: str, keys: list[str]) -> tuple[dict[str, str | None], dict[str, str]]:
    """Each key's NDJSON line as a full sync's file holds it (None: the key is gone) and its reject prefix. Rows of
    one key (a table without a unique key) come in the table's physical order, as in a full sync's file; the last
    wins there as in ingest."""
    lines: dict[str, str | None] = {}
    prefixes: dict[str, str] = {}
    query = (sql.SQL(f"SELECT k.key, {PREFIX_SQL}, CASE WHEN t.key IS NULL THEN NULL ELSE {LINE_SQL} END "
                     "FROM unnest(%s::text[]) AS k(key) LEFT JOIN ") + table_ident(table)
             + sql.SQL(" AS t ON t.key = k.key ORDER BY k.key, t.ctid"))
    found = cur.execute(query, [keys])
    for key, prefix, line in found:
        prefixes[key] = prefix
        if line is not None or key not in lines:
            lines[key] = line
    return lines, prefixes


def read_batch(source: PlatformSource, since: Mark, max_changes: int) -> Batch:
    """One consistent read of the platform: the changes since ``since`` and the changed keys' current values."""
    conn = connect(source)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cur:
            changes, mark = read_changes(cur, source.table, since, max_changes)
            keys = sorted({c.key for c in changes})
            lines, prefixes = key_lines(cur, source.table, keys) if keys else ({}, {})
        return Batch(changes, lines, prefixes, mark)
    except psycopg.Error as exc:
        raise SourceError(f"reading the change log of {source.table} from {source.label} failed: "
                          f"{first_line(exc)}") from None
    finally:
        conn.close()


# ---------------------------------------------------------------- install, remove, status, prune


def install_sql(schema: str, table: str) -> list[sql.Composable]:
    n = _names(schema)
    kv = table_ident(table) if "." in table else sql.Identifier(schema, table)
    log, state = n["log"], n["state"]
    record = sql.SQL("""CREATE FUNCTION {record}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp AS $f$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO {log} (key, op) SELECT key, 'insert' FROM promo_new;
          ELSIF TG_OP = 'UPDATE' THEN
            INSERT INTO {log} (key, op) SELECT key, 'update' FROM promo_new
              UNION ALL SELECT o.key, 'delete' FROM promo_old AS o
                        WHERE NOT EXISTS (SELECT 1 FROM promo_new AS n WHERE n.key = o.key);
          ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {log} (key, op) SELECT key, 'delete' FROM promo_old;
          ELSE
            UPDATE {state} SET trimmed_below = GREATEST(trimmed_below, pg_snapshot_xmax(pg_current_snapshot())),
                               trimmed_at = now(), trimmed_reason = 'the platform table was truncated';
          END IF;
          RETURN NULL;
        END $f$""").format(record=n["record"], log=log, state=state)
    trimmed = sql.SQL("""CREATE FUNCTION {trimmed}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, pg_temp AS $f$
        DECLARE top xid8;
        BEGIN
          IF TG_OP = 'TRUNCATE' THEN
            top := pg_snapshot_xmax(pg_current_snapshot());
          ELSE
            SELECT (max(xid)::text::numeric + 1)::text::xid8 INTO top FROM promo_gone;
          END IF;
          IF top IS NOT NULL THEN
            UPDATE {state} SET trimmed_below = GREATEST(trimmed_below, top), trimmed_at = now(),
                               trimmed_reason = lower(TG_OP);
          END IF;
          RETURN NULL;
        END $f$""").format(trimmed=n["trimmed"], state=state)
    i, u, d, t = (sql.Identifier(name) for name in KV_TRIGGERS)
    pruned, emptied = (sql.Identifier(name) for name in LOG_TRIGGERS)
    return [
        sql.SQL("""CREATE TABLE {log} (id bigserial PRIMARY KEY, key text NOT NULL,
                   op text NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
                   xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
                   changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
                   origin text DEFAULT NULLIF(current_setting('promo.origin', true), ''))""").format(log=log),
        sql.SQL("CREATE INDEX {} ON {} (xid)").format(sql.Identifier(LOG + "_xid"), log),
        sql.SQL("""CREATE TABLE {state} (kv_table text NOT NULL, generation text NOT NULL,
                   installed_at timestamptz NOT NULL DEFAULT now(), trimmed_below xid8 NOT NULL DEFAULT '0',
                   trimmed_at timestamptz, trimmed_reason text)""").format(state=state),
        sql.SQL("INSERT INTO {} (kv_table, generation) VALUES ({}, gen_random_uuid()::text)").format(
            state, sql.Literal(table)),
        # nobody but the installer (and roles granted by hand) reads or writes them: on Supabase, tables in public get
        # the API roles' privileges by default; the triggers' functions run as their owner
        sql.SQL("REVOKE ALL ON {}, {} FROM PUBLIC").format(log, state),
        sql.SQL("REVOKE ALL ON SEQUENCE {} FROM PUBLIC").format(sql.Identifier(schema, LOG + "_id_seq")),
        record,
        trimmed,
        sql.SQL("CREATE TRIGGER {} AFTER INSERT ON {} REFERENCING NEW TABLE AS promo_new "
                "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(i, kv, n["record"]),
        sql.SQL("CREATE TRIGGER {} AFTER UPDATE ON {} REFERENCING OLD TABLE AS promo_old NEW TABLE AS promo_new "
                "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(u, kv, n["record"]),
        sql.SQL("CREATE TRIGGER {} AFTER DELETE ON {} REFERENCING OLD TABLE AS promo_old "
                "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(d, kv, n["record"]),
        sql.SQL("CREATE TRIGGER {} AFTER TRUNCATE ON {} FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(
            t, kv, n["record"]),
        sql.SQL("CREATE TRIGGER {} AFTER DELETE ON {} REFERENCING OLD TABLE AS promo_gone "
                "FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(pruned, log, n["trimmed"]),
        sql.SQL("CREATE TRIGGER {} AFTER TRUNCATE ON {} FOR EACH STATEMENT EXECUTE FUNCTION {}()").format(
            emptied, log, n["trimmed"]),
    ]


def _admin(source: PlatformSource, what: str, work: Callable[[psycopg.Cursor[Any], str], str]) -> str:
    conn = connect(source)
    try:
        with conn.transaction(), conn.cursor() as cur:
            schema = kv_schema(cur, source.table)
            if schema is None:
                raise SourceError(f"{source.label}: no table {source.table}")
            return work(cur, schema)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SourceError(f"cannot {what} the change log on {source.table} at {source.label}: {first_line(exc)} "
                          "(it needs the table's owner, or a role with TRIGGER on it and CREATE on its schema)"
                          ) from None
    except psycopg.Error as exc:
        raise SourceError(f"cannot {what} the change log on {source.table} at {source.label}: "
                          f"{first_line(exc)}") from None
    finally:
        conn.close()


def install(source: PlatformSource) -> str:
    """Create the log, its state and the triggers, in one transaction. Returns the line to print."""
    def work(cur: psycopg.Cursor[Any], schema: str) -> str:
        if installed(cur, schema, source.table):
            return (f"the change log is already installed on {source.table} at {source.label} "
                    f"({status_line(cur, schema)})")
        again = ""
        if leftovers(cur, schema):  # its tables without their triggers (the KV table was made again): anew
            drop(cur, schema, source.table)
            again = " again (its triggers were gone)"
        for statement in install_sql(schema, source.table):
            cur.execute(statement)
        n = _names(schema)
        for role in API_ROLES:
            if cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
                cur.execute(sql.SQL("REVOKE ALL ON {}, {} FROM {}").format(n["log"], n["state"], sql.Identifier(role)))
        return (f"installed the change log{again} on {source.table} at {source.label}: {schema}.{LOG}, fed by "
                "triggers; the next sync records its position, later syncs apply only the changes")

    return _admin(source, "install", work)


def remove(source: PlatformSource) -> str:
    """Drop the triggers, the log, its state and functions, in one transaction."""
    def work(cur: psycopg.Cursor[Any], schema: str) -> str:
        if not leftovers(cur, schema):
            return f"no change log on {source.table} at {source.label}: nothing to remove"
        drop(cur, schema, source.table)
        return (f"removed the change log from {source.table} at {source.label}; the next sync of each store is a "
                "full one")

    return _admin(source, "remove", work)


def drop(cur: psycopg.Cursor[Any], schema: str, table: str) -> None:
    """The triggers on the KV table, the log, its state and the functions (whichever of them are there)."""
    n = _names(schema)
    kv = table_ident(table) if "." in table else sql.Identifier(schema, table)
    for name in KV_TRIGGERS:
        cur.execute(sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(sql.Identifier(name), kv))
    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}, {}").format(n["log"], n["state"]))
    cur.execute(sql.SQL("DROP FUNCTION IF EXISTS {}(), {}()").format(n["record"], n["trimmed"]))


def missing_reason(source: PlatformSource) -> str | None:
    """Why the platform has no change log this source's role can read (None: it has one)."""
    conn = connect(source, autocommit=True)
    try:
        with conn.cursor() as cur:
            schema = kv_schema(cur, source.table)
            if schema is None:
                return f"no table {source.table}"
            if not installed(cur, schema, source.table):
                return "no change log on the platform (install it with --install-change-log)"
            if not readable(cur, schema):
                return f"this role may not read the change log {schema}.{LOG}"
            return None
    except psycopg.Error as exc:
        raise SourceError(f"reading the change log at {source.label} failed: {first_line(exc)}") from None
    finally:
        conn.close()


def status_line(cur: psycopg.Cursor[Any], schema: str) -> str:
    n = _names(schema)
    rows, size, oldest, newest = cur.execute(sql.SQL(
        "SELECT count(*), pg_total_relation_size(%s::regclass), min(changed_at), max(changed_at) FROM {}"
    ).format(n["log"]), [f'"{schema}"."{LOG}"']).fetchone()  # type: ignore[misc]
    installed_at, trimmed_at, reason = cur.execute(sql.SQL(
        "SELECT installed_at, trimmed_at, trimmed_reason FROM {} LIMIT 1").format(n["state"])).fetchone()  # type: ignore[misc]
    span = f", {oldest:%Y-%m-%d %H:%M} … {newest:%Y-%m-%d %H:%M}" if oldest else ""
    trimmed = f", last trimmed {trimmed_at:%Y-%m-%d %H:%M} ({reason})" if trimmed_at else ""
    return (f"{rows:,} change{'' if rows == 1 else 's'}, {int(size) / 1e6:,.1f} MB{span}, "
            f"installed {installed_at:%Y-%m-%d %H:%M}{trimmed}")


def unpruned(cur: psycopg.Cursor[Any], schema: str, hours: float | None = None) -> str:
    """A warning when the log keeps changes older than the kept hours (its first change, by id): no sync prunes it,
    so it grows by a row per changed key ("" when it is pruned)."""
    hours = keep_hours() if hours is None else hours
    row = cur.execute(sql.SQL("SELECT changed_at, changed_at < now() - %s::interval FROM {} ORDER BY id LIMIT 1")
                      .format(_names(schema)["log"]), [f"{hours} hours"]).fetchone()
    if not row or not row[1]:
        return ""
    return (f"; warning: it keeps changes since {row[0]:%Y-%m-%d %H:%M}, older than {KEEP_ENV} ({hours:g} h): no sync "
            "prunes it (none synced from it since, or the sync role may not DELETE from it), and it grows by a row "
            "per changed key until pruned or removed")


def status(source: PlatformSource) -> str:
    conn = connect(source, autocommit=True)
    try:
        with conn.cursor() as cur:
            schema = kv_schema(cur, source.table)
            if schema is None:
                raise SourceError(f"{source.label}: no table {source.table}")
            if not installed(cur, schema, source.table):
                return f"no change log on {source.table} at {source.label} (install it with --install-change-log)"
            return f"change log on {source.table} at {source.label}: {status_line(cur, schema)}{unpruned(cur, schema)}"
    except psycopg.Error as exc:
        raise SourceError(f"reading the change log at {source.label} failed: {first_line(exc)}") from None
    finally:
        conn.close()


def prune(source: PlatformSource, hours: float) -> int:
    """Delete changes older than ``hours`` (they were applied by every store that synced since); 0 when this role
    may not delete. Raises ``trimmed_below`` through the log's trigger, so a store further behind rebuilds."""
    conn = connect(source, autocommit=True)
    try:
        with conn.cursor() as cur:
            schema = kv_schema(cur, source.table)
            if schema is None or not installed(cur, schema):
                return 0
            allowed = cur.execute("SELECT has_table_privilege(%s, 'DELETE')", [f'"{schema}"."{LOG}"']).fetchone()
            if not allowed or not allowed[0]:
                return 0
            log = _names(schema)["log"]
            cutoff = cur.execute("SELECT now() - %s::interval", [f"{hours} hours"]).fetchone()[0]  # type: ignore[index]
            at = sql.SQL("SELECT id, changed_at FROM {} WHERE id >= %s ORDER BY id LIMIT 1").format(log)
            first = cur.execute(at, [0]).fetchone()
            if first is None or first[1] >= cutoff:
                return 0
            # ids grow with time (not strictly: transactions overlap): the first id at the cutoff, by bisection on
            # the primary key, instead of a scan of the whole log for changed_at
            top = cur.execute(sql.SQL("SELECT max(id) FROM {}").format(log)).fetchone()
            lo, hi = int(first[0]), int(top[0]) + 1 if top else int(first[0]) + 1
            while lo + 1 < hi:
                mid = (lo + hi) // 2
                row = cur.execute(at, [mid]).fetchone()
                if row is not None and row[1] < cutoff:
                    lo = int(row[0])
                else:
                    hi = mid
            cur.execute(sql.SQL("DELETE FROM {} WHERE id <= %s").format(log), [lo])
            return max(cur.rowcount, 0)
    except psycopg.Error:
        return 0
    finally:
        conn.close()


def backlog(source: PlatformSource, last_id: int | None, cap: int = 100_000) -> tuple[int, dt.datetime | None]:
    """(changes after ``last_id``, capped; the oldest one's time): what a store has not applied yet, for people."""
    conn = connect(source, autocommit=True)
    try:
        with conn.cursor() as cur:
            schema = kv_schema(cur, source.table)
            if schema is None or not installed(cur, schema, source.table) or not readable(cur, schema):
                raise SourceError(f"no readable change log on {source.table}")
            row = cur.execute(sql.SQL(
                "SELECT count(*), min(changed_at) FROM (SELECT changed_at FROM {} WHERE id > %s ORDER BY id LIMIT %s) x"
            ).format(_names(schema)["log"]), [last_id or 0, cap]).fetchone()
            return (int(row[0]), row[1]) if row else (0, None)
    except psycopg.Error as exc:
        raise SourceError(f"reading the change log at {source.label} failed: {first_line(exc)}") from None
    finally:
        conn.close()
