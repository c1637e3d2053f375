"""Independent SQL for assertions: plain statements on the store, outside the code under test.

PostgreSQL engines are kept for the last few databases a test read (a new engine costs a connection and SQLAlchemy's
first-connect queries: about 13 ms against 1 ms); DuckDB's open the file per query (the code under test, in other
processes, must be able to take it between two reads), except inside ``held``: a check of many statements that
nothing writes meanwhile (the rollups' ``*_in_step``) reads them all on one connection."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa

from dashboard.store.connect import Store, engine

KEPT_PG_ENGINES = 8
P = ParamSpec("P")
R = TypeVar("R")
_pg_engines: OrderedDict[str, sa.Engine] = OrderedDict()


def _engine(store: Store) -> sa.Engine:
    if not store.is_postgres:
        return engine(store)
    if store.url in _pg_engines:
        _pg_engines.move_to_end(store.url)
        return _pg_engines[store.url]
    eng = _pg_engines[store.url] = engine(store)  # pre-ping: a copy of its database ends its connections
    while len(_pg_engines) > KEPT_PG_ENGINES:
        _pg_engines.popitem(last=False)[1].dispose()
    return eng


# connections held by ``held`` for a block of reads, by store URL
_held: dict[str, sa.Connection] = {}


@contextmanager
def held(store: Store) -> Iterator[None]:
    """Run every ``rows``/``scalar`` on ``store`` inside the block on one connection (opening a DuckDB file costs
    ~25 ms of CPU, and a check of the rollups reads a dozen statements). Only where nothing else writes the store
    until the block ends."""
    if store.url in _held:
        yield
        return
    with _engine(store).connect() as conn:
        _held[store.url] = conn
        try:
            yield
        finally:
            del _held[store.url]


def reads_held(check: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """``check(store, ...)`` with its reads of ``store`` on one connection (``held``)."""
    @functools.wraps(check)
    def run(store: Store, *args: P.args, **kwargs: P.kwargs) -> R:
        with held(store):
            return check(store, *args, **kwargs)
    return run


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    conn = _held.get(store.url)
    if conn is not None:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).fetchall()]
    with _engine(store).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).fetchall()]


def scalar(store: Store, sql: str, **params: Any) -> Any:
    return rows(store, sql, **params)[0][0]
