"""Issue 11's race, CI-sized: ``moderate`` against ``ingest`` in separate processes, on both engines.

The full-size race (30 races against a 1M-key ingest) is ``python -m dashboard bench race --scale medium``; here
6 races per engine on the small demo store, with the ingest's last moment before the swap widened
(PROMO_INGEST_HOLD_SECONDS), and decisions that wait either long (they land after the swap) or briefly (refused).
The two documented outcomes are also checked deterministically, with the test itself holding the store.
The other side too: an ingest that finds a decision in flight waits for it (up to PROMO_INGEST_WAIT), says so, and
loads; held past that wait it fails in one line and changes nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from dashboard.bench.race import pending_tracks, run_races
from dashboard.ingest.build import ingest
from dashboard.store.connect import INGEST_BUSY, Store, duckdb_ingest_lock
from tests.conftest import REPO, StoreFactory
from tests.sql import rows, scalar


def _ingested(new_store: StoreFactory, tiny_demo_snapshot: Path, tmp_path: Path) -> tuple[Store, Path]:
    store: Store = new_store()
    snapshot = Path(shutil.copyfile(tiny_demo_snapshot, tmp_path / "snapshot.ndjson"))
    ingest([snapshot], store, "seed", say=lambda _m: None)
    return store, snapshot


def test_no_decision_lost_during_an_ingest(new_store: StoreFactory, tiny_demo_snapshot: Path, tmp_path: Path) -> None:
    store, snapshot = _ingested(new_store, tiny_demo_snapshot, tmp_path)
    # two races, one decision that waits for the ingest and one that gives up (`bench race` runs many)
    report = run_races(store, snapshot, races=2, window=2.0, write_waits=(60.0, 0.2), hold=1.0, say=lambda _m: None)
    assert not report.lost, report.lines()
    assert not report.undocumented, report.lines()
    assert report.applied + report.refused == 2


@contextlib.contextmanager
def held_like_an_ingest(store: Store) -> Iterator[None]:
    if store.is_postgres:
        from dashboard.ingest.postgres_load import hold_store

        with hold_store(store, lambda _m: None):
            yield
    else:
        with duckdb_ingest_lock(store, lambda _m: None):
            yield


def _moderate(store: Store, track: str, wait: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PROMO_WRITE_WAIT=str(wait))
    return subprocess.run([sys.executable, "-m", "dashboard", "moderate", "--db", store.name, "--entity", "tracks",
                           "--id", track, "--action", "approve", "--actor", "тест"],
                          capture_output=True, text=True, check=False, env=env)


def test_decision_waits_for_an_ingest_or_is_refused(new_store: StoreFactory, tiny_demo_snapshot: Path,
                                                    tmp_path: Path) -> None:
    store, _ = _ingested(new_store, tiny_demo_snapshot, tmp_path)
    first, second = pending_tracks(store, 2)
    with held_like_an_ingest(store):
        refused = _moderate(store, first, wait=0.2)
    assert refused.returncode == 5
    assert refused.stderr.strip().endswith(INGEST_BUSY) and refused.stderr.count("\n") == 1
    assert scalar(store, "SELECT COUNT(*) FROM moderation_log WHERE entity_id = :i", i=first) == 0
    # a decision that waits long enough lands once the ingest lets go
    done: list[subprocess.CompletedProcess[str]] = []
    with held_like_an_ingest(store):
        worker = threading.Thread(target=lambda: done.append(_moderate(store, second, wait=60)))
        worker.start()
        time.sleep(1.0)
        assert worker.is_alive()
    worker.join(120)
    assert done[0].returncode == 0, done[0].stderr
    assert rows(store, "SELECT status FROM tracks WHERE id = :i", i=second) == [("approved",)]


# "An ingest never fails because a decision briefly holds the store: it waits, bounded, and says so."
WAITING = "waiting for moderation decisions"


def _snapshot(path: Path, titles: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"key": f"tracks:u1:{i}", "value": {"id": i, "user_id": "u1", "title": t,
                                                                              "status": "pending"}}) + "\n"
                            for i, t in titles.items()), encoding="utf-8")
    return path


@contextlib.contextmanager
def decision_in_flight(store: Store) -> Iterator[threading.Event]:
    """A decision's own transaction (``unit_of_work.transaction``: ``store_write_lock`` shared, the DuckDB file or the
    PostgreSQL transaction-level advisory lock) held open in another thread until the yielded event is set."""
    from dashboard.moderation.unit_of_work import transaction

    held, release = threading.Event(), threading.Event()
    failed: list[BaseException] = []

    def decide() -> None:
        try:
            with transaction(store) as conn:
                conn.execute(sa.text("SELECT COUNT(*) FROM moderation_log")).scalar()
                held.set()
                release.wait(120)
        except BaseException as exc:  # reported by the test
            failed.append(exc)
            held.set()

    worker = threading.Thread(target=decide, daemon=True)
    worker.start()
    assert held.wait(30) and not failed, failed
    try:
        yield release
    finally:
        release.set()
        worker.join(30)
    assert not worker.is_alive() and not failed, failed


def _ingest_cli(store: Store, snapshot: Path, wait: float) -> subprocess.Popen[str]:
    env = dict(os.environ, PROMO_INGEST_WAIT=str(wait))
    return subprocess.Popen([sys.executable, "-m", "dashboard", "ingest", str(snapshot), "--db", store.name],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_an_ingest_waits_for_a_decision_says_so_and_loads(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    ingest([_snapshot(tmp_path / "old.ndjson", {"t1": "Старый"})], store, "seed", say=lambda _m: None)
    new = _snapshot(tmp_path / "new.ndjson", {"t1": "Новый", "t2": "Второй"})
    with decision_in_flight(store) as release:
        proc = _ingest_cli(store, new, wait=60)
        assert proc.stderr is not None
        first = proc.stderr.readline()  # the ingest's first word: it found the store held
        assert WAITING in first and "(up to 60 s)" in first, first
        time.sleep(2.0)
        assert proc.poll() is None  # still waiting, nothing loaded while the decision holds the store
        assert rows(store, "SELECT id, title FROM tracks ORDER BY id") == [("t1", "Старый")]
        release.set()
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, first + err
    assert "Traceback" not in err and WAITING not in err  # said once, before waiting
    assert rows(store, "SELECT id, title FROM tracks ORDER BY id") == [("t1", "Новый"), ("t2", "Второй")]
    assert scalar(store, "SELECT COUNT(*) FROM ingest_runs") == 2
    assert out.strip(), "the ingest summary"


def test_an_ingest_held_past_its_wait_fails_in_one_line_and_changes_nothing(new_store: StoreFactory,
                                                                            tmp_path: Path) -> None:
    store = new_store()
    ingest([_snapshot(tmp_path / "old.ndjson", {"t1": "Старый"})], store, "seed", say=lambda _m: None)
    before = rows(store, "SELECT key, CAST(value AS VARCHAR) FROM kv_store ORDER BY key")
    runs = rows(store, "SELECT id FROM ingest_runs ORDER BY id")
    new = _snapshot(tmp_path / "new.ndjson", {"t1": "Новый", "t2": "Второй"})
    with decision_in_flight(store):  # held until the ingest has given up (its wait is 1 s)
        started = time.monotonic()
        proc = _ingest_cli(store, new, wait=1)
        out, err = proc.communicate(timeout=120)
        took = time.monotonic() - started
    assert proc.returncode == 1, err
    assert out == "" and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and WAITING in lines[0] and "(up to 1 s)" in lines[0], err
    assert lines[1].startswith("error: ") and "is busy: decisions or another ingest held it for over 1 s" in lines[1]
    assert lines[1].endswith("nothing was changed, try again"), err
    assert took < 60  # bounded by PROMO_INGEST_WAIT, not the default 120 s
    assert rows(store, "SELECT key, CAST(value AS VARCHAR) FROM kv_store ORDER BY key") == before
    assert rows(store, "SELECT id FROM ingest_runs ORDER BY id") == runs
    assert rows(store, "SELECT id, title FROM tracks ORDER BY id") == [("t1", "Старый")]
    if not store.is_postgres:  # no build file left next to the store
        assert not list(store.path.parent.glob(f"{store.path.name}.ingest-*"))
