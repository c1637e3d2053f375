"""``python -m dashboard moderate …`` and ``python -m dashboard export-changes …``.

``moderate`` exits 0 when the decision was applied, 3 on a conflict (already decided), 4 when the item (or a
decision to undo) is not found, 2 for bad arguments (a rejection without a reason, an ambiguous id), 5 when an
ingest holds the store for longer than PROMO_WRITE_WAIT ("ingest in progress, try again": nothing was written);
1 when the store cannot be used. It always prints exactly one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.moderation import config as moderation
from dashboard.moderation import service as repository
from dashboard.moderation.unit_of_work import store_units
from dashboard.store.connect import StoreBusy, StoreError, resolve_store

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2
EXIT_CONFLICT = 3
EXIT_NOT_FOUND = 4
EXIT_BUSY = 5


def _say(message: str, code: int) -> int:
    print(message if code == EXIT_OK else f"error: {message}", file=sys.stdout if code == EXIT_OK else sys.stderr)
    return code


def cmd_moderate(args: argparse.Namespace) -> int:
    reason = args.reason
    if args.action == "reject" and not (reason or "").strip():
        return _say("a rejection needs --reason (a canned reason code or free text)", EXIT_USAGE)
    if not (args.actor or "").strip():
        return _say("--actor is required", EXIT_USAGE)
    canned = {r.code: r.ru for r in moderation.reasons()}
    if reason and reason.strip() in canned:
        reason = canned[reason.strip()]
    try:
        units = store_units(resolve_store(args.db))
        items = repository.find_items(units, args.entity, args.id)
        if args.key:
            items = [i for i in items if i.source_key == args.key]
        if not items:
            return _say(f"{args.entity} {args.id}: not found", EXIT_NOT_FOUND)
        if len(items) > 1:
            keys = ", ".join(i.source_key for i in items)
            return _say(f"{args.entity} {args.id} is stored under several keys ({keys}); pick one with --key",
                        EXIT_USAGE)
        item = items[0]
        if args.action == "undo":
            outcome = repository.undo(units, item, args.actor, note=args.note)
        else:
            outcome = repository.decide(units, [item], args.action, args.actor, reason=reason, note=args.note)[0]
    except repository.NotFound as exc:
        return _say(str(exc), EXIT_NOT_FOUND)
    except (repository.ReasonRequired, repository.BadRequest) as exc:
        return _say(str(exc), EXIT_USAGE)
    except StoreBusy as exc:
        return _say(str(exc), EXIT_BUSY)
    except StoreError as exc:
        return _say(str(exc), EXIT_FATAL)
    if outcome.applied:
        return _say(outcome.message, EXIT_OK)
    return _say(outcome.message, EXIT_NOT_FOUND if outcome.kind == "not_found" else EXIT_CONFLICT)


def cmd_export_changes(args: argparse.Namespace) -> int:
    from dashboard.moderation.export_changes import export_changes, parse_since

    try:
        since = parse_since(args.since)
    except ValueError as exc:
        return _say(str(exc), EXIT_USAGE)
    try:
        store = resolve_store(args.db)
        count = export_changes(store, Path(args.out), since)
    except StoreError as exc:
        return _say(str(exc), EXIT_FATAL)
    return _say(f"export-changes: {count} keys written to {args.out}", EXIT_OK)


def _one_line_error(message: str) -> None:
    """argparse's error, as one line (no usage block)."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def add_moderation_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db_help = "DuckDB file or postgresql+psycopg:// URL (default: PROMO_DB, secrets.toml, data/promo.duckdb)"
    mod = sub.add_parser("moderate", help="approve, reject or undo one item (exit 0 applied, 3 conflict, "
                                          "4 not found, 2 bad arguments, 5 ingest in progress)")
    mod.add_argument("--db", help=db_help)
    mod.add_argument("--entity", required=True, choices=list(moderation.entities()))
    mod.add_argument("--id", required=True, help="the item's id")
    mod.add_argument("--key", help="the item's KV key, when the id is stored under several keys")
    mod.add_argument("--action", required=True, choices=list(moderation.ACTIONS))
    mod.add_argument("--reason", help="why (required to reject): free text or a canned reason code ("
                                      + ", ".join(r.code for r in moderation.reasons()) + ")")
    mod.add_argument("--note", help="an internal note for the audit log")
    mod.add_argument("--actor", required=True, help="who decides (recorded in the audit log)")
    mod.set_defaults(run=cmd_moderate)
    mod.error = _one_line_error  # type: ignore[method-assign]

    exp = sub.add_parser("export-changes", help="write the KV keys moderation changed, as op/key/value NDJSON lines")
    exp.add_argument("--db", help=db_help)
    exp.add_argument("--since", help="only keys changed at or after this ISO date/time (default: all)")
    exp.add_argument("--out", required=True, help="the NDJSON file to write")
    exp.set_defaults(run=cmd_export_changes)
    exp.error = _one_line_error  # type: ignore[method-assign]
