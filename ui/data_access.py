"""How pages read the store: the store this app serves, its version, and cached reads (queries and computed
results), kept per store version so a write shows on the next run and is never hidden by the cache."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from dashboard.moderation import config as moderation
from dashboard.store.connect import Store, StoreError, resolve_store
from dashboard.store.queries import run_query

CACHE_TTL_SECONDS = 300
# the store version of this script run (PostgreSQL: read once per run, see store_version)
_run_version: contextvars.ContextVar[str | None] = contextvars.ContextVar("promo_run_version", default=None)


def start_run() -> None:
    """A new script run: the store version is read afresh (PostgreSQL reads it once per run)."""
    _run_version.set(None)


def current_store() -> Store:
    """The store this app serves (``PROMO_STORE``, else the demo's file)."""
    return resolve_store()


def store_version(s: Store) -> str:
    """Changes whenever the store's content does, so cached results are never reused across a change.

    DuckDB: the file's and its WAL's modification times (an ingest replaces the file; a decision or an account
    change by another process commits to the WAL first). PostgreSQL, where several app replicas share one database:
    one cheap query (``store_version``: the latest ingest run, the audit log's size and latest action, the accounts'
    count and latest change), read once per script run, so a write through one replica shows on the others at
    their next run."""
    if s.is_postgres:
        known = _run_version.get()
        if known is not None:
            return known
        try:
            row = run_query(s, "store_version").iloc[0]
            version = "|".join(str(v) for v in row.tolist())
        except (StoreError, sa.exc.DBAPIError):  # e.g. an old store without the accounts table: no reuse at all
            version = f"uncached-{time.time_ns()}"
        _run_version.set(version)
        return version
    try:
        mtime = s.path.stat().st_mtime_ns
    except FileNotFoundError:
        return "missing"
    wal = s.path.with_name(s.path.name + ".wal")  # a decision by another process commits to the WAL first
    return f"{mtime}|{wal.stat().st_mtime_ns if wal.exists() else 0}"


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def _cached_query(store_name: str, version: str, name: str, params: tuple[tuple[str, Any], ...]) -> pd.DataFrame:
    return run_query(Store(store_name), name, **dict(params))


def query(name: str, **params: Any) -> pd.DataFrame:
    """Run ``queries/<name>.sql`` with bound parameters, cached for a few minutes and per store version."""
    s = current_store()
    return _cached_query(s.name, store_version(s), name, tuple(sorted(params.items())))


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=256)
def _cached_shaped(store_name: str, version: str, shape_name: str, name: str, params: tuple[tuple[str, Any], ...],
                   args: tuple[Any, ...], _shape: Callable[..., Any]) -> Any:
    return _shape(_cached_query(store_name, version, name, params), *args)


def shaped(shape: Callable[..., Any], name: str, *args: Any, **params: Any) -> Any:
    """``shape(query(name, **params), *args)``, cached like the query itself (per store version and parameters): the
    frames a page computes from a query's rows (groupings, totals) are made once, not on every rerun. ``shape`` must
    depend on nothing but its arguments (no language, no session state); ``args`` must be hashable."""
    s = current_store()
    return _cached_shaped(s.name, store_version(s), f"{shape.__module__}.{shape.__qualname__}", name,
                          tuple(sorted(params.items())), args, shape)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False, max_entries=32)
def _cached_compute(store_name: str, version: str, name: str, args: tuple[Any, ...],
                    _compute: Callable[..., Any]) -> Any:
    return _compute(Store(store_name), *args)


def computed(compute: Callable[..., Any], *args: Any) -> Any:
    """``compute(store, *args)``, cached like ``query`` (per store version, for a few minutes), for a page whose work
    after its queries (formatting thousands of findings, building a CSV) would otherwise run on every rerun.
    ``compute`` is named by its module and name in the cache key; ``args`` must be hashable."""
    s = current_store()
    return _cached_compute(s.name, store_version(s), f"{compute.__module__}.{compute.__qualname__}", args, compute)


def pending_params() -> dict[str, str]:
    """The pending statuses of the store's layout (its latest ingest run), bound by every query that includes
    ``queries/shared/pending.sql``: the moderation queue, the artist's pending items and current state."""
    runs = query("last_ingest")
    return moderation.pending_params(moderation.layout_name(None if runs.empty else str(runs["layout"].iloc[0])))


def invalidate() -> None:
    """Drop every cached read (query results and computed results): call after any write so every page shows the
    new state."""
    _cached_query.clear()
    _cached_compute.clear()
    _cached_shaped.clear()
    _run_version.set(None)
