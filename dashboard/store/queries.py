"""Run a named query from ``queries/AREA/NAME.sql`` on either engine, with bound parameters, into a DataFrame.

Queries live in one folder per area (``artist/``, ``revenue/``, ``moderation/``, ``platform/``, …; a new area is just
a new folder) and are addressed by their file name alone: ``run_query(store, "pending_items")``. Two files with the
same name in different areas are refused. ``queries/shared/`` holds includes, never queries.
A query may include a shared CTE from ``queries/shared/`` with a line ``-- include: NAME`` (see with_includes).
Each file starts with a header comment::

    -- Returns: one row per track status with the number of tracks.
    -- Params: :since (date) first day, inclusive; :artist_id (text) the artist
    SELECT …

The runner binds exactly the parameters the SQL uses (a test keeps the header listing the same ones) and refuses to
run with any missing. A parameter the header calls a list (``:keys (list of text) …``) is an *expanding* parameter:
the SQL says ``WHERE key IN :keys`` and the runner binds it with ``bindparam(expanding=True)``, so each element is
its own bound value (``IN ($1, $2, …)``; an empty list matches nothing). Its value must be a list or a tuple, never a
string. On DuckDB an ``IN`` list of bound values is answered by the ART index, unlike ``= ANY(:keys)``.
Sessions run in the platform's timezone (Europe/Moscow) on both engines, so ``CAST(ts AS DATE)`` means the Moscow day.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import sqlalchemy as sa

from dashboard.store.connect import Store, StoreError, describe_connect_error, engine

QUERY_DIR = Path(__file__).resolve().parents[2] / "queries"
SHARED_DIR = QUERY_DIR / "shared"
_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
# ``:keys (list of text)``: an expanding parameter (``IN :keys``, one bound value per element: DuckDB answers an IN
# list from an index); ``:ids (array of text)``: one bound array (``IN (SELECT unnest(CAST(:ids AS TEXT[])))``),
# for long lists whose lookup is a join anyway (1,300 ids cost 40 ms as an IN list, 7 ms as an array, on DuckDB)
_LIST_PARAM = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)\s*\((list|array) of (text|integer)\)")
_LIST_TYPES: dict[str, type[sa.types.TypeEngine[Any]]] = {"text": sa.String, "integer": sa.Integer}


class QueryError(Exception):
    """A query that cannot run as asked (unknown name, missing parameter)."""


@dataclass(frozen=True)
class Query:
    name: str
    path: Path
    sql: str
    returns: str
    params: tuple[str, ...]
    lists: tuple[str, ...] = ()  # the expanding parameters (the header calls them lists)
    list_types: tuple[str, ...] = ()  # their element types, "text" or "integer"
    arrays: tuple[str, ...] = ()  # the parameters bound as one array (the header calls them arrays)


def _strip_comments(sql: str) -> str:
    return "\n".join(line.split("--", 1)[0] for line in sql.splitlines())


def index_queries(root: Path = QUERY_DIR) -> dict[str, Path]:
    """Every query file under ``root`` by name (its stem), searched in all area folders except ``shared/``.
    Raises QueryError when two files share a name: a name must say which query it is."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.sql")):
        if path.is_relative_to(root / "shared"):
            continue
        if path.stem in found:
            raise QueryError(f"two queries named {path.stem!r}: {found[path.stem].relative_to(root)} and "
                             f"{path.relative_to(root)}; rename one")
        found[path.stem] = path
    return found


@functools.cache
def _query_index() -> dict[str, Path]:
    return index_queries()


def query_path(name: str) -> Path:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise QueryError(f"bad query name {name!r}")
    path = _query_index().get(name)
    if path is None:
        raise QueryError(f"no query {name!r} in {QUERY_DIR}")
    return path


