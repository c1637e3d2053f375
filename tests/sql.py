"""Independent SQL for assertions: plain statements on the store, outside the code under test.

PostgreSQL engines are kept for the last few databases a test read (a new engine costs a connection and SQLAlchemy's
first-connect queries: about 13 ms against 1 ms); DuckDB's open the file per query anyway (the code under test, in
other processes, must be able to take it between two reads)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import sqlalchemy as sa

from dashboard.store.connect import Store, engine

KEPT_PG_ENGINES = 8
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


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with _engine(store).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).fetchall()]


def scalar(store: Store, sql: str, **params: Any) -> Any:
    return rows(store, sql, **params)[0][0]
