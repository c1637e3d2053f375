"""Independent SQL for assertions: plain statements on the store, outside the code under test."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from dashboard.store.connect import Store, engine


def rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine(store).connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params).fetchall()]


def scalar(store: Store, sql: str, **params: Any) -> Any:
    return rows(store, sql, **params)[0][0]
