"""The ingest command as a user runs it: summaries, one-line fatal errors, exit codes, atomic replace."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.store.connect import Store
from tests.conftest import REPO
from tests.sql import scalar


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if k != "PROMO_DB"}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=REPO, capture_output=True, text=True,
                          env=full_env, timeout=300)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ") and fragment in lines[0], lines[0]
    assert "Traceback" not in proc.stderr + proc.stdout


def test_ingest_summary_and_exit_zero_with_rejects(tmp_path: Path, fixture_snapshot: Path) -> None:
    db = tmp_path / "s.duckdb"
    bad = tmp_path / "bad.ndjson"
    bad.write_text('{"key": "tracks:u:t", "value": {"id": "t"}}\n{oops\n', encoding="utf-8")
    proc = run_cli("ingest", str(fixture_snapshot), str(bad), "--db", str(db), "--layout", "deployed")
    assert proc.returncode == 0, proc.stderr
    assert "488 records read, 487 keys loaded, 1 rejected, 21 unmapped" in proc.stdout
    # the summary tells the layout's own unmodeled patterns (with their reason) from keys no entry knows
    assert "not modelled on purpose: 20 keys in 11 patterns" in proc.stdout
    assert "unknown (no layout entry): 1 key: tracks:* 1" in proc.stdout
    assert "rejects: malformed JSON 1" in proc.stdout
    assert "tracks 59" in proc.stdout
    # the seed-style key is not part of the deployed layout: listed, not lost
    assert scalar(Store(str(db)), "SELECT pattern FROM kv_unmapped WHERE key = 'tracks:u:t'") == "tracks:*"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["ingest", "nope.ndjson"], "nope.ndjson: no such file"),
        (["ingest", "{fixture}", "--layout", "nosuch"], "layout 'nosuch' not found"),
        (["ingest", "{garbage}"], "unknown format"),
        (["ingest", "{fixture}", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/none"], "cannot connect"),
        (["ingest", "{badparquet}"], "Parquet needs key and value columns"),
        (["ingest", "{badlayout}", "--layout", "{badlayout}"], "not valid JSON"),
    ],
)
def test_fatal_problems_print_one_line(args: list[str], fragment: str, tmp_path: Path, fixture_snapshot: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"\x00\x01\x02 binary garbage")
    badparquet = tmp_path / "cols.parquet"
    import duckdb

    duckdb.sql(f"COPY (SELECT 1 AS a) TO '{badparquet}' (FORMAT parquet)")
    badlayout = tmp_path / "layout.json"
    badlayout.write_text("{not json", encoding="utf-8")
    subst = {"{fixture}": str(fixture_snapshot), "{garbage}": str(garbage), "{badparquet}": str(badparquet),
             "{badlayout}": str(badlayout)}
    real = [subst.get(a, a) for a in args]
    if "--db" not in real:
        real += ["--db", str(tmp_path / "x.duckdb")]
    assert_one_line_error(run_cli(*real), fragment)


def test_store_precedence_flag_env_secrets_default(tmp_path: Path) -> None:
    from dashboard.store.connect import DEFAULT_STORE, resolve_store

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.promo]\nurl = "from-secrets.duckdb"\n', encoding="utf-8")
    os.environ.pop("PROMO_DB", None)
    assert resolve_store(None, tmp_path / "missing.toml").name == DEFAULT_STORE
    assert resolve_store(None, secrets).name == "from-secrets.duckdb"
    os.environ["PROMO_DB"] = "from-env.duckdb"
    try:
        assert resolve_store(None, secrets).name == "from-env.duckdb"
        assert resolve_store("from-flag.duckdb", secrets).name == "from-flag.duckdb"
    finally:
        os.environ.pop("PROMO_DB")
    secrets.write_text("[connections.promo\n", encoding="utf-8")
    from dashboard.store.connect import StoreError

    with pytest.raises(StoreError, match="not valid TOML"):
        resolve_store(None, secrets)


def test_failed_ingest_keeps_previous_content(tmp_path: Path, fixture_snapshot: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", str(fixture_snapshot), "--db", str(db), "--layout", "deployed").returncode == 0
    badparquet = tmp_path / "cols.parquet"
    import duckdb

    duckdb.sql(f"COPY (SELECT 1 AS a) TO '{badparquet}' (FORMAT parquet)")
    proc = run_cli("ingest", str(fixture_snapshot), str(badparquet), "--db", str(db))
    assert proc.returncode != 0
    store = Store(str(db))
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 486
    assert scalar(store, "SELECT COUNT(*) FROM tracks") == 59
    assert scalar(store, "SELECT COUNT(*) FROM ingest_runs") == 1
    assert not list(tmp_path.glob("s.duckdb.ingest-*"))


def test_kill_9_mid_ingest_keeps_previous_content(tmp_path: Path, fixture_snapshot: Path) -> None:
    db = tmp_path / "s.duckdb"
    assert run_cli("ingest", str(fixture_snapshot), "--db", str(db), "--layout", "deployed").returncode == 0
    big = tmp_path / "big.ndjson"
    with open(big, "w", encoding="utf-8") as fh:
        for i in range(100_000):
            fh.write(json.dumps({"key": f"tracks:u{i % 97}:t{i}", "value": {"id": f"t{i}", "title": "x" * 50}}))
            fh.write("\n")
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "ingest", str(big), "--db", str(db)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(tmp_path.glob("s.duckdb.ingest-*.tmp")):
        time.sleep(0.01)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    store = Store(str(db))
    count = scalar(store, "SELECT COUNT(*) FROM kv_store")
    # Either the kill came first (old content, whole) or the ingest had already finished (new content, whole).
    assert count in (486, 100_000)
    if count == 486:
        assert scalar(store, "SELECT COUNT(*) FROM tracks") == 59
    # the next ingest clears the dead build's leftovers
    assert run_cli("ingest", str(fixture_snapshot), "--db", str(db), "--layout", "deployed").returncode == 0
    assert not list(tmp_path.glob("s.duckdb.ingest-*"))
    assert scalar(store, "SELECT COUNT(*) FROM ingest_runs") >= 2
