"""Where the data lives: one string names a store, a DuckDB file path or a ``postgresql+psycopg://`` URL.

Precedence, highest first: the CLI flag ``--db``, the environment variable ``PROMO_DB``, ``.streamlit/secrets.toml``
``[connections.promo] url``, and the default ``data/promo.duckdb``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from dashboard.i18n.zone import TIMEZONE  # every session runs in it: CAST(ts AS DATE) is the Moscow day

# the --db help every command shows
DB_HELP = "DuckDB file or postgresql+psycopg:// URL (default: PROMO_DB, secrets.toml, data/promo.duckdb)"

DEFAULT_STORE = "data/promo.duckdb"
SECRETS_FILE = Path(".streamlit/secrets.toml")


class StoreError(Exception):
    """The store cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Store:
    name: str

    @property
    def is_postgres(self) -> bool:
        return self.name.startswith(("postgresql://", "postgresql+psycopg://", "postgres://"))

    @property
    def dialect(self) -> str:
        return "postgresql" if self.is_postgres else "duckdb"

    @property
    def path(self) -> Path:
        if self.is_postgres:
            raise StoreError("a PostgreSQL store has no file path")
        return Path(self.name.removeprefix("duckdb:///"))

    @property
    def url(self) -> str:
        if self.is_postgres:
            rest = self.name.split("://", 1)[1]
            return f"postgresql+psycopg://{rest}"
        return f"duckdb:///{self.path}"

    def label(self) -> str:
        """The store's name with any password hidden, for messages."""
        if not self.is_postgres:
            return str(self.path)
        return sa.engine.make_url(self.url).render_as_string(hide_password=True)


def secrets_url(secrets_file: Path = SECRETS_FILE) -> str | None:
    if not secrets_file.is_file():
        return None
    try:
        doc = tomllib.loads(secrets_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"{secrets_file}: not valid TOML ({exc})") from None
    url = doc.get("connections", {}).get("promo", {}).get("url")
    return str(url) if url else None


def resolve_store(flag: str | None = None, secrets_file: Path = SECRETS_FILE) -> Store:
    """The store named by the flag, else PROMO_DB, else secrets.toml, else the default."""
    for candidate in (flag, os.environ.get("PROMO_DB"), secrets_url(secrets_file), DEFAULT_STORE):
        if candidate:
            return Store(candidate)
    return Store(DEFAULT_STORE)


def engine(store: Store, must_exist: bool = True) -> sa.Engine:
    """A SQLAlchemy engine for the store. DuckDB engines open the file per connection (NullPool), so no process
    keeps the file's lock between queries (an ingest in another process can replace it). All DuckDB connections in
    a process use the same configuration: DuckDB refuses to open one file read-only and read-write at once."""
    if store.is_postgres:
        # jit=off: the pages' queries take milliseconds to a second, and PostgreSQL's JIT compiled a misestimated
        # plan for 455 ms of an 800 ms cold run (Revenue → Artists, deployed 1M store; issue 21)
        return sa.create_engine(store.url, pool_pre_ping=True,
                                connect_args={"options": f"-c TimeZone={TIMEZONE} -c jit=off", "connect_timeout": 10})
    if must_exist and not store.path.exists():
        raise StoreError(f"{store.path}: no such store; run `python -m dashboard demo` or `ingest` first")
    store.path.parent.mkdir(parents=True, exist_ok=True)
    eng = sa.create_engine(store.url, poolclass=NullPool)
    sa.event.listen(eng, "do_connect", _duckdb_connect_patiently)
    sa.event.listen(eng, "connect", _duckdb_session)
    return eng


# seconds a DuckDB connection retries a file held by another process (an ingest's copy step); README "Settings"
FILE_LOCK_WAIT = float(os.environ.get("PROMO_FILE_LOCK_WAIT", "5"))


def _duckdb_connect_patiently(dialect: Any, _record: object, cargs: Any, cparams: Any) -> Any:
    """Open the DuckDB file, retrying for a few seconds while another process holds its lock: an ingest reads the
    old store for a moment before replacing it, and a reader or the moderate command should wait, not fail."""
    deadline = time.monotonic() + float(os.environ.get("PROMO_FILE_LOCK_WAIT", FILE_LOCK_WAIT))
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(POLL_SECONDS)


def _duckdb_session(dbapi_conn: object, _record: object) -> None:
    dbapi_conn.execute(f"SET TimeZone = '{TIMEZONE}'")  # type: ignore[attr-defined]


