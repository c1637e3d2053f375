"""The data health checks: what each one looks for, the SQL file that finds it, and running them all.

Each check is one query under ``queries/health/`` returning one row per affected record (the count is the number of
rows). The checks read the relational model and the ingest's bookkeeping tables (``kv_index``, ``kv_counters``,
``kv_unmapped``); they never write. Their definitions (for the page and the README) are in
``dashboard/i18n/strings/health.json`` under ``health.check.<name>.*``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from dashboard.store.connect import Store
from dashboard.store.queries import run_query

Runner = Callable[[str], pd.DataFrame]


@dataclass(frozen=True)
class Check:
    name: str  # the name `check --json` prints
    query: str  # queries/health/<query>.sql
    fixable: bool  # `check --fixes` proposes KV set operations for it


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


def run_checks(store: Store, runner: Runner | None = None) -> Results:
    """Every check's affected records, by check name (``runner`` lets the page use its cached queries)."""
    run = runner or (lambda query: run_query(store, query))
    return {check.name: run(check.query) for check in CHECKS}


def counts(results: Results) -> dict[str, int]:
    """Each check's count, in the checks' order."""
    return {check.name: len(results[check.name]) for check in CHECKS}
