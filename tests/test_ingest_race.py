"""Issue 11's race, CI-sized: ``moderate`` against ``ingest`` in separate processes, on both engines.

The full-size race (30 races against a 1M-key ingest) is ``python -m dashboard bench race --scale medium``; here
6 races per engine on the small demo store, with the ingest's last moment before the swap widened
(PROMO_INGEST_HOLD_SECONDS), and decisions that wait either long (they land after the swap) or briefly (refused).
The two documented outcomes are also checked deterministically, with the test itself holding the store.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from dashboard.bench.race import pending_tracks, run_races
from dashboard.ingest.build import ingest
from dashboard.store.connect import INGEST_BUSY, Store, duckdb_ingest_lock
from tests.conftest import StoreFactory
from tests.sql import rows, scalar


def _ingested(new_store: StoreFactory, demo_snapshot: Path, tmp_path: Path) -> tuple[Store, Path]:
    store: Store = new_store()
    snapshot = Path(shutil.copyfile(demo_snapshot, tmp_path / "snapshot.ndjson"))
    ingest([snapshot], store, "seed", say=lambda _m: None)
    return store, snapshot


def test_no_decision_lost_during_an_ingest(new_store: StoreFactory, demo_snapshot: Path, tmp_path: Path) -> None:
    store, snapshot = _ingested(new_store, demo_snapshot, tmp_path)
    report = run_races(store, snapshot, races=6, window=2.0, write_waits=(60.0, 0.2), hold=1.0, say=lambda _m: None)
    assert not report.lost, report.lines()
    assert not report.undocumented, report.lines()
    assert report.applied + report.refused == 6


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
    import os

    env = dict(os.environ, PROMO_WRITE_WAIT=str(wait))
    return subprocess.run([sys.executable, "-m", "dashboard", "moderate", "--db", store.name, "--entity", "tracks",
                           "--id", track, "--action", "approve", "--actor", "тест"],
                          capture_output=True, text=True, check=False, env=env)


def test_decision_waits_for_an_ingest_or_is_refused(new_store: StoreFactory, demo_snapshot: Path,
                                                    tmp_path: Path) -> None:
    store, _ = _ingested(new_store, demo_snapshot, tmp_path)
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
