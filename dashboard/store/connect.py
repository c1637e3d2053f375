"""Where the data lives: one string names a store, a DuckDB file path or a ``postgresql+psycopg://`` URL.

Precedence, highest first: the CLI flag ``--db``, the environment variable ``PROMO_DB``, ``.streamlit/secrets.toml``
``[connections.promo] url``, and the default ``data/promo.duckdb``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from dashboard.i18n.formatting import TIMEZONE  # every session runs in it: CAST(ts AS DATE) is the Moscow day

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
        return sa.create_engine(store.url, pool_pre_ping=True,
                                connect_args={"options": f"-c TimeZone={TIMEZONE}", "connect_timeout": 10})
    if must_exist and not store.path.exists():
        raise StoreError(f"{store.path}: no such store; run `python -m dashboard demo` or `ingest` first")
    store.path.parent.mkdir(parents=True, exist_ok=True)
    eng = sa.create_engine(store.url, poolclass=NullPool)
    sa.event.listen(eng, "connect", _duckdb_session)
    return eng


def _duckdb_session(dbapi_conn: object, _record: object) -> None:
    dbapi_conn.execute(f"SET TimeZone = '{TIMEZONE}'")  # type: ignore[attr-defined]


def describe_connect_error(store: Store, exc: BaseException) -> str:
    text = str(getattr(exc, "orig", exc) or exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if "lock" in first.lower() and not store.is_postgres:
        return f"{store.label()} is in use by another process (it holds the file lock): {first}"
    return f"cannot open store {store.label()}: {first}"
