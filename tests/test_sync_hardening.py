"""Issue 27, sync: a killed sync's snapshot folder is removed by the next sync or ingest (item 5), and a platform
table with a mixed-case name, plain or schema-qualified, is synced and written back to as named (item 13), also
through its change log and by the sync that builds inside the platform's own database.

Real PostgreSQL (the suite's server) as the platform; stores on both engines (``new_store``)."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from dashboard.ingest.build import ingest
from dashboard.moderation import service
from dashboard.store.connect import Store
from dashboard.store.leftovers import SYNC_PREFIX
from dashboard.sync import changelog
from dashboard.sync.feed import FeedResult
from dashboard.sync.run import run_sync, snapshot_parent, sync
from dashboard.sync.source import PlatformSource, SourceError, resolve_source
from tests.conftest import REPO, StoreFactory
from tests.sql import scalar
from tests.sync_platform import TABLE, libpq, make_platform, platform_execute
from tests.test_sync import BANNER_ID, BANNER_KEY

_n = itertools.count()
ENV = "PROMO_TEST_HARDENING_PLATFORM"
KEYS = 486  # keys of the deployed fixture
quiet = lambda _m: None  # noqa: E731


@pytest.fixture
def platform(pg_url: str, fixture_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_platform(pg_url, f"hplatform_{os.getpid()}_{next(_n)}", fixture_snapshot)
    monkeypatch.setenv(ENV, libpq(url))
    return url


@pytest.fixture
def own_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp folder of this test (a PostgreSQL store's sync writes its snapshot there)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)
    return folder


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def leftover(parent: Path, pid: int, size: int = 1_000_000) -> Path:
    """A snapshot folder as a sync killed while building leaves it."""
    folder = parent / f"{SYNC_PREFIX}{pid}-x1y2z3"
    folder.mkdir()
    (folder / "platform-0.ndjson").write_bytes(b"{}\n" * (size // 3))
    return folder


# ---------------------------------------------------------------- item 5: a killed sync's snapshot


def test_the_next_sync_removes_dead_syncs_snapshots(new_store: StoreFactory, platform: str, own_temp: Path) -> None:
    store = new_store()
    parent = snapshot_parent(store)
    dead, alive = leftover(parent, dead_pid()), leftover(parent, os.getpid())
    said: list[str] = []
    sync(resolve_source(f"env:{ENV}"), store, "auto", say=said.append)
    assert not dead.exists(), "a dead sync's snapshot is left behind"
    assert alive.exists(), "a running sync's snapshot must be kept"
    assert any("left by an interrupted sync" in line for line in said), said
    assert not [p for p in parent.glob(SYNC_PREFIX + "*") if p != alive]  # this sync's own folder is gone too


def test_an_ingest_removes_dead_syncs_snapshots(new_store: StoreFactory, tiny_demo_snapshot: Path,
                                                own_temp: Path) -> None:
    store = new_store()
    parent = own_temp if store.is_postgres else store.path.parent
    dead = leftover(parent, dead_pid())
    ingest([tiny_demo_snapshot], store, "seed", say=quiet)
    assert not dead.exists()


def test_a_sync_killed_while_building_leaves_nothing_after_the_next(new_store: StoreFactory, platform: str,
                                                                     own_temp: Path) -> None:
    """kill -9 of ``sync`` while its snapshot is on disk (held just before the swap), then the next sync."""
    store = new_store()
    parent = snapshot_parent(store)
    env = {**os.environ, ENV: libpq(platform), "PROMO_INGEST_HOLD_SECONDS": "60", "TMPDIR": str(own_temp)}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "sync", "--source", f"env:{ENV}", "--db", store.name],
                            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    mine = f"{SYNC_PREFIX}{proc.pid}-"
    while time.monotonic() < deadline and not any(
            p.name.startswith(mine) and (p / "platform-0.ndjson").is_file() for p in parent.glob(SYNC_PREFIX + "*")):
        time.sleep(0.05)
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = [p for p in parent.glob(SYNC_PREFIX + "*") if p.name.startswith(mine)]
    assert left and sum(f.stat().st_size for f in left[0].rglob("*")) > 100_000  # the snapshot of the table
    sync(resolve_source(f"env:{ENV}"), store, "auto", say=quiet)
    assert not list(parent.glob(SYNC_PREFIX + "*"))
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == KEYS


# ---------------------------------------------------------------- item 13: a mixed-case table name


@pytest.mark.parametrize("table", ["KvStore", "public.KvStore"])
def test_a_mixed_case_table_is_synced_and_written_back_as_named(new_store: StoreFactory, platform: str,
                                                                table: str) -> None:
    platform_execute(platform, f'ALTER TABLE {TABLE} RENAME TO "KvStore"')
    source = resolve_source(f"env:{ENV}", table)
    store = new_store()
    result = sync(source, store, "auto", say=quiet)
    assert result.rows_read == KEYS and scalar(store, "SELECT COUNT(*) FROM kv_store") == KEYS
    [out] = service.decide(store, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                           "approve", "moder")
    assert out.applied, out.message  # the role may write the table: decisions go back to it
    with psycopg.connect(libpq(platform)) as conn:
        status = conn.execute('SELECT value->>\'status\' FROM "KvStore" WHERE key = %s', [BANNER_KEY]).fetchone()
    assert status == ("pending_payment",)  # a deployed banner approves to awaiting payment (moderated_entities.json)


@pytest.mark.parametrize("where", ["duckdb", "in-server"])
def test_a_mixed_case_table_through_its_change_log(platform: str, tmp_path: Path, where: str) -> None:
    """The change log installed on "KvStore", a full sync (into a DuckDB store, or built inside the platform's own
    database), then a change to the table applied by the next sync from the log."""
    platform_execute(platform, f'ALTER TABLE {TABLE} RENAME TO "KvStore"')
    source = resolve_source(f"env:{ENV}", "KvStore")
    assert changelog.install(source).startswith("installed the change log on KvStore")
    store = Store(platform) if where == "in-server" else Store(str(tmp_path / "s.duckdb"))
    said: list[str] = []
    full = run_sync(source, store, "auto", say=said.append)
    assert not isinstance(full, FeedResult) and full.rows_read == KEYS
    assert ("  same database: building inside the server" in said) == (where == "in-server")
    platform_execute(platform, 'INSERT INTO "KvStore" VALUES (%s, %s::jsonb)', ["misc:probe", '{"n": 1}'])
    changes = run_sync(source, store, "auto", say=quiet)
    assert isinstance(changes, FeedResult) and (changes.changes, changes.rows_loaded) == (1, 1)
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == KEYS + 1


def test_a_table_named_in_another_case_is_not_found(platform: str, tmp_path: Path) -> None:
    """Names are not folded to lower case: the platform's kv_store_84730125 is not KV_STORE_84730125."""
    source = PlatformSource(url=libpq(platform), label="platform", credentials="url", table="KV_STORE_84730125")
    with pytest.raises(SourceError, match="no table KV_STORE_84730125"):
        sync(source, Store(str(tmp_path / "s.duckdb")), "auto", say=quiet)
