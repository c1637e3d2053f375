"""The command line: ``python -m dashboard ingest|demo|bench|…``. Fatal problems print one line and exit non-zero."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import sqlalchemy as sa

from dashboard.ingest.layout import LayoutError
from dashboard.ingest.readers import InputError
from dashboard.store.connect import DB_HELP, StoreError, describe_connect_error, resolve_store

EXIT_FATAL = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace], int]


def fail(message: str, code: int = EXIT_FATAL) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_ingest(args: argparse.Namespace) -> int:
    from dashboard.health.cli import record_after_ingest
    from dashboard.ingest.build import ingest

    store = resolve_store(args.db)
    result = ingest([Path(f) for f in args.files], store, args.layout, say=lambda m: print(m, file=sys.stderr),
                    allow_empty=args.allow_empty)
    for line in result.summary_lines():
        print(line)
    record_after_ingest(store)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo.deployed import LAYOUTS, day2_path, write_deployed_snapshot
    from dashboard.demo.snapshot import SCALES, write_demo_snapshot
    from dashboard.health.cli import record_after_ingest
    from dashboard.ingest.build import ingest

    if args.scale not in SCALES:
        return fail(f"unknown scale {args.scale!r}; choose one of {', '.join(SCALES)}", EXIT_USAGE)
    if args.layout not in LAYOUTS:
        return fail(f"unknown demo layout {args.layout!r}; choose one of {', '.join(LAYOUTS)}", EXIT_USAGE)
    deployed = args.layout == "deployed"
    if args.ingest_day2 and not deployed:
        return fail("--ingest-day2 needs --layout deployed (only the deployed demo has a second snapshot)",
                    EXIT_USAGE)
    store = resolve_store(args.db)
    name = f"demo-deployed-{args.scale}-{args.seed}" if deployed else f"demo-{args.scale}-{args.seed}"
    out = Path(args.out) if args.out else Path("data") / f"{name}.ndjson"
    out.parent.mkdir(parents=True, exist_ok=True)
    write = write_deployed_snapshot if deployed else write_demo_snapshot
    try:
        manifest = write(out, scale=args.scale, seed=args.seed, as_of=args.as_of, clean=args.clean)
    except ValueError as exc:  # an unknown file extension
        return fail(str(exc), EXIT_USAGE)
    print(f"demo snapshot: {out} ({manifest.get('total_keys', 0):,} keys, layout {args.layout}, "
          f"scale {args.scale}, seed {args.seed})")
    files = [out]
    if deployed:
        second = day2_path(out)
        print(f"day-2 snapshot: {second} ({manifest['day2']['total_keys']:,} keys, one day later; "
              f"{'ingested next' if args.ingest_day2 else 'ingest it later to grow the daily series'})")
        if args.ingest_day2:
            files.append(second)
    for snapshot in files:
        result = ingest([snapshot], store, args.layout, say=lambda m: print(m, file=sys.stderr))
        for line in result.summary_lines():
            print(line)
    record_after_ingest(store)
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from dashboard.sync import changelog
    from dashboard.sync.run import follow, parse_interval, run_sync, sync_every
    from dashboard.sync.source import resolve_source

    admin = [f for f in ("install_change_log", "remove_change_log", "change_log_status") if getattr(args, f)]
    if len(admin) > 1 or (admin and (args.follow or args.every or args.full)) or (args.follow and args.full):
        return fail("--install-change-log, --remove-change-log, --change-log-status, --follow and --full go alone "
                    "(--every sets --follow's poll interval)", EXIT_USAGE)
    try:
        seconds = parse_interval(args.every) if args.every else (FOLLOW_POLL if args.follow else None)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    source = resolve_source(args.source, args.table)
    if admin:
        work = {"install_change_log": changelog.install, "remove_change_log": changelog.remove,
                "change_log_status": changelog.status}[admin[0]]
        print(work(source))
        return 0
    store = resolve_store(args.db)

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def once() -> object:
        return run_sync(source, store, args.layout, say=say, allow_empty=args.allow_empty, full=args.full)

    if args.follow:
        assert seconds is not None
        say(f"following the change log of {source.table} at {source.label} into {store.label()} every "
            f"{seconds:g} s; SIGTERM stops it")
        follow(source, store, args.layout, seconds, say=lambda m: print(m, flush=True))
        print("sync stopped", flush=True)
        return 0
    if seconds is None:
        result = once()
        for line in result.summary_lines():  # type: ignore[attr-defined]
            print(line)
        return 0
    say(f"sync every {args.every} from {source.table} at {source.label} into {store.label()}; SIGTERM stops it")
    sync_every(once, seconds, say=lambda m: print(m, flush=True))  # type: ignore[arg-type]
    print("sync stopped", flush=True)
    return 0


FOLLOW_POLL = 2.0


# The commands whose parsers live beside their code: module → (the function that adds them, the commands it adds).
# ``python -m dashboard moderate …`` imports only the module of ``moderate`` (not pandas for ``check``, and so on):
# each process starts in about half the time.
PARSER_MODULES = {
    "dashboard.bench.commands": ("add_bench_parser", {"bench"}),
    "dashboard.moderation.cli": ("add_moderation_parsers", {"moderate", "export-changes"}),
    "dashboard.health.cli": ("add_check_parser", {"check"}),
    "dashboard.access.cli": ("add_users_parser", {"users"}),
    "dashboard.anomalies.cli": ("add_anomalies_parser", {"anomalies"}),
    "dashboard.serve": ("add_serve_parser", {"serve"}),
    "dashboard.access.preflight": ("add_preflight_parser", {"preflight"}),
}
OWN_COMMANDS = {"ingest", "demo", "sync"}  # defined here


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser. With ``command`` (the first word), only the module that defines it is imported
    and adds its commands; without one, or for an unknown one, every command is there."""
    import datetime as dt

    wanted = [m for m, (_adder, cmds) in PARSER_MODULES.items() if command in cmds]
    if command in OWN_COMMANDS:
        wanted = []
    elif not wanted:  # no command, --help, or an unknown one: every command, for the usage message
        wanted = list(PARSER_MODULES)

    p = argparse.ArgumentParser(prog="python -m dashboard", description="Promo.music Insights")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", help="load KV snapshot files into the store (replaces its content)")
    ing.add_argument("files", nargs="+", help="NDJSON, JSON array, CSV key,value or Parquet; .gz allowed")
    ing.add_argument("--db", help=DB_HELP)
    ing.add_argument("--layout", default="seed", help="seed (default), deployed, or a layout JSON file")
    ing.add_argument("--allow-empty", action="store_true",
                     help="let a snapshot with no keys replace a store that has keys (refused otherwise)")
    ing.set_defaults(run=cmd_ingest)

    demo = sub.add_parser("demo", help="write a realistic demo snapshot (seed or deployed layout) and ingest it")
    demo.add_argument("--layout", default="seed",
                      help="seed (default): the documented layout; deployed: what the platform's code writes, plus "
                           "a second snapshot one day later (NAME.day2.ndjson)")
    demo.add_argument("--scale", default="small", help="tiny (~2k keys), small (~20k), medium (~1M), large (~10M)")
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--out", help="snapshot file to write (.ndjson, .json, .csv, .parquet, maybe .gz)")
    demo.add_argument("--as-of", type=dt.date.fromisoformat, default=None, help="last day of the data (default: today)")
    demo.add_argument("--db")
    demo.add_argument("--clean", action="store_true",
                      help="plant no inconsistencies and no suspicious activity (for the data health checks and the "
                           "anomaly flags)")
    demo.add_argument("--ingest-day2", action="store_true",
                      help="deployed layout: after the first snapshot, also ingest the day-2 snapshot")
    demo.set_defaults(run=cmd_demo)

    syn = sub.add_parser("sync", help="read the platform's KV table into the store (same build as ingest)")
    syn.add_argument("--source", help="secrets:NAME ([connections.NAME] url in .streamlit/secrets.toml), env:VAR, "
                                      "or a postgresql:// URL without a password (default: PROMO_PLATFORM_URL, "
                                      "then [connections.platform])")
    syn.add_argument("--table", default="kv_store_84730125", help="the platform's KV table")
    syn.add_argument("--db", help=DB_HELP)
    syn.add_argument("--layout", default="auto", help="auto (default), seed, deployed, or a layout JSON file")
    syn.add_argument("--every", help="keep running: one sync every interval (15m, 30s, 1h); SIGTERM stops it; "
                                     "with --follow: how often the change log is read (default 2s)")
    syn.add_argument("--allow-empty", action="store_true",
                     help="let an empty platform table empty a store that has keys (refused otherwise)")
    syn.add_argument("--full", action="store_true",
                     help="rebuild the store from the whole table even when the change log could bring it up to date")
    syn.add_argument("--follow", action="store_true",
                     help="keep applying the platform's changes as they come (needs the change log); SIGTERM stops it")
    syn.add_argument("--install-change-log", action="store_true",
                     help="install the change log (a table fed by triggers) on the platform's KV table, then exit")
    syn.add_argument("--remove-change-log", action="store_true",
                     help="remove the change log and its triggers from the platform, then exit")
    syn.add_argument("--change-log-status", action="store_true",
                     help="one line about the platform's change log (changes kept, size, oldest), then exit")
    syn.set_defaults(run=cmd_sync)

    for module in wanted:
        getattr(importlib.import_module(module), PARSER_MODULES[module][0])(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from dashboard.ingest.result import IngestError

    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words[0] if words else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.run(args))
    except (IngestError, InputError, LayoutError, StoreError) as exc:
        return fail(str(exc))
    except (sa.exc.DBAPIError, duckdb.Error) as exc:  # the store refused: locked by another process, unreachable
        return fail(describe_connect_error(resolve_store(getattr(args, "db", None)), exc))
    except KeyboardInterrupt:
        return fail("interrupted", 130)
    except (OSError, MemoryError) as exc:
        return fail(f"{type(exc).__name__}: {exc}")
