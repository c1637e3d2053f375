"""``moderate`` and ``export-changes`` as a user runs them: exit codes 0/2/3/4, one line each."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from dashboard.ingest.build import ingest
from dashboard.moderation.cli import add_moderation_parsers
from dashboard.store.connect import Store
from tests.data import ARTIST, SEED_RECORDS, write_snapshot
from tests.sql import rows, scalar


def parser() -> argparse.ArgumentParser:
    """The real CLI when moderate is wired into it, else the same subcommands on their own."""
    from dashboard import cli

    full = cli.build_parser()
    if "moderate" in full.format_help():
        return full
    p = argparse.ArgumentParser(prog="python -m dashboard")
    add_moderation_parsers(p.add_subparsers(dest="command", required=True))
    return p


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    try:
        args = parser().parse_args(list(argv))
        code = int(args.run(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).strip().splitlines()


@pytest.fixture
def db(seed_duckdb: Store) -> str:
    return seed_duckdb.name


def test_approve_then_conflict(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "tracks", "--id", "t1", "--action", "approve",
                      "--actor", "Анна")
    assert code == 0 and len(lines) == 1 and "approved" in lines[0]
    assert scalar(Store(db), "SELECT status FROM tracks WHERE id = 't1'") == "approved"
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "tracks", "--id", "t1", "--action", "reject",
                      "--reason", "quality", "--actor", "Борис")
    assert code == 3 and len(lines) == 1 and "already approved by Анна" in lines[0]


def test_reject_without_reason_is_usage_error(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "tracks", "--id", "t1", "--action", "reject",
                      "--actor", "Анна")
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error:") and "reason" in lines[0]
    assert scalar(Store(db), "SELECT status FROM tracks WHERE id = 't1'") == "pending"


def test_bad_arguments_one_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "songs", "--id", "t1", "--action", "approve",
                      "--actor", "Анна")
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error:")


def test_canned_reason_code_and_undo(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "videos", "--id", "v1", "--action", "reject",
                      "--reason", "rights", "--actor", "Анна")
    assert code == 0 and len(lines) == 1
    assert rows(Store(db), "SELECT status, reason FROM videos") == [("rejected", "Нарушение авторских прав")]
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "videos", "--id", "v1", "--action", "undo",
                      "--actor", "Анна")
    assert code == 0 and len(lines) == 1 and "undone" in lines[0]
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "videos", "--id", "v1", "--action", "undo",
                      "--actor", "Анна")
    assert code == 3 and len(lines) == 1


def test_not_found(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "tracks", "--id", "nope", "--action", "approve",
                      "--actor", "Анна")
    assert code == 4 and len(lines) == 1 and "not found" in lines[0]
    code, lines = run(capsys, "moderate", "--db", db, "--entity", "news", "--id", "n1", "--action", "undo",
                      "--actor", "Анна")
    assert code == 4 and len(lines) == 1 and "no decision" in lines[0]


def test_export_changes_command(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "moderate", "--db", db, "--entity", "tracks", "--id", "t1", "--action", "approve", "--actor", "Анна")
    out = tmp_path / "changes.ndjson"
    code, lines = run(capsys, "export-changes", "--db", db, "--out", str(out))
    assert code == 0 and len(lines) == 1 and "3 keys" in lines[0]
    ops = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {o["key"] for o in ops} == {f"tracks:{ARTIST}:t1", f"notifications:{ARTIST}:list",
                                       f"notifications:{ARTIST}:unread"}
    code, lines = run(capsys, "export-changes", "--db", db, "--since", "not-a-date", "--out", str(out))
    assert code == 2 and len(lines) == 1


def test_item_not_pending_says_what_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(str(tmp_path / "d.duckdb"))
    draft = {"key": f"videos:{ARTIST}:v9", "value": {"id": "v9", "user_id": ARTIST, "title": "Черновик",
                                                    "status": "draft"}}
    ingest([write_snapshot(tmp_path / "seed.ndjson", [*SEED_RECORDS, draft])], store, "seed", say=lambda _m: None)
    code, lines = run(capsys, "moderate", "--db", store.name, "--entity", "videos", "--id", "v9", "--action",
                      "approve", "--actor", "Анна")
    assert (code, lines) == (3, ["error: videos v9: is draft, not pending"])


def test_store_from_before_the_moderation_tables(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    with duckdb.connect(db) as con:
        con.execute("DROP TABLE moderation_log")
        con.execute("DROP TABLE kv_changes")
    for argv in (("moderate", "--db", db, "--entity", "tracks", "--id", "t1", "--action", "approve", "--actor", "Анна"),
                 ("export-changes", "--db", db, "--out", str(tmp_path / "c.ndjson"))):
        code, lines = run(capsys, *argv)
        assert code == 1 and len(lines) == 1 and "re-ingest" in lines[0], lines


def test_a_command_imports_only_its_own_module() -> None:
    """``python -m dashboard users …`` builds a parser without the other commands' modules (pandas for ``check``,
    the bench and serve code); with no command every command is listed."""
    import subprocess
    import sys

    probe = ("import sys; from dashboard.cli import build_parser; build_parser('users'); "
             "print(*sorted(m for m in ('dashboard.health.checks', 'dashboard.serve', 'dashboard.bench.commands', "
             "'dashboard.moderation.cli', 'dashboard.access.cli') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.split() == ["dashboard.access.cli"]
    from dashboard import cli

    listed = cli.build_parser().format_help()
    assert all(name in listed for name in ("ingest", "moderate", "check", "users", "serve", "preflight", "bench"))
