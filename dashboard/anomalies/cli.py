"""``python -m dashboard anomalies [--db STORE] [--json] [--lang ru|en]``: the suspicious-activity flags.

One line per flag (newest first: id, kind, state, account, window, the sentence), or with ``--json`` one JSON array
of objects (id, kind, status, artist_id, track_id, items, from, to, numbers, title). Exit 0 whatever is found;
1 (one line) when the store cannot be read; 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys

import duckdb
import sqlalchemy as sa

from dashboard.anomalies.flags import KINDS, ThresholdsError, compute_flags, sentence
from dashboard.anomalies.reviews import OPEN, states
from dashboard.store.connect import StoreError, describe_connect_error, resolve_store

DB_HELP = "DuckDB file or postgresql+psycopg:// URL (default: PROMO_DB, secrets.toml, data/promo.duckdb)"


def cmd_anomalies(args: argparse.Namespace) -> int:
    store = resolve_store(args.db)
    kinds = tuple(args.kind) if args.kind else KINDS
    try:
        flags = compute_flags(store, kinds)
        reviewed = states(store)
    except ThresholdsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (sa.exc.DBAPIError, duckdb.Error) as exc:
        raise StoreError(describe_connect_error(store, exc)) from None
    if args.json:
        print(json.dumps([{**f.as_json(), "status": reviewed[f.id].status if f.id in reviewed else OPEN}
                          for f in flags], ensure_ascii=False))
        return 0
    for f in flags:
        status = reviewed[f.id].status if f.id in reviewed else OPEN
        print(f"{f.id}  {f.kind:<14} {status:<9} {f.start.isoformat()}  {sentence(f, args.lang)}")
    print(f"{len(flags)} flags", file=sys.stderr)
    return 0


def add_anomalies_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("anomalies", help="suspicious activity: bought plays, donation bursts, self-donations, …")
    p.add_argument("--db", help=DB_HELP)
    p.add_argument("--json", action="store_true", help="print one JSON array of flag objects")
    p.add_argument("--kind", action="append", choices=KINDS, help="only this kind (repeatable)")
    p.add_argument("--lang", default="en", choices=("ru", "en"), help="language of the sentences (default en)")
    p.set_defaults(run=cmd_anomalies)

    def one_line_error(message: str) -> None:
        print(f"error: anomalies: {message}", file=sys.stderr)
        raise SystemExit(2)

    p.error = one_line_error  # type: ignore[method-assign]
