"""Issue 27 item 6: account changes made while an ingest (or sync) replaces the store are never undone by it.

``users add|disable|remove`` race ingests run by other processes (their last moment before the swap widened with
PROMO_INGEST_HOLD_SECONDS); every change that was confirmed must be in the store afterwards, on both engines. A
change refused because an ingest held the store too long says so and changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard.access import accounts as acc
from dashboard.ingest.build import ingest
from dashboard.store.connect import INGEST_BUSY, Store, StoreBusy, duckdb_ingest_lock
from tests.conftest import REPO, StoreFactory
from tests.test_repository import SEED_RECORDS, write_snapshot

INGESTS = 2
PAUSE = 0.05  # seconds between one person's account commands (a tight loop would starve the ingest's poll)


def _seeded(new_store: StoreFactory, tmp_path: Path) -> tuple[Store, Path]:
    store = new_store()
    snapshot = write_snapshot(tmp_path / "seed.ndjson", SEED_RECORDS)
    ingest([snapshot], store, "seed", say=lambda _m: None)
    return store, snapshot


def test_account_writes_racing_ingests_are_never_lost(new_store: StoreFactory, tmp_path: Path) -> None:
    store, snapshot = _seeded(new_store, tmp_path)
    env = {**os.environ, "PROMO_INGEST_HOLD_SECONDS": "0.7", "PROMO_INGEST_WAIT": "60"}
    failed: list[str] = []

    def ingests() -> None:
        for _ in range(INGESTS):
            done = subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(snapshot), "--db", store.name,
                                   "--layout", "seed"], cwd=REPO, env=env, capture_output=True, text=True,
                                  timeout=300, check=False)
            if done.returncode != 0:
                failed.append(done.stderr)

    runner = threading.Thread(target=ingests)
    runner.start()
    expected: dict[str, bool | None] = {}  # email → disabled (None: removed), for every confirmed change
    undone: list[str] = []  # confirmed adds that a later disable or remove found gone
    refused = n = 0
    while runner.is_alive():
        n += 1
        email = f"m{n}@example.com"
        try:
            acc.add_account(store, acc.new_account(email, "moderator"))
            expected[email] = False
            if n % 3 == 0:
                acc.set_disabled(store, email, True)
                expected[email] = True
            if n % 5 == 0:
                acc.remove_account(store, email)
                expected[email] = None
        except StoreBusy as exc:
            assert str(exc).endswith(INGEST_BUSY)
            refused += 1
        except acc.AccountNotFound:
            undone.append(email)
        time.sleep(PAUSE)
    runner.join()
    assert not failed, failed
    assert not undone, f"confirmed adds undone by an ingest: {undone}"
    assert len(expected) >= 10, f"only {len(expected)} account changes confirmed ({refused} refused)"
    now = {a.email: a.disabled for a in acc.list_accounts(store)}
    lost = {e: (want, now.get(e)) for e, want in expected.items() if now.get(e) != want}
    assert not lost, f"{len(lost)} of {len(expected)} confirmed account changes undone by an ingest: {lost}"


def test_an_account_write_waits_for_an_ingest_or_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckDB: while an ingest holds the store, an account write waits; held past the write wait, it is refused
    in one line and nothing is written."""
    store = Store(str(tmp_path / "s.duckdb"))
    ingest([write_snapshot(tmp_path / "seed.ndjson", SEED_RECORDS)], store, "seed", say=lambda _m: None)
    monkeypatch.setenv("PROMO_WRITE_WAIT", "0.3")
    with duckdb_ingest_lock(store, lambda _m: None), pytest.raises(StoreBusy, match=INGEST_BUSY):
        acc.add_account(store, acc.new_account("late@example.com", "moderator"))
    assert acc.list_accounts(store) == []
    monkeypatch.setenv("PROMO_WRITE_WAIT", "30")
    with duckdb_ingest_lock(store, lambda _m: None):
        worker = threading.Thread(target=acc.add_account, args=(store, acc.new_account("patient@example.com",
                                                                                          "admin")))
        worker.start()
        worker.join(0.5)
        assert worker.is_alive()  # waiting for the ingest
    worker.join(30)
    assert [a.email for a in acc.list_accounts(store)] == ["patient@example.com"]


def test_users_command_on_a_missing_store_leaves_no_lock_file(tmp_path: Path) -> None:
    missing = Store(str(tmp_path / "none.duckdb"))
    with pytest.raises(acc.StoreError, match="no such store"):
        acc.add_account(missing, acc.new_account("x@example.com", "admin"))
    assert list(tmp_path.iterdir()) == []
