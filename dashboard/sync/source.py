"""The platform's PostgreSQL KV table as a source: where it is, with which credentials, and one consistent read.

A source is named without a password on the command line: ``secrets:NAME`` (``.streamlit/secrets.toml``
``[connections.NAME] url``), ``env:VAR`` (an environment variable holding the URL), a URL without a password
(libpq then takes it from ``PGPASSWORD`` or ``~/.pgpass``), or nothing: ``PROMO_PLATFORM_URL``, else
``[connections.platform]``. The URL is never printed with its password: messages and ``ingest_runs`` carry
``label`` (the URL without it) and ``credentials`` (where the URL came from, so the write-back finds it again).

``read_snapshot`` reads the whole table in one READ ONLY REPEATABLE READ transaction with
``COPY (SELECT …) TO STDOUT``, streamed in chunks into an NDJSON file (``{"key": …, "value": …}`` per line, the
value exactly as jsonb prints it, double-encoded strings included), so memory stays flat whatever the table's
size; that file then goes through ``ingest`` like any snapshot file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg import sql

from dashboard.store.connect import SECRETS_FILE, StoreError

DEFAULT_TABLE = "kv_store_84730125"
DEFAULT_ENV = "PROMO_PLATFORM_URL"
DEFAULT_SECRET = "platform"
CONNECT_TIMEOUT = 10
_TABLE = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# \x01 and \x02 never occur in jsonb's text output (control characters are escaped), so with them as CSV quote and
# delimiter every COPY row is the JSON text as it is: one NDJSON line
# (the line is put together as text: cheaper for the server than jsonb_build_object, which re-serialises the value;
# a SQL NULL value gives a record without a value, which ingest rejects as "missing value")
COPY_SQL = ("""COPY (SELECT CASE WHEN value IS NULL THEN '{{"key":' || to_json(key)::text || '}}' """
            """ELSE '{{"key":' || to_json(key)::text || ',"value":' || value::text || '}}' END FROM {table}{where}) """
            "TO STDOUT (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')")
SAMPLE_KEYS = 20_000


class SourceError(StoreError):
    """The platform source cannot be used; the message is one line, without the password."""


@dataclass(frozen=True)
class PlatformSource:
    """A platform database: the URL to connect with (may hold a password: never print it), the URL without the
    password (``label``), where the URL came from (``credentials``: ``secrets:NAME``, ``env:VAR`` or ``url``) and
    the KV table."""

    url: str
    label: str
    credentials: str
    table: str = DEFAULT_TABLE

    def conninfo(self) -> str:
        return sa.engine.make_url(_sa_url(self.url)).set(drivername="postgresql").render_as_string(
            hide_password=False)


def _sa_url(url: str) -> str:
    rest = url.split("://", 1)[1] if "://" in url else url
    return f"postgresql+psycopg://{rest}"


def _is_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))


def url_label(url: str) -> str:
    """The URL without its password (``postgresql://user@host:port/db``)."""
    try:
        parsed = sa.engine.make_url(_sa_url(url))
    except sa.exc.ArgumentError:
        return "postgresql://(unparseable URL)"
    bare = sa.engine.URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                                database=parsed.database, query=parsed.query)
    return bare.render_as_string(hide_password=True)