def describe_connect_error(store: Store, exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if "lock" in first.lower() and not store.is_postgres:
        return f"{store.label()} is in use by another process (it holds the file lock): {first}"
    if "WAL does not match" in first and not store.is_postgres:  # issue 27 item 4: a log left by a killed ingest
        return (f"cannot open store {store.label()}: its log {store.path.name}.wal was left by an interrupted ingest "
                f"and does not match it; run `python -m dashboard ingest` again (it sets the log aside) or move "
                f"{store.path}.wal away")
    return f"cannot open store {store.label()}: {first}"


# ---------------------------------------------------------------- decisions and ingests exclude each other
#
# An ingest replaces the store's content; a decision written meanwhile would be lost with the old content. So an
# ingest holds the store exclusively from its start until the new content is in place, and every decision holds it
# shared for its whole transaction. DuckDB: flock on ``STORE.lock`` next to the file (released by the OS when a
# process dies). PostgreSQL: an advisory lock on the database (session-level for the ingest, transaction-level for
# a decision). A decision waits up to PROMO_WRITE_WAIT seconds and is then refused with INGEST_BUSY; an ingest waits
# up to PROMO_INGEST_WAIT seconds for decisions in flight, and says so.

INGEST_BUSY = "ingest in progress, try again"
ADVISORY_KEY = 0x70726F6D6F  # "promo": one store per PostgreSQL database
POLL_SECONDS = 0.05
Say = Callable[[str], None]


class StoreBusy(StoreError):
    """A decision refused because an ingest holds the store for longer than the write wait."""


def write_wait() -> float:
    return float(os.environ.get("PROMO_WRITE_WAIT", "10"))


def ingest_wait() -> float:
    return float(os.environ.get("PROMO_INGEST_WAIT", "120"))


def lock_file(store: Store) -> Path:
    return store.path.with_name(store.path.name + ".lock")


def _poll(attempt: Callable[[], bool], wait: float) -> bool:
    deadline = time.monotonic() + wait
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL_SECONDS)
    return True


def _flock(path: Path, mode: int, wait: float) -> IO[bytes] | None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "ab")  # noqa: SIM115 - held open for as long as the lock is held

    def attempt() -> bool:
        try:
            fcntl.flock(fh.fileno(), mode | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    if _poll(attempt, wait):
        return fh
    fh.close()
    return None


@contextlib.contextmanager
def store_write_lock(store: Store, wait: float | None = None) -> Iterator[Callable[[sa.Connection], None]]:
    """Held around one decision's transaction. Yields ``hold(conn)``, to call first inside the transaction
    (PostgreSQL takes its shared advisory lock there; on DuckDB the file lock is already held and the connection
    must be opened after it, so that a decision that waited for an ingest writes into the new file).
    Raises StoreBusy ("ingest in progress, try again") when an ingest holds the store for longer than ``wait``."""
    limit = write_wait() if wait is None else wait
    if store.is_postgres:

        def hold(conn: sa.Connection) -> None:
            def attempt() -> bool:
                return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock_shared(:k)"),
                                         {"k": ADVISORY_KEY}).scalar())

            if not _poll(attempt, limit):
                raise StoreBusy(f"{store.label()}: {INGEST_BUSY}")

        yield hold
        return
    fh = _flock(lock_file(store), fcntl.LOCK_SH, limit)
    if fh is None:
        raise StoreBusy(f"{store.label()}: {INGEST_BUSY}")
    try:
        yield lambda _conn: None
    finally:
        fh.close()


@contextlib.contextmanager
def duckdb_ingest_lock(store: Store, say: Say, wait: float | None = None) -> Iterator[None]:
    """The ingest's exclusive hold on a DuckDB store (see above)."""
    limit = ingest_wait() if wait is None else wait
    fh = _flock(lock_file(store), fcntl.LOCK_EX, 0)
    if fh is None:
        say(f"  waiting for moderation decisions or another ingest on {store.label()} to finish (up to {limit:.0f} s)…")
        fh = _flock(lock_file(store), fcntl.LOCK_EX, limit)
    if fh is None:
        raise StoreError(f"{store.label()} is busy: decisions or another ingest held it for over {limit:.0f} s; "
                         "nothing was changed, try again")
    try:
        yield
    finally:
        fh.close()


def pg_ingest_lock(pg: Any, store: Store, say: Say, wait: float | None = None) -> None:
    """The ingest's exclusive hold on a PostgreSQL store: a session advisory lock on the psycopg connection ``pg``
    (autocommit), released when it closes (or the process dies)."""
    limit = ingest_wait() if wait is None else wait

    def attempt() -> bool:
        return bool(pg.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_KEY]).fetchone()[0])

    if attempt():
        return
    say(f"  waiting for moderation decisions or another ingest on {store.label()} to finish (up to {limit:.0f} s)…")
    if not _poll(attempt, limit):
        raise StoreError(f"{store.label()} is busy: decisions or another ingest held it for over {limit:.0f} s; "
                         "nothing was changed, try again")


def ingest_in_progress(store: Store) -> bool:
    """True while an ingest holds the store (a probe: takes and drops a shared hold at once)."""
    if store.is_postgres:
        with engine(store).connect() as conn:
            free = bool(conn.execute(sa.text("SELECT pg_try_advisory_lock_shared(:k)"), {"k": ADVISORY_KEY}).scalar())
            if free:
                conn.execute(sa.text("SELECT pg_advisory_unlock_shared(:k)"), {"k": ADVISORY_KEY})
            return not free
    fh = _flock(lock_file(store), fcntl.LOCK_SH, 0)
    if fh is None:
        return True
    fh.close()
    return False
