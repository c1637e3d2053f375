"""Accounts and the access decision: the pure function, the ``users`` command (one line, clear exit codes, bad
input too), accounts kept across a re-ingest, and concurrent writes on one email (one clear outcome, no broken row)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dashboard import cli
from dashboard.access import accounts as acc
from dashboard.access.decision import (
    BROKEN_ACCOUNT,
    DISABLED,
    EMAIL_UNVERIFIED,
    NO_ACCOUNT,
    NO_EMAIL,
    NOT_SIGNED_IN,
    Refusal,
    decide_access,
)
from dashboard.access.identity import Identity, demo_mode
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from tests.conftest import REPO
from tests.data import ARTIST, SEED_RECORDS, write_snapshot
from tests.sql import rows
from tests.together import at_once

SIGNED_IN = {"is_logged_in": True, "email": "Irina@Example.com", "email_verified": True, "name": "Ирина Петрова"}


# ------------------------------------------------------------------------------------------------ the decision
def test_an_account_decides_the_role_and_the_artist() -> None:
    staff = decide_access(SIGNED_IN, acc.new_account("irina@example.com", "moderator"))
    assert staff == Identity(role="moderator", user_id="irina@example.com", email="irina@example.com",
                             name="Ирина Петрова")
    assert staff.actor == "Ирина Петрова <irina@example.com>"
    artist = decide_access(SIGNED_IN, acc.new_account("irina@example.com", "artist", "u-7", "Сцена"))
    assert isinstance(artist, Identity) and (artist.role, artist.artist_id, artist.name) == ("artist", "u-7", "Сцена")


@pytest.mark.parametrize(("claims", "account", "reason"), [
    ({}, None, NOT_SIGNED_IN),
    ({"is_logged_in": False, "email": "irina@example.com"}, None, NOT_SIGNED_IN),
    ({"is_logged_in": "true", "email": "irina@example.com"}, None, NOT_SIGNED_IN),
    ({"is_logged_in": True}, None, NO_EMAIL),
    ({"is_logged_in": True, "email": "not an email"}, None, NO_EMAIL),
    ({**SIGNED_IN, "email_verified": False}, acc.new_account("irina@example.com", "admin"), EMAIL_UNVERIFIED),
    (SIGNED_IN, None, NO_ACCOUNT),
    (SIGNED_IN, acc.new_account("someone@example.com", "admin"), NO_ACCOUNT),
    (SIGNED_IN, acc.Account("irina@example.com", "admin", disabled=True), DISABLED),
    (SIGNED_IN, acc.Account("irina@example.com", "artist"), BROKEN_ACCOUNT),
    (SIGNED_IN, acc.Account("irina@example.com", "root"), BROKEN_ACCOUNT),
])
def test_refusals(claims: dict[str, Any], account: acc.Account | None, reason: str) -> None:
    outcome = decide_access(claims, account)
    assert isinstance(outcome, Refusal) and outcome.reason == reason


def test_auto_mapping_needs_the_setting_a_verified_email_and_exactly_one_artist() -> None:
    assert decide_access(SIGNED_IN, None, auto_map=True, platform_artists=["u-7"]) == Identity(
        role="artist", user_id="irina@example.com", email="irina@example.com", name="Ирина Петрова", artist_id="u-7")
    assert isinstance(decide_access(SIGNED_IN, None, auto_map=False, platform_artists=["u-7"]), Refusal)
    unverified = {k: v for k, v in SIGNED_IN.items() if k != "email_verified"}
    assert isinstance(decide_access(unverified, None, auto_map=True, platform_artists=["u-7"]), Refusal)
    assert isinstance(decide_access(SIGNED_IN, None, auto_map=True, platform_artists=["u-7", "u-8"]), Refusal)
    assert isinstance(decide_access(SIGNED_IN, None, auto_map=True, platform_artists=[]), Refusal)
    # an account, even a disabled one, wins over the mapping
    disabled = acc.Account("irina@example.com", "moderator", disabled=True)
    assert decide_access(SIGNED_IN, disabled, auto_map=True, platform_artists=["u-7"]) == Refusal(
        DISABLED, "irina@example.com")


def test_demo_mode_only_when_asked_for() -> None:
    assert not demo_mode({})
    assert not demo_mode({"PROMO_DEMO_MODE": "0"})
    assert demo_mode({"PROMO_DEMO_MODE": "1"})


@pytest.mark.parametrize(("args", "fragment"), [
    (("x@y", "admin"), "not an email"),
    (("a@b.co\n", "owner"), "unknown role"),
    (("a@b.co", "artist"), "needs --artist-id"),
    (("a@b.co", "manager", "u-1"), "has no artist id"),
    (("<script>@b.co", "admin"), "not an email"),
    (("a@b.co", "artist", "u 1"), "not an artist id"),
])
def test_bad_accounts_are_refused(args: tuple[str, ...], fragment: str) -> None:
    with pytest.raises(acc.AccountError, match=fragment):
        acc.new_account(*args)


# ------------------------------------------------------------------------------------------ the users command
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip().splitlines()


# seed_store (conftest): a copy of tests.data.SEED_RECORDS as ingested, on each engine


def test_users_command(seed_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    db = seed_store.name
    assert run(capsys, "users", "list", "--db", db) == (0, ["no accounts"])
    code, lines = run(capsys, "users", "add", " Irina@Example.COM ", "--role", "moderator", "--name", "Ирина",
                      "--db", db)
    assert code == 0 and len(lines) == 1 and lines[0].startswith("added irina@example.com")
    code, lines = run(capsys, "users", "add", "irina@example.com", "--role", "admin", "--db", db)
    assert code == 3 and len(lines) == 1 and "already exists" in lines[0]
    code, lines = run(capsys, "users", "add", "star@example.com", "--role", "artist", "--artist-id", ARTIST,
                      "--db", db)
    assert code == 0 and len(lines) == 1
    code, lines = run(capsys, "users", "add", "ghost@example.com", "--role", "artist", "--artist-id", "nobody",
                      "--db", db)
    assert code == 4 and len(lines) == 1 and "no artist 'nobody'" in lines[0]
    code, lines = run(capsys, "users", "list", "--db", db)
    assert code == 0 and lines == ["irina@example.com  moderator  name=Ирина  active",
                                   f"star@example.com  artist  artist={ARTIST}  active"]
    assert run(capsys, "users", "disable", "STAR@example.com", "--db", db) == (0, ["disabled star@example.com"])
    assert run(capsys, "users", "disable", "star@example.com", "--db", db) == (
        0, ["star@example.com: already disabled"])
    assert rows(seed_store, "SELECT email, disabled FROM accounts ORDER BY email") == [
        ("irina@example.com", False), ("star@example.com", True)]
    assert run(capsys, "users", "enable", "star@example.com", "--db", db) == (0, ["enabled star@example.com"])
    assert run(capsys, "users", "remove", "star@example.com", "--db", db) == (0, ["removed star@example.com"])
    code, lines = run(capsys, "users", "remove", "star@example.com", "--db", db)
    assert code == 4 and lines == ["error: star@example.com: no such account"]


@pytest.mark.parametrize("argv", [
    ("users",),
    ("users", "add"),
    ("users", "add", "a@b.co"),
    ("users", "add", "a@b.co", "--role", "king"),
    ("users", "add", "nobody", "--role", "admin"),
    ("users", "add", "a@b.co", "--role", "artist"),
    ("users", "add", "a@b.co", "--role", "admin", "--artist-id", ARTIST),
    ("users", "disable", "nobody"),
    ("users", "remove", ""),
    ("users", "frobnicate", "a@b.co"),
])
def test_bad_input_is_one_line_and_exit_2(argv: tuple[str, ...], seed_store: Store,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, *argv, "--db", seed_store.name)
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error:"), lines
    assert "Traceback" not in lines[0]


def test_missing_store_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "users", "list", "--db", str(tmp_path / "none.duckdb"))
    assert code == 1 and len(lines) == 1 and "no such store" in lines[0]


def test_accounts_survive_a_reingest(seed_store: Store, tmp_path: Path) -> None:
    acc.add_account(seed_store, acc.new_account("irina@example.com", "moderator"))
    acc.set_disabled(seed_store, "irina@example.com", True)
    ingest([write_snapshot(tmp_path / "again.ndjson", SEED_RECORDS)], seed_store, "seed", say=lambda _m: None)
    assert [a.line() for a in acc.list_accounts(seed_store)] == ["irina@example.com  moderator  disabled"]


# ------------------------------------------------------------------------------------------------- concurrency
def test_concurrent_adds_of_one_email_give_one_account(seed_store: Store) -> None:
    """Eight writers add the same email at once (with different roles): one is added, seven get 'already exists',
    and the table holds exactly one, whole row."""
    def add(n: int) -> Callable[[], str]:
        role = ("moderator", "manager", "admin")[n % 3]

        def write() -> str:
            try:
                acc.add_account(seed_store, acc.new_account("race@example.com", role, name=f"writer {n}"))
            except acc.AccountExists:
                return "exists"
            return f"added {role} writer {n}"
        return write

    results: list[str] = at_once(*(add(n) for n in range(8)))
    added = [r for r in results if r.startswith("added")]
    assert len(added) == 1 and results.count("exists") == 7
    got = rows(seed_store, "SELECT email, role, name, disabled FROM accounts")
    assert len(got) == 1
    _, role, writer = added[0].split(" ", 2)
    assert got[0] == ("race@example.com", role, writer, False)


def test_concurrent_add_and_disable(seed_store: Store) -> None:
    """An add racing a disable on one email: either the disable saw the account (it ends disabled) or it did not
    (not found, the account ends active). Never two rows, never a half-written one."""
    for _ in range(4):
        barrier = threading.Barrier(2)
        outcome: dict[str, str] = {}
        threads = [threading.Thread(target=_add_pair, args=(seed_store, barrier, outcome)),
                   threading.Thread(target=_disable_pair, args=(seed_store, barrier, outcome))]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        got = rows(seed_store, "SELECT role, disabled FROM accounts WHERE email = 'pair@example.com'")
        assert outcome["add"] == "added"
        assert got == [("moderator", outcome["disable"] == "disabled")]
        acc.remove_account(seed_store, "pair@example.com")


def _add_pair(store: Store, barrier: threading.Barrier, outcome: dict[str, str]) -> None:
    barrier.wait()
    acc.add_account(store, acc.new_account("pair@example.com", "moderator"))
    outcome["add"] = "added"


def _disable_pair(store: Store, barrier: threading.Barrier, outcome: dict[str, str]) -> None:
    barrier.wait()
    try:
        acc.set_disabled(store, "pair@example.com", True)
        outcome["disable"] = "disabled"
    except acc.AccountNotFound:
        outcome["disable"] = "not found"


def test_two_processes_add_one_email_on_postgresql(seed_postgresql: Store) -> None:
    """Two real ``users add`` processes on one PostgreSQL store: exit codes {0, 3} and one row."""
    store = seed_postgresql
    procs = [subprocess.Popen([sys.executable, "-m", "dashboard", "users", "add", "twin@example.com", "--role", role,
                               "--db", store.name], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for role in ("moderator", "admin")]
    outs = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    assert sorted(code for code, _, _ in outs) == [0, 3], outs
    for _code, out, err in outs:
        assert len((out + err).strip().splitlines()) == 1
    assert len(rows(store, "SELECT role FROM accounts WHERE email = 'twin@example.com'")) == 1
