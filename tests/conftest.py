"""Shared fixtures: a real PostgreSQL server started by the suite, fresh stores on both engines, snapshots, stores
built once per session, and the test tiers (markers ``postgres``, ``browser``, ``slow``; see README "Tests").

The tiers are marked here, at collection, so a new test is put in its tier without a marker by hand:
- ``browser``: every test under tests/browser;
- ``postgres``: every test that may use the suite's PostgreSQL server: it requests ``pg_url`` (directly or through
  a fixture that does), is parametrized with the value "postgresql" (``new_store[postgresql]``, ``seed_store``,
  ``engine``), or uses ``demo_stores`` without being pinned to "duckdb" by a parameter;
- ``slow``: tests that take 3.5 s or more, starting the app or racing and killing real processes (SLOW below, or
  marked by hand); ``make test-fast`` leaves them out.

The PostgreSQL server starts lazily, the first time a test needs it: a run of DuckDB-only tests never starts it.
Under ``-m "not postgres ..."`` (``make test-fast``) a test that reaches for it anyway fails with a message saying
how to mark it, rather than starting a server in the fast tier.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from dashboard.store.connect import Store
from tests.pg_server import copy_database, create_database, postgres_server

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PROMO_SHARED", REPO.parent / "shared"))
FIXTURE = SHARED / "fixtures" / "deployed-kv-snapshot.ndjson"
AS_OF = dt.date(2026, 11, 1)
ENGINES = ("duckdb", "postgresql")
_db_counter = itertools.count()

StoreFactory = Callable[[], Store]

BROWSER_DIR = Path(__file__).resolve().parent / "browser"
# Fixtures that reach the PostgreSQL server however they are parametrized.
POSTGRES_FIXTURES = {"pg_url"}
# Tests (node ids without parameters) that take 3.5 s or more each on 2 cores, because they start the app, race real
# processes or threads, or kill one mid-write; `make test-fast` (-m "... and not slow") leaves them to `make test`.
SLOW = {
    "tests/test_accounts_ingest_race.py::test_account_writes_racing_ingests_are_never_lost",
    "tests/test_bench_load.py::test_bench_load_starts_the_app_on_a_store_and_runs_its_pages",
    "tests/test_bench_soak.py::test_a_short_soak_on_two_replicas_loses_no_decision",
    "tests/test_cli_ingest.py::test_kill_9_mid_ingest_keeps_previous_content",
    "tests/test_health.py::test_fixes_applied_and_reingested_make_their_checks_zero",
    "tests/test_ingest_race.py::test_an_ingest_waits_for_a_decision_says_so_and_loads",
    "tests/test_ingest_race.py::test_decision_waits_for_an_ingest_or_is_refused",
    "tests/test_ingest_race.py::test_no_decision_lost_during_an_ingest",
    "tests/test_ingest_targets.py::test_a_kill_in_the_swap_window_leaves_a_store_that_opens",
    "tests/test_ingest_targets.py::test_a_stale_log_is_refused_in_one_line_and_repaired_by_ingest",
    "tests/test_pg_indexes.py::test_every_main_artist_query_uses_an_index",
    "tests/test_repository.py::test_duckdb_file_held_by_another_process_says_so",
    "tests/test_serve.py::test_serve_on_duckdb_runs_one_replica_and_stops_cleanly",
    "tests/test_sync.py::test_sync_command_errors_are_one_line",
    "tests/test_sync_feed.py::test_bench_sync_incremental_reports_lag_and_cpu_per_change",
    "tests/test_sync_inserver.py::test_a_decision_during_the_in_server_build_is_not_lost",
    "tests/test_sync_inserver.py::test_layout_regexes_mean_the_same_in_postgresql",
    "tests/test_sync_inserver.py::test_seed_layout_demo_same_content_as_ingest",
}


# ---------------------------------------------------------------- tiers


def tiers_of(item: pytest.Item) -> list[str]:
    """The tier markers a collected test gets (see the module's docstring)."""
    names = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    values = {str(v) for v in callspec.params.values()} if callspec is not None else set()
    marks: list[str] = []
    if BROWSER_DIR in Path(str(item.path)).parents:
        marks.append("browser")
    if names & POSTGRES_FIXTURES or "postgresql" in values or ("demo_stores" in names and "duckdb" not in values):
        marks.append("postgres")
    if item.nodeid.split("[", 1)[0] in SLOW:
        marks.append("slow")
    return marks


@pytest.hookimpl(tryfirst=True)  # the markers must be on before -m deselects by them
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for name in tiers_of(item):
            if not item.get_closest_marker(name):
                item.add_marker(name)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # on xdist workers the slow tests go first (the browser group, the largest, is handed out before them), then
        # the grouped modules, so no worker is left with one long test or module at the end; every worker sorts
        # alike, as xdist requires
        items.sort(key=lambda item: 0 if item.get_closest_marker("slow") else 1 if browser_group(item.nodeid) else 2)


# ``--dist loadgroup``: the browser suite in two halves of about equal time (seconds alone on 2 cores: 290, 270),
# one per worker, each with its own Streamlit server and Chromium; a file not named here joins the second half
BROWSER_FIRST_HALF = {"test_moderation.py", "test_sign_in.py", "test_suspicious_activity.py", "test_platform_queue.py",
                      "test_markup_from_data.py", "test_health_page.py"}


# Modules whose module-scoped fixtures build stores (ingests, demo snapshots, servers): each goes to one worker as a
# unit, so the fixtures are built once, not once on each worker that happens to run one of its tests
ONE_WORKER_MODULES = {"test_anomalies.py", "test_anomaly_page.py", "test_artist_deals.py", "test_demo.py",
                      "test_demo_deployed.py", "test_health.py", "test_ingest_formats.py",
                      "test_moderation_platform_queue.py", "test_pg_indexes.py", "test_platform_model.py",
                      "test_platform_revenue.py", "test_query_parity.py", "test_serve.py"}


def browser_group(nodeid: str) -> str | None:
    """The xdist group of a test: "browser-1" or "browser-2" for a browser test, the module's path for a test of
    ONE_WORKER_MODULES; None for any other test (scheduled alone)."""
    path = nodeid.split("::", 1)[0]
    name = path.rsplit("/", 1)[-1]
    if path.startswith("tests/browser/"):
        return "browser-1" if name in BROWSER_FIRST_HALF else "browser-2"
    return path if name in ONE_WORKER_MODULES else None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` (make test): the browser tests go to the workers as two units (``browser_group``: each
    half on one worker, its tests in order, with one Streamlit server and one Chromium), handed out first as the
    largest; each of ONE_WORKER_MODULES as one unit; the others one by one to whichever worker is free. (xdist's
    own xdist_group mark renames node ids, which pytest 9 no longer lets it do, so the groups are made here.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class TierScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return browser_group(nodeid) or super()._split_scope(nodeid)

    return TierScheduling(config, log)  # type: ignore[arg-type]


def postgres_left_out(config: pytest.Config) -> bool:
    """True when the run's -m expression leaves out the postgres tier (make test-fast)."""
    return "not postgres" in (config.getoption("markexpr", "") or "")


# ---------------------------------------------------------------- the PostgreSQL server, started when first needed


class Servers:
    """The session's PostgreSQL server, started the first time a test asks for it and stopped at the end."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._stack = contextlib.ExitStack()
        self._url: str | None = None

    def pg_url(self) -> str:
        if self._url is None:
            if postgres_left_out(self._config):
                pytest.fail("this test reached the PostgreSQL server in a run without the postgres tier: request "
                            "pg_url or new_store (or mark it @pytest.mark.postgres) so conftest marks it")
            self._url = self._stack.enter_context(postgres_server())
        return self._url

    def close(self) -> None:
        self._stack.close()


@pytest.fixture(scope="session")
def servers(pytestconfig: pytest.Config) -> Iterator[Servers]:
    held = Servers(pytestconfig)
    try:
        yield held
    finally:
        held.close()


@pytest.fixture(scope="session")
def pg_url(servers: Servers) -> str:
    return servers.pg_url()


def _new_pg_store(pg_url: str) -> Store:
    return Store(create_database(pg_url, f"t{os.getpid()}_{next(_db_counter)}"))


def reader_cases(cases: list[Any], on_postgresql: int = 1) -> list[tuple[str, Any]]:
    """``(engine, case)`` pairs for ``parametrize(("new_store", name), ..., indirect=["new_store"])``: every case
    on DuckDB, the first ``on_postgresql`` also on PostgreSQL. For what the snapshot reader decides (formats,
    broken files, limits): the reader is the same whichever engine the store is on (the PostgreSQL build is the
    DuckDB build, copied in), so reading every case twice would test nothing new."""
    return [("duckdb", c) for c in cases] + [("postgresql", c) for c in cases[:on_postgresql]]


@pytest.fixture(params=ENGINES)
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A factory of empty stores on the parametrized engine."""
    if request.param == "duckdb":
        counter = itertools.count()
        return lambda: Store(str(tmp_path / f"store{next(counter)}.duckdb"))
    url = request.getfixturevalue("pg_url")
    return lambda: _new_pg_store(url)


# ---------------------------------------------------------------- snapshots


@pytest.fixture(scope="session")
def fixture_snapshot() -> Path:
    if not FIXTURE.is_file():
        pytest.fail(f"shared fixture not found at {FIXTURE} (set PROMO_SHARED to the shared/ folder)")
    return FIXTURE


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small demo snapshot (seed layout), as NDJSON, written once per session."""
    from dashboard.demo.snapshot import write_demo_snapshot

    out = tmp_path_factory.mktemp("demo") / "demo.ndjson"
    write_demo_snapshot(out, scale="small", seed=7, as_of=AS_OF)
    return out


@pytest.fixture(scope="session")
def tiny_demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny demo snapshot (seed layout, about 2 000 keys): for tests whose point is not the data's size (races
    against an ingest, whole-content comparisons), so each ingest they run costs little."""
    from dashboard.demo.snapshot import write_demo_snapshot

    out = tmp_path_factory.mktemp("tiny") / "tiny.ndjson"
    write_demo_snapshot(out, scale="tiny", seed=7, as_of=AS_OF)
    return out


# ---------------------------------------------------------------- stores built once per session, per engine, lazily


class SessionStores(Mapping[str, Store]):
    """One snapshot ingested once per engine, the first time a test asks for that engine's store (so DuckDB-only
    tests never start PostgreSQL). ``copy(engine, folder)`` gives a test its own store with the same content: a
    copied DuckDB file, or a PostgreSQL database made with ``CREATE DATABASE ... TEMPLATE``."""

    def __init__(self, name: str, snapshot: Callable[[], Path], servers: Servers, folder: Path,
                 layout: str = "seed") -> None:
        self._name, self._snapshot, self._servers, self._folder = name, snapshot, servers, folder
        self._layout = layout
        self._built: dict[str, Store] = {}

    def __getitem__(self, engine: str) -> Store:
        if engine not in ENGINES:
            raise KeyError(engine)
        if engine not in self._built:
            from dashboard.ingest.build import ingest

            if engine == "duckdb":
                store = Store(str(self._folder / f"{self._name}.duckdb"))
            else:
                store = Store(create_database(self._servers.pg_url(), f"{self._name}_{os.getpid()}"))
            ingest([self._snapshot()], store, self._layout, say=lambda _m: None)
            self._built[engine] = store
        return self._built[engine]

    def __iter__(self) -> Iterator[str]:
        return iter(ENGINES)

    def __len__(self) -> int:
        return len(ENGINES)

    def copy(self, engine: str, folder: Path) -> Store:
        template = self[engine]
        if engine == "duckdb":
            target = folder / f"{self._name}-{next(_db_counter)}.duckdb"
            shutil.copyfile(template.path, target)
            return Store(str(target))
        return Store(copy_database(self._servers.pg_url(), template.name.rsplit("/", 1)[1],
                                   f"{self._name}_{os.getpid()}_{next(_db_counter)}"))


@pytest.fixture(scope="session")
def session_demo(demo_snapshot: Path, servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> SessionStores:
    return SessionStores("demo", lambda: demo_snapshot, servers, tmp_path_factory.mktemp("demo_stores"))


@pytest.fixture(scope="session")
def demo_stores(session_demo: SessionStores) -> SessionStores:
    """The small demo snapshot ingested once per engine (read-only use): ``demo_stores["duckdb"]``,
    ``demo_stores["postgresql"]``, each built on first use. A test that uses it is in the postgres tier unless a
    parameter pins it to "duckdb"; a DuckDB-only test asks for ``demo_duckdb``."""
    return session_demo


@pytest.fixture(scope="session")
def demo_duckdb(session_demo: SessionStores) -> Store:
    """The demo store on DuckDB only (read-only use); no PostgreSQL."""
    return session_demo["duckdb"]


@pytest.fixture(scope="session")
def seed_stores(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> SessionStores:
    """tests.data.SEED_RECORDS ingested once per engine, as templates: tests get copies (seed_store, seed_duckdb)."""
    from tests.data import SEED_RECORDS, write_snapshot

    folder = tmp_path_factory.mktemp("seed_stores")
    return SessionStores("seed", lambda: write_snapshot(folder / "seed.ndjson", SEED_RECORDS), servers, folder)


@pytest.fixture(params=ENGINES)
def seed_store(request: pytest.FixtureRequest, seed_stores: SessionStores, tmp_path: Path) -> Store:
    """A store of its own for this test, holding tests.data.SEED_RECORDS as ingested, on the parametrized engine."""
    return seed_stores.copy(request.param, tmp_path)


@pytest.fixture
def seed_duckdb(seed_stores: SessionStores, tmp_path: Path) -> Store:
    """A DuckDB store of its own for this test, holding tests.data.SEED_RECORDS as ingested."""
    return seed_stores.copy("duckdb", tmp_path)


@pytest.fixture
def seed_postgresql(seed_stores: SessionStores, tmp_path: Path, pg_url: str) -> Store:
    """A PostgreSQL store (database) of its own for this test, holding tests.data.SEED_RECORDS as ingested."""
    return seed_stores.copy("postgresql", tmp_path)