def _secret(name: str, secrets_file: Path) -> str | None:
    if not secrets_file.is_file():
        return None
    try:
        doc = tomllib.loads(secrets_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{secrets_file}: not valid TOML ({type(exc).__name__})") from None
    url = doc.get("connections", {}).get(name, {}).get("url")
    return str(url) if url else None


def check_table(table: str) -> str:
    if not _TABLE.fullmatch(table):
        raise SourceError(f"--table {table!r}: not a table name (letters, digits, _; optionally schema.table)")
    return table


def resolve_source(spec: str | None, table: str = DEFAULT_TABLE, secrets_file: Path = SECRETS_FILE
                   ) -> PlatformSource:
    """The platform source named by ``spec`` (see the module docstring). A URL with a password on the command line
    is refused: it would be visible to every user of the machine."""
    table = check_table(table)
    found: tuple[str | None, str]
    if spec is None or spec == "":
        env = os.environ.get(DEFAULT_ENV)
        found = (env, f"env:{DEFAULT_ENV}") if env else (_secret(DEFAULT_SECRET, secrets_file),
                                                         f"secrets:{DEFAULT_SECRET}")
        if found[0] is None:
            raise SourceError(f"no platform source: pass --source, or set {DEFAULT_ENV} or [connections."
                              f"{DEFAULT_SECRET}] url in {secrets_file}")
    elif spec.startswith("env:"):
        name = spec[4:]
        if not _NAME.fullmatch(name):
            raise SourceError(f"--source {spec!r}: not an environment variable name")
        found = (os.environ.get(name), spec)
        if not found[0]:
            raise SourceError(f"--source {spec}: the environment variable {name} is not set")
    elif spec.startswith("secrets:"):
        name = spec[8:]
        if not _NAME.fullmatch(name):
            raise SourceError(f"--source {spec!r}: not a secrets entry name")
        found = (_secret(name, secrets_file), spec)
        if not found[0]:
            raise SourceError(f"--source {spec}: no [connections.{name}] url in {secrets_file}")
    elif _is_url(spec):
        try:
            parsed = sa.engine.make_url(_sa_url(spec))
        except sa.exc.ArgumentError:
            raise SourceError("--source: not a valid postgresql:// URL") from None
        if parsed.password:
            raise SourceError("--source: a password on the command line is visible to every user of this machine; "
                              f"put the URL in {secrets_file} [connections.NAME] and pass --source secrets:NAME, "
                              "or in an environment variable and pass --source env:VAR")
        found = (spec, "url")
    else:
        raise SourceError(f"--source {spec!r}: expected a postgresql:// URL, secrets:NAME or env:VAR")
    url = str(found[0])
    if not _is_url(url):
        raise SourceError(f"{found[1]}: not a postgresql:// URL")
    return PlatformSource(url=url, label=url_label(url), credentials=found[1], table=table)


def source_from_run(origin: dict[str, object], secrets_file: Path = SECRETS_FILE) -> PlatformSource:
    """The source a synced store came from, found again from its ``ingest_runs`` entry: the same credentials entry
    (``secrets:NAME``/``env:VAR``), else the recorded URL (whose password libpq finds in PGPASSWORD or .pgpass)."""
    table = str(origin.get("table") or DEFAULT_TABLE)
    credentials = str(origin.get("credentials") or "url")
    if credentials == "url":
        return resolve_source(str(origin.get("source")), table, secrets_file)
    return resolve_source(credentials, table, secrets_file)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def connect(source: PlatformSource, autocommit: bool = False) -> psycopg.Connection:
    try:
        return psycopg.connect(source.conninfo(), connect_timeout=CONNECT_TIMEOUT, autocommit=autocommit,
                               options="-c TimeZone=Europe/Moscow")
    except psycopg.Error as exc:
        raise SourceError(f"cannot reach the platform database {source.label}: {first_line(exc)}") from None


def table_ident(table: str) -> sql.Composable:
    """The table (``name`` or ``schema.name``) as an identifier quoted as given: ``KvStore`` is ``"KvStore"``."""
    return sql.Identifier(*table.split("."))


def regclass_name(table: str) -> str:
    """The table's name as text for ``to_regclass``/``has_table_privilege``/``::regclass``, quoted as given (those
    functions fold an unquoted name to lower case: ``KvStore`` would name ``kvstore``). ``check_table`` has made sure
    no part holds a double quote."""
    return ".".join(f'"{part}"' for part in table.split("."))


@dataclass(frozen=True)
class Snapshot:
    """What one consistent read of the source gave: the NDJSON part files (disjoint keys), in order."""

    paths: tuple[Path, ...]
    keys: int
    size: int
    taken_at: dt.datetime
    writable: bool
    sample: tuple[str, ...]
    mark: Any = None  # the change log's position in this snapshot (changelog.Mark), None without a change log


STREAMS = max(1, int(os.environ.get("PROMO_SYNC_STREAMS", "2") or 2))


def page_ranges(pages: int, parts: int) -> list[tuple[int | None, int | None]]:
    """Split the table's heap pages into ``parts`` ctid ranges; the last one is open-ended (relpages may be stale)."""
    if parts <= 1 or pages < parts * 8:
        return [(None, None)]
    step = pages // parts
    bounds = [i * step for i in range(1, parts)]
    return [(None, bounds[0]), *itertools.pairwise(bounds), (bounds[-1], None)]


def part_query(table: str, lo: int | None, hi: int | None) -> sql.Composed:
    where: list[sql.Composable] = []
    if lo is not None:
        where.append(sql.SQL("ctid >= {}::tid").format(sql.Literal(f"({lo},0)")))
    if hi is not None:
        where.append(sql.SQL("ctid < {}::tid").format(sql.Literal(f"({hi},0)")))
    cond = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL("")
    return sql.SQL(COPY_SQL).format(table=table_ident(table), where=cond)


def copy_part(cur: psycopg.Cursor, query: sql.Composed, out: Path) -> tuple[int, int]:
    size = 0
    with out.open("wb", buffering=1 << 20) as fh, cur.copy(query) as copy:
        for chunk in copy:
            fh.write(chunk)
            size += len(chunk)
    return int(cur.rowcount), size


def read_snapshot(source: PlatformSource, workdir: Path, streams: int = STREAMS,
                  mark_of: Callable[[psycopg.Cursor[Any], str], Any] | None = None) -> Snapshot:
    """The whole table, in one READ ONLY REPEATABLE READ snapshot, streamed into NDJSON part files in ``workdir``.
    With ``streams`` > 1 the table's pages are split between that many connections that share the snapshot
    (``pg_export_snapshot``), so the server prints the values on several cores. ``mark_of(cursor, table)``: read in
    the same snapshot, kept as ``Snapshot.mark`` (the change log's position, ``changelog.mark_now``)."""
    conn = connect(source)
    helpers: list[psycopg.Connection] = []
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction(), conn.cursor() as cur:
            found = cur.execute("SELECT to_regclass(%s) IS NOT NULL", [regclass_name(source.table)]).fetchone()
            if not found or not found[0]:
                raise SourceError(f"{source.label}: no table {source.table}")
            writable = can_write(cur, source.table)
            mark = mark_of(cur, source.table) if mark_of else None  # the same snapshot as the rows read below
            taken_at, pages, snapshot_id = cur.execute(
                "SELECT now(), (SELECT relpages FROM pg_class WHERE oid = to_regclass(%s)), pg_export_snapshot()",
                [regclass_name(source.table)]).fetchone()  # type: ignore[misc]
            sample = tuple(r[0] for r in cur.execute(
                sql.SQL("SELECT key FROM {} LIMIT %s").format(table_ident(source.table)), [SAMPLE_KEYS]))
            ranges = page_ranges(int(pages or 0), streams)
            paths = tuple(workdir / f"platform-{n}.ndjson" for n in range(len(ranges)))
            results: list[tuple[int, int] | BaseException] = [(0, 0)] * len(ranges)

            def helper(n: int) -> None:
                try:
                    hc = helpers[n - 1]
                    hc.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    hc.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot_id)))
                    with hc.cursor() as hcur:
                        results[n] = copy_part(hcur, part_query(source.table, *ranges[n]), paths[n])
                    hc.execute("COMMIT")
                except BaseException as exc:  # reported by the main thread
                    results[n] = exc

            helpers.extend(connect(source, autocommit=True) for _ in ranges[1:])
            threads = [threading.Thread(target=helper, args=(n,), daemon=True) for n in range(1, len(ranges))]
            for t in threads:
                t.start()
            results[0] = copy_part(cur, part_query(source.table, *ranges[0]), paths[0])
            for t in threads:
                t.join()
        for r in results:
            if isinstance(r, psycopg.Error):
                raise r
            if isinstance(r, BaseException):
                raise SourceError(f"reading {source.table} from {source.label} failed: {first_line(r)}")
    except psycopg.Error as exc:
        raise SourceError(f"reading {source.table} from {source.label} failed: {first_line(exc)}") from None
    finally:
        for hc in helpers:
            hc.close()
        conn.close()
    done = [r for r in results if isinstance(r, tuple)]
    return Snapshot(paths, sum(k for k, _ in done), sum(b for _, b in done), taken_at, writable, sample, mark)


def can_write(cur: psycopg.Cursor, table: str) -> bool:
    """May this role update and insert keys (a read-only role, a standby or a read-only default say no)?"""
    row = cur.execute(
        "SELECT has_table_privilege(current_user, %s, 'UPDATE') AND has_table_privilege(current_user, %s, 'INSERT') "
        "AND NOT pg_is_in_recovery() AND current_setting('default_transaction_read_only') = 'off'",
        [regclass_name(table), regclass_name(table)],
    ).fetchone()
    return bool(row and row[0])
