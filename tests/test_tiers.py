"""The test tiers: conftest marks each collected test postgres / browser / slow by what it uses, so a new test
lands in its tier with no marker by hand (make test-fast leaves out postgres, browser and slow)."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import BROWSER_DIR, REPO, SLOW, tiers_of

HERE = Path(__file__).resolve().parent


def item(fixtures: tuple[str, ...] = (), params: dict[str, object] | None = None, path: Path = HERE / "test_x.py",
         name: str = "test_x") -> SimpleNamespace:
    callspec = SimpleNamespace(params=params) if params is not None else None
    return SimpleNamespace(fixturenames=list(fixtures), callspec=callspec, path=path,
                           nodeid=f"tests/{path.name}::{name}")


@pytest.mark.parametrize(("fixtures", "params", "tiers"), [
    ((), None, []),
    (("tmp_path",), None, []),
    (("pg_url",), None, ["postgres"]),
    (("problem_stores", "pg_url", "servers"), None, ["postgres"]),  # a fixture that needs the server
    (("new_store", "pg_url"), {"new_store": "postgresql"}, ["postgres"]),
    (("new_store",), {"new_store": "postgresql"}, ["postgres"]),  # asks for pg_url only when it runs
    (("new_store",), {"new_store": "duckdb"}, []),
    (("seed_store",), {"seed_store": "postgresql"}, ["postgres"]),
    (("seed_store",), {"seed_store": "duckdb"}, []),
    (("seed_duckdb",), None, []),
    (("demo_stores",), None, ["postgres"]),  # compares the engines
    (("demo_stores",), {"engine": "duckdb"}, []),  # pinned to DuckDB: demo_stores[engine] is built lazily
    (("demo_stores",), {"engine": "postgresql"}, ["postgres"]),
    (("demo_duckdb",), None, []),
])
def test_a_test_is_in_the_postgres_tier_when_it_may_reach_the_server(fixtures: tuple[str, ...],
                                                                     params: dict[str, object] | None,
                                                                     tiers: list[str]) -> None:
    assert tiers_of(item(fixtures, params)) == tiers  # type: ignore[arg-type]


def test_browser_tests_and_the_listed_slow_ones() -> None:
    assert tiers_of(item(path=BROWSER_DIR / "test_pages.py")) == ["browser"]  # type: ignore[arg-type]
    assert tiers_of(item(("pg_url",), path=BROWSER_DIR / "test_sync.py")) == ["browser", "postgres"]  # type: ignore[arg-type]
    slow = item(path=HERE / "test_ingest_race.py", name="test_no_decision_lost_during_an_ingest")
    assert tiers_of(slow) == ["slow"]  # type: ignore[arg-type]


def test_every_listed_slow_test_exists() -> None:
    """A renamed or removed test would leave SLOW naming nothing, and the test under its new name in the fast tier."""
    for nodeid in SLOW:
        path, name = nodeid.split("::")
        tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
        names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert name in names, nodeid


def test_every_collected_test_that_asks_for_the_server_is_marked(request: pytest.FixtureRequest) -> None:
    """On this run's own collection: the hook put the markers on."""
    for collected in request.session.items:
        names = set(getattr(collected, "fixturenames", ()))
        if "pg_url" in names:
            assert collected.get_closest_marker("postgres"), collected.nodeid
        if BROWSER_DIR in Path(str(collected.path)).parents:
            assert collected.get_closest_marker("browser"), collected.nodeid


def test_the_postgresql_server_goes_to_memory_when_there_is_room(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    from tests import pg_server

    monkeypatch.setenv("PROMO_TEST_PG_DIR", str(tmp_path))
    assert pg_server.server_parent() == str(tmp_path)  # the setting wins
    monkeypatch.delenv("PROMO_TEST_PG_DIR")
    monkeypatch.setattr(pg_server, "MEMORY_ROOM", 1 << 60)  # more than any /dev/shm has: the temp folder
    assert pg_server.server_parent() is None
    monkeypatch.setattr(pg_server, "MEMORY_ROOM", 0)
    assert pg_server.server_parent() == ("/dev/shm" if Path("/dev/shm").is_dir() else None)
