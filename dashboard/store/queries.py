"""Run a named query from ``queries/*.sql`` on either engine, with bound parameters, into a DataFrame.

A query may include a shared CTE from ``queries/shared/`` with a line ``-- include: NAME`` (see _with_includes).
Each file starts with a header comment::

    -- Returns: one row per track status with the number of tracks.
    -- Params: :since (date) first day, inclusive; :artist_id (text) the artist
    SELECT …

The runner binds exactly the parameters the header lists (and the SQL uses) and refuses to run with any missing.
Sessions run in the platform's timezone (Europe/Moscow) on both engines, so ``CAST(ts AS DATE)`` means the Moscow day.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from dashboard.store.connect import Store, StoreError, describe_connect_error, engine

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")


class QueryError(Exception):
    """A query that cannot run as asked (unknown name, missing parameter)."""


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    returns: str
    params: tuple[str, ...]


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


@functools.cache
def load_query(name: str) -> Query:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"bad query name {name!r}")
    path = QUERY_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query {name!r} in {QUERY_DIR}")
    sql = _with_includes(path.read_text(encoding="utf-8"))
    header = [line[2:].strip() for line in sql.splitlines() if line.startswith("--")]
    returns = " ".join(h.split(":", 1)[1].strip() for h in header if h.lower().startswith("returns:"))
    params = tuple(dict.fromkeys(_PARAM.findall(_strip_comments(sql))))
    return Query(name=name, sql=sql, returns=returns, params=params)


_INCLUDE = re.compile(r"^-- include: ([a-z0-9_]+)\s*$", re.MULTILINE)


def _fragment(name: str) -> str:
    path = QUERY_DIR / "shared" / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no shared SQL fragment {name!r} in {path.parent}")
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("--"))


def _with_includes(sql: str) -> str:
    """Replace each line ``-- include: NAME`` with ``queries/shared/NAME.sql`` (a CTE shared by several queries,
    e.g. the revenue lines with the donation counted once). Fragments are trusted files, never user input."""
    return _INCLUDE.sub(lambda m: _fragment(m.group(1)), sql)


def all_queries() -> list[str]:
    return sorted(p.stem for p in QUERY_DIR.glob("*.sql"))


@functools.cache
def read_engine(store: Store) -> sa.Engine:
    """One engine per store for the process (DuckDB: a connection per query)."""
    return engine(store)


_shared: contextvars.ContextVar[dict[str, sa.Connection] | None] = contextvars.ContextVar(
    "promo_shared_connections", default=None
)


@contextmanager
def shared_connection() -> Iterator[None]:
    """Within this block (one page run), queries on a store share one connection, opened on first use and closed at
    the end. Opening a DuckDB file costs ~20 ms; holding it open between runs would keep its lock from other
    processes (an ingest, the moderate command), so it is held for one run only."""
    token = _shared.set({})
    try:
        yield
    finally:
        opened = _shared.get() or {}
        _shared.reset(token)
        for conn in opened.values():
            conn.close()


def _execute(conn: sa.Connection, query: Query, bound: dict[str, Any]) -> pd.DataFrame:
    try:
        result = conn.execute(sa.text(query.sql), bound)
        frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    finally:
        conn.rollback()  # end the read transaction: the next query sees the latest committed writes
    return frame


def run_query(store: Store, name: str, **params: Any) -> pd.DataFrame:
    query = load_query(name)
    missing = [p for p in query.params if p not in params]
    if missing:
        raise QueryError(f"query {name} needs parameters: {', '.join(missing)}")
    bound = {p: params[p] for p in query.params}
    try:
        shared = _shared.get()
        if shared is None:
            with read_engine(store).connect() as conn:
                return _execute(conn, query, bound)
        if store.name not in shared:
            shared[store.name] = read_engine(store).connect()
        return _execute(shared[store.name], query, bound)
    except sa.exc.OperationalError as exc:
        raise StoreError(describe_connect_error(store, exc)) from None
    except sa.exc.DBAPIError as exc:
        if "lock" in str(exc).lower() or "could not set lock" in str(exc).lower():
            raise StoreError(describe_connect_error(store, exc)) from None
        raise
