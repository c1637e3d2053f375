"""The data health checks: what each one looks for, the SQL file that finds it, and running them all.

Each check is one query under ``queries/health/`` returning one row per affected record (the count is the number of
rows). The checks with a fix proposal also need each found key's current JSON (``current_value``) and whether the
platform double-encoded it (``double_encoded``): both are fetched afterwards for the found keys only, by key
(``queries/platform/kv_values_for_keys.sql``, ``double_encoded_keys.sql``), and only for ``check --fixes``; never by
joining the check to the whole of ``kv_store`` (1M values at 1M keys, 10M at 10M) or of ``kv_double_encoded``.
The checks read the relational model and the ingest's bookkeeping tables (``kv_index``, ``kv_counters``,
``kv_unmapped``); they never write. Their definitions (for the page and the README) are in
``dashboard/i18n/strings/health.json`` under ``health.check.<name>.*``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.store.connect import Store
from dashboard.store.queries import at_once, run_query

Runner = Callable[..., pd.DataFrame]  # (query name, **params) -> rows, like run_query without the store
# keys per kv_values_for_keys lookup: DuckDB answers an IN list from its ART index up to index_scan_max_count (2,048)
# values, and falls back to a scan above it
LOOKUP_CHUNK = 2_000


@dataclass(frozen=True)
class Check:
    name: str  # the name `check --json` prints
    query: str  # queries/health/<query>.sql
    fixable: bool  # `check --fixes` proposes KV set operations for it (and needs each kv_key's current_value)


CHECKS: tuple[Check, ...] = (
    Check("coin_balance_drift", "health_coin_balance_drift", fixable=True),
    Check("dangling_list_ids", "health_dangling_list_ids", fixable=True),
    Check("unread_counter_drift", "health_unread_counter_drift", fixable=True),
    Check("orphan_analytics", "health_orphan_analytics", fixable=False),
    Check("orphan_messages", "health_orphan_messages", fixable=False),
    Check("orphan_donations", "health_orphan_donations", fixable=False),
    Check("guest_payments", "health_guest_payments", fixable=False),
    Check("missing_required_fields", "health_missing_required_fields", fixable=False),
)
BY_NAME = {c.name: c for c in CHECKS}

Results = dict[str, pd.DataFrame]


def _chunks(values: list[Any], size: int = LOOKUP_CHUNK) -> Iterable[tuple[Any, ...]]:
    for start in range(0, len(values), size):
        yield tuple(values[start:start + size])


def kv_values(run: Runner, keys: Iterable[Any]) -> dict[str, str]:
    """The current value (JSON as text) of each of ``keys`` that is in kv_store, looked up by key."""
    wanted = sorted({str(k) for k in keys if k is not None and not (isinstance(k, float) and pd.isna(k))})
    found: dict[str, str] = {}
    for chunk in _chunks(wanted):
        frame = run("kv_values_for_keys", keys=chunk)
        found.update(zip(frame["key"], frame["value"], strict=True))
    return found


def double_encoded_keys(run: Runner, keys: Iterable[Any]) -> set[str]:
    """Those of ``keys`` that the platform stored as a JSON string holding JSON (kv_double_encoded)."""
    wanted = sorted({str(k) for k in keys if k is not None and not (isinstance(k, float) and pd.isna(k))})
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(str(k) for k in run("double_encoded_keys", keys=chunk)["key"])
    return found


def with_current_values(frame: pd.DataFrame, run: Runner) -> pd.DataFrame:
    """``frame`` with what a fix proposal needs of each kv_key, looked up by key: ``current_value`` (its JSON as
    text, None when the key is not in kv_store) and ``double_encoded`` (1 when the platform stored it as a JSON
    string holding JSON, else 0)."""
    values = kv_values(run, frame["kv_key"])
    encoded = double_encoded_keys(run, frame["kv_key"])
    keys = list(frame["kv_key"])
    return frame.assign(
        current_value=pd.Series([values.get(k) if isinstance(k, str) else None for k in keys], index=frame.index,
                                dtype=object),
        double_encoded=pd.Series([1 if k in encoded else 0 for k in keys], index=frame.index, dtype="int64"))


def run_checks(store: Store, runner: Runner | None = None, values: bool = True) -> Results:
    """Every check's affected records, by check name (``runner``: how to run a query, thread-safe; run_query on
    ``store`` by default), read ``at_once``: two at a time, each on a connection of its own (on DuckDB, two to the
    one database the page run opened). ``values``: add each fixable finding's ``current_value`` (what ``check
    --fixes`` needs; counts and the page do not)."""
    def default(name: str, **params: Any) -> pd.DataFrame:
        return run_query(store, name, **params)

    run = runner or default

    def one(check: Check) -> pd.DataFrame:
        frame = run(check.query)
        return with_current_values(frame, run) if check.fixable and values else frame

    return dict(zip((c.name for c in CHECKS), at_once(store, [functools.partial(one, c) for c in CHECKS]),
                    strict=True))


def artist_names(run: Runner, results: Results) -> dict[str, str]:
    """The display name of each artist that appears in ``results`` (by artist id), looked up for those ids only."""
    ids = sorted({str(a) for frame in results.values() if "artist_id" in frame.columns
                  for a in frame["artist_id"] if isinstance(a, str)})
    if not ids:
        return {}
    frame = run("names_of_artists", artist_ids=ids)  # one array, however many ids
    return dict(zip(frame["artist_id"], frame["name"], strict=True))


def counts(results: Results) -> dict[str, int]:
    """Each check's count, in the checks' order."""
    return {check.name: len(results[check.name]) for check in CHECKS}
