"""``python -m dashboard check [--db STORE] [--json] [--fixes FILE.ndjson]``: the data health checks.

One line per check (name, count, change since the previous ingest run), or with ``--json`` one object mapping each
check's name to its count. ``--fixes`` also writes the proposed KV set operations (``export-changes`` format) for
review; nothing is applied. Exit 0 whatever is found; 1 (one line, no traceback) only when the store cannot be read.
The counts are recorded for the store's latest ingest run (``health_counts``); if that write fails the command
says so on stderr and still exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb
import sqlalchemy as sa

from dashboard.health.checks import Results, counts, run_checks
from dashboard.health.fixes import fix_operations, write_fixes
from dashboard.health.history import Previous, count_change, latest_run_id, previous_counts, record_counts
from dashboard.store.connect import DB_HELP, Store, StoreError, describe_connect_error, resolve_store

EXIT_FATAL = 1
EXIT_USAGE = 2


def read_checks(store: Store, values: bool = True) -> tuple[Results, Previous | None]:
    """Every check's results (``values``: with the found keys' current values, for the fixes) and the previous
    run's counts; StoreError (one line) when the store cannot be read."""
    try:
        return run_checks(store, values=values), previous_counts(store)
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        raise StoreError(describe_connect_error(store, exc)) from None


def record(store: Store, found: dict[str, int]) -> None:
    """Record the counts for the latest ingest run; a failure is a warning, never fatal."""
    try:
        run_id = latest_run_id(store)
        if run_id is not None:
            record_counts(store, run_id, found)
    except (StoreError, sa.exc.DBAPIError, duckdb.Error) as exc:
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
        print(f"warning: data health counts not recorded: {first}", file=sys.stderr)


def record_after_ingest(store: Store) -> None:
    """Run the checks after an ingest and record their counts (a warning if anything fails)."""
    try:
        found = counts(run_checks(store, values=False))
    except Exception as exc:
        first = (str(getattr(exc, "orig", exc)).strip().splitlines() or [type(exc).__name__])[0]
        print(f"warning: data health checks not run: {first}", file=sys.stderr)
        return
    record(store, found)


def change_text(delta: int | None) -> str:
    if delta is None:
        return "no earlier run checked"
    return f"{delta:+d} since the previous run" if delta else "unchanged since the previous run"


def cmd_check(args: argparse.Namespace) -> int:
    store = resolve_store(args.db)
    results, previous = read_checks(store, values=bool(args.fixes))
    found = counts(results)
    record(store, found)
    if args.json:
        print(json.dumps(found))
    else:
        for name, n in found.items():
            print(f"{name:<24} {n:>8}  {change_text(count_change(name, n, previous))}")
    if args.fixes:
        ops = fix_operations(results)
        try:
            write_fixes(Path(args.fixes), ops)
        except OSError as exc:
            print(f"error: cannot write {args.fixes}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"{len(ops)} fix operations written to {args.fixes} (review them; nothing was applied)", file=sys.stderr)
    return 0


def add_check_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="data health: find the inconsistencies in the store's KV data")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON object: check name -> count")
    p.add_argument("--fixes", metavar="FILE.ndjson",
                   help="also write the proposed KV set operations (export-changes format) for review")
    p.set_defaults(run=cmd_check)
