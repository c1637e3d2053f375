"""``python -m dashboard users add|list|disable|enable|remove``: the accounts of people who may sign in.

Each command prints one line (``list``: one line per account) and exits 0 when done, 2 for bad arguments (a
malformed email, an unknown role, an artist without ``--artist-id``), 3 when ``add`` finds an account already there,
4 when the email (or the artist) is not found, 1 when the store cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from dashboard.access import accounts as acc
from dashboard.store.connect import DB_HELP, StoreError, resolve_store

EXIT_OK = 0
EXIT_FATAL = 1
EXIT_USAGE = 2
EXIT_EXISTS = 3
EXIT_NOT_FOUND = 4


def _say(message: str, code: int) -> int:
    print(message if code == EXIT_OK else f"error: {message}", file=sys.stdout if code == EXIT_OK else sys.stderr)
    return code


def _artist_known(store: acc.Store, artist_id: str) -> bool:
    from dashboard.store.queries import run_query

    return artist_id in set(run_query(store, "known_artists")["artist_id"].astype(str))


REFUSALS = (StoreError, acc.AccountError, acc.AccountExists, acc.AccountNotFound)


def _refused(exc: Exception) -> int:
    """One line and the exit code of a refusal (checked in this order, as the except clauses were)."""
    for kind, code in ((acc.AccountError, EXIT_USAGE), (acc.AccountExists, EXIT_EXISTS),
                       (acc.AccountNotFound, EXIT_NOT_FOUND), (StoreError, EXIT_FATAL)):
        if isinstance(exc, kind):
            return _say(str(exc), code)
    raise exc


def cmd_add(args: argparse.Namespace) -> int:
    try:
        account = acc.new_account(args.email, args.role, args.artist_id, args.name)
        store = resolve_store(args.db)
        if account.artist_id and not _artist_known(store, account.artist_id):
            return _say(f"no artist {account.artist_id!r} in the store (an artist owns a track, video or concert)",
                        EXIT_NOT_FOUND)
        acc.add_account(store, account)
    except REFUSALS as exc:
        return _refused(exc)
    return _say(f"added {account.line()}", EXIT_OK)


def cmd_list(args: argparse.Namespace) -> int:
    try:
        found = acc.list_accounts(resolve_store(args.db))
    except StoreError as exc:
        return _say(str(exc), EXIT_FATAL)
    if not found:
        return _say("no accounts", EXIT_OK)
    for account in found:
        print(account.line())
    return EXIT_OK


def _toggle(args: argparse.Namespace, disabled: bool) -> int:
    word = "disabled" if disabled else "enabled"
    try:
        changed = acc.set_disabled(resolve_store(args.db), args.email, disabled)
    except REFUSALS as exc:
        return _refused(exc)
    email = acc.normalize_email(args.email)
    return _say(f"{word} {email}" if changed else f"{email}: already {word}", EXIT_OK)


def cmd_disable(args: argparse.Namespace) -> int:
    return _toggle(args, True)


def cmd_enable(args: argparse.Namespace) -> int:
    return _toggle(args, False)


def cmd_remove(args: argparse.Namespace) -> int:
    try:
        acc.remove_account(resolve_store(args.db), args.email)
    except REFUSALS as exc:
        return _refused(exc)
    return _say(f"removed {acc.normalize_email(args.email)}", EXIT_OK)


def _one_line_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Argument errors as one ``error: …`` line (exit 2), without argparse's usage block."""
    def error(message: str) -> NoReturn:
        print(f"error: {message} (see {parser.prog} --help)", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    parser.error = error  # type: ignore[method-assign]
    return parser


def add_users_parser(sub: argparse._SubParsersAction) -> None:
    users = _one_line_errors(sub.add_parser("users", help="accounts: who may sign in, with which role"))
    cmds = users.add_subparsers(dest="users_command", required=True)

    add = _one_line_errors(cmds.add_parser("add", help="create an account"))
    add.add_argument("email")
    add.add_argument("--role", required=True, help="artist, moderator, manager or admin")
    add.add_argument("--artist-id", help="an artist account's platform user id")
    add.add_argument("--name", help="display name (default: the name the identity provider gives)")
    add.add_argument("--db", help=DB_HELP)
    add.set_defaults(run=cmd_add)

    ls = _one_line_errors(cmds.add_parser("list", help="list the accounts"))
    ls.add_argument("--db", help=DB_HELP)
    ls.set_defaults(run=cmd_list)

    for name, run, text in (("disable", cmd_disable, "refuse sign-in from now on (the account stays)"),
                            ("enable", cmd_enable, "allow a disabled account again"),
                            ("remove", cmd_remove, "delete the account")):
        cmd = _one_line_errors(cmds.add_parser(name, help=text))
        cmd.add_argument("email")
        cmd.add_argument("--db", help=DB_HELP)
        cmd.set_defaults(run=run)