def header_params(sql: str) -> tuple[str, ...]:
    """The parameters a query's ``-- Params:`` header names (the header may go on over the comment lines after it)."""
    lines = sql.splitlines()
    names: list[str] = []
    in_params = False
    for line in lines:
        if not line.startswith("--"):
            break
        text = line[2:].strip()
        if text.lower().startswith("params:"):
            in_params = True
        elif text.lower().startswith("returns:"):
            in_params = False
        if in_params:
            names += _PARAM.findall(text)
    return tuple(dict.fromkeys(names))


def _header_collections(sql: str, form: str) -> dict[str, str]:
    lines: list[str] = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:])
    params = header_params(sql)
    return {n: kind for n, f, kind in _LIST_PARAM.findall("\n".join(lines)) if n in params and f == form}


def header_list_params(sql: str) -> dict[str, str]:
    """The parameters the ``-- Params:`` header calls lists, with their element type (``:keys (list of text) …``,
    ``:ids (list of integer) …``): the runner binds them as expanding parameters."""
    return _header_collections(sql, "list")


def header_array_params(sql: str) -> dict[str, str]:
    """The parameters the ``-- Params:`` header calls arrays (``:ids (array of text) …``), with their element type:
    the runner binds each as one array value, which the SQL casts (``CAST(:ids AS TEXT[])``)."""
    return _header_collections(sql, "array")


@functools.cache
def load_query(name: str) -> Query:
    path = query_path(name)
    sql = with_includes(path.read_text(encoding="utf-8"))
    header = [line[2:].strip() for line in sql.splitlines() if line.startswith("--")]
    returns = " ".join(h.split(":", 1)[1].strip() for h in header if h.lower().startswith("returns:"))
    params = tuple(dict.fromkeys(_PARAM.findall(_strip_comments(sql))))
    lists = {p: kind for p, kind in header_list_params(sql).items() if p in params}
    arrays = tuple(p for p in header_array_params(sql) if p in params)
    return Query(name=name, path=path, sql=sql, returns=returns, params=params, lists=tuple(lists),
                 list_types=tuple(lists.values()), arrays=arrays)


@functools.cache
def _statement(name: str) -> sa.TextClause:
    """The query as a statement, its list parameters bound as expanding (typed, so an empty list compares too).
    A query with list parameters is sent without its header comment, which names them: SQLAlchemy would expand
    the names there as well."""
    query = load_query(name)
    if not query.lists:
        return sa.text(query.sql)
    lines = query.sql.splitlines()
    while lines and lines[0].startswith("--"):
        lines.pop(0)
    return sa.text("\n".join(lines)).bindparams(
        *(sa.bindparam(p, expanding=True, type_=_LIST_TYPES[kind]) for p, kind in zip(query.lists, query.list_types,
                                                                                    strict=True)))


# DuckDB: 'Table with name x does not exist'; PostgreSQL: 'relation "x" does not exist'
_MISSING_TABLE = re.compile(r'(?:Table with name |relation ")(\w+)"? does not exist')
_INCLUDE = re.compile(r"^-- include: ([a-z0-9_]+)\s*$", re.MULTILINE)


def _fragment(name: str) -> str:
    path = SHARED_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no shared SQL fragment {name!r} in {path.parent}")
    return "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("--"))


def with_includes(sql: str) -> str:
    """Replace each line ``-- include: NAME`` with ``queries/shared/NAME.sql`` (a CTE shared by several queries,
    e.g. the revenue lines with the donation counted once). Fragments are trusted files, never user input."""
    return _INCLUDE.sub(lambda m: _fragment(m.group(1)), sql)


def all_queries() -> list[str]:
    return sorted(_query_index())


@functools.cache
def read_engine(store: Store) -> sa.Engine:
    """One engine per store for the process (DuckDB: a connection per query)."""
    return engine(store)


_shared: contextvars.ContextVar[dict[str, sa.Connection] | None] = contextvars.ContextVar(
    "promo_shared_connections", default=None
)


