"""Shared fixtures: a real PostgreSQL server started by the suite, fresh stores on both engines, snapshots."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dashboard.store.connect import Store
from tests.pg_server import create_database, postgres_server

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("PROMO_SHARED", REPO.parent / "shared"))
FIXTURE = SHARED / "fixtures" / "deployed-kv-snapshot.ndjson"
AS_OF = dt.date(2026, 11, 1)
_db_counter = itertools.count()

StoreFactory = Callable[[], Store]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def _new_pg_store(pg_url: str) -> Store:
    return Store(create_database(pg_url, f"t{os.getpid()}_{next(_db_counter)}"))


@pytest.fixture(params=["duckdb", "postgresql"])
def new_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreFactory:
    """A factory of empty stores on the parametrized engine."""
    if request.param == "duckdb":
        counter = itertools.count()
        return lambda: Store(str(tmp_path / f"store{next(counter)}.duckdb"))
    url = request.getfixturevalue("pg_url")
    return lambda: _new_pg_store(url)


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
def demo_stores(demo_snapshot: Path, pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    """The small demo snapshot ingested once into a DuckDB file and once into PostgreSQL (read-only use)."""
    from dashboard.ingest.build import ingest

    duck = Store(str(tmp_path_factory.mktemp("stores") / "demo.duckdb"))
    pg = Store(create_database(pg_url, f"demo_{os.getpid()}"))
    for store in (duck, pg):
        ingest([demo_snapshot], store, "seed", say=lambda _m: None)
    return {"duckdb": duck, "postgresql": pg}