@contextmanager
def shared_connection() -> Iterator[None]:
    """Within this block (one page run), queries on a DuckDB store share one connection, opened on first use and
    closed at the end. Opening a DuckDB file costs ~20 ms; holding it open between runs would keep its lock from
    other processes (an ingest, the moderate command), so it is held for one run only. Within an open block, another
    block shares the outer one's connections. A PostgreSQL store's queries each take a connection from the engine's
    pool and give it back (a checkout costs microseconds): a connection held for a whole run was held while the run
    waited for the CPU, and at 50 sessions a replica ran out of its pool (``bench soak``: SQLAlchemy's TimeoutError
    after 30 s)."""
    if _shared.get() is not None:
        yield
        return
    token = _shared.set({})
    try:
        yield
    finally:
        opened = _shared.get() or {}
        _shared.reset(token)
        for conn in opened.values():
            conn.close()


Result = TypeVar("Result")
# PostgreSQL: how many reads of one page run at once (``at_once``), each on a connection and a backend of its own. Two
# on this two-core machine: data health's checks at 10M keys took 3.2-3.6 s one at a time, 2.8-2.9 s two at a
# time, and three or four gained nothing more.
PG_READS_AT_ONCE = 2
# DuckDB: the same, each read on a connection of its own to the database the run already opened (a second connection
# to an open file reuses its database: no second open). A small query runs on one core: data health's eight checks
# on the deployed 1M store took 124-165 ms one after another, 102-106 ms two at a time.
DUCKDB_READS_AT_ONCE = 2


def at_once(store: Store, reads: Sequence[Callable[[], Result]]) -> list[Result]:
    """Each of ``reads`` (functions that query ``store``), their results in order, up to PG_READS_AT_ONCE or
    DUCKDB_READS_AT_ONCE at a time, each query on a connection of its own (a pooled one on PostgreSQL; on DuckDB
    one to the database this run's shared connection holds open, which is opened first)."""
    if len(reads) <= 1:
        with shared_connection():
            return [read() for read in reads]
    if store.is_postgres:
        with ThreadPoolExecutor(max_workers=PG_READS_AT_ONCE, thread_name_prefix="store-read") as pool:
            return list(pool.map(lambda read: read(), reads))
    with shared_connection():
        shared = _shared.get()
        assert shared is not None
        if store.name not in shared:  # the file opened once, here: the readers' connections share its database
            shared[store.name] = read_engine(store).connect()
        with ThreadPoolExecutor(max_workers=DUCKDB_READS_AT_ONCE, thread_name_prefix="store-read") as pool:
            return list(pool.map(lambda read: read(), reads))


def _execute(conn: sa.Connection, query: Query, bound: dict[str, Any]) -> pd.DataFrame:
    try:
        result = conn.execute(_statement(query.name), bound)
        # plain tuples, which pandas turns into columns at once: given SQLAlchemy's Row objects, pandas 3 first asks
        # each row for a ``dtype`` attribute, and a Row answers a missing attribute by raising (and formatting) a
        # KeyError inside: half of a 1,300-row query's time (names_of_artists 23 → 11 ms). The frame is the same:
        # pandas makes the same tuples itself after asking.
        frame = pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))
    finally:
        conn.rollback()  # end the read transaction: the next query sees the latest committed writes
    return frame


def run_query(store: Store, name: str, **params: Any) -> pd.DataFrame:
    query = load_query(name)
    missing = [p for p in query.params if p not in params]
    if missing:
        raise QueryError(f"query {name} needs parameters: {', '.join(missing)}")
    bound = {p: params[p] for p in query.params}
    for p in (*query.lists, *query.arrays):
        if not isinstance(bound[p], (list, tuple)):
            raise QueryError(f"query {name}: parameter {p} must be a list, not {type(bound[p]).__name__}")
        bound[p] = list(bound[p])
    try:
        shared = None if store.is_postgres else _shared.get()
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
        absent = _MISSING_TABLE.search(str(exc.orig))
        if absent:  # a store made by an older version, before a table this version reads (e.g. a rollup)
            raise StoreError(f"{store.label()} has no {absent.group(1)} table (made by an older version): re-ingest "
                             "it with 'python -m dashboard ingest' (or sync it)") from None
        raise
