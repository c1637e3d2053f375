"""A planned build (more than FEW_KEYS keys) runs its entries' loads on two connections at once
(``build.loads_side_by_side``): what it loads is what one connection loads (``test_small_builds``), every load ran,
on both workers, and a load that fails fails the ingest in one line and leaves the store as it was."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.ingest import build, plan, target
from dashboard.ingest.result import IngestError
from dashboard.store import schema
from dashboard.store.connect import Store
from tests.test_sync_feed import dump


def test_the_loads_run_on_two_connections_and_every_one_runs_once(fixture_snapshot: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "FEW_KEYS", 0)
    ran: list[tuple[str, str]] = []
    real = plan.load_entity

    def recorded(d: Any, q: Any, entry: Any, *args: Any, **kwargs: Any) -> None:
        ran.append((threading.current_thread().name, entry.pattern))
        real(d, q, entry, *args, **kwargs)

    monkeypatch.setattr(plan, "load_entity", recorded)
    result = build.ingest([fixture_snapshot], Store(str(tmp_path / "s.duckdb")), "deployed", say=lambda _m: None)
    patterns = [p for _t, p in ran]
    assert len(patterns) == len(set(patterns))  # each entry once
    assert {t for t, _p in ran} == {"promo-load-0", "promo-load-1"}
    assert result.rows_loaded == 486
    # every entity table the fixture fills was filled by one of those loads
    assert {t for t, n in result.table_counts.items() if n} >= {"tracks", "donations", "ticket_sales", "beats"}


def test_each_load_runs_on_one_thread_and_the_setting_comes_back(fixture_snapshot: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "FEW_KEYS", 0)
    seen: list[str] = []
    real = plan.load_entity

    def recorded(d: Any, q: Any, entry: Any, *args: Any, **kwargs: Any) -> None:
        seen.append(str(q("SELECT current_setting('threads')").fetchone()[0]))
        real(d, q, entry, *args, **kwargs)

    monkeypatch.setattr(plan, "load_entity", recorded)
    result = build.ingest([fixture_snapshot], Store(str(tmp_path / "s.duckdb")), "deployed", say=lambda _m: None)
    assert result.rows_loaded == 486
    assert seen and set(seen) == {"1"}


def test_one_thread_each_restores_the_threads_it_found_even_after_an_error() -> None:
    con = duckdb.connect()
    con.execute("SET threads = 3")
    with pytest.raises(duckdb.Error), target.one_thread_each(con):
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
        con.execute("SELECT CAST('x' AS INTEGER)")
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 3


def test_the_build_file_gets_no_write_ahead_log_and_the_store_holds_everything(
        fixture_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "FEW_KEYS", 0)
    seen: list[tuple[str, bool]] = []
    real = build.build

    def checked(con: duckdb.DuckDBPyConnection, *args: Any, **kwargs: Any) -> None:
        real(con, *args, **kwargs)  # every load committed
        path = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()"
                           ).fetchone()[0]
        seen.append((path, Path(f"{path}.wal").exists()))

    monkeypatch.setattr(build, "build", checked)
    store = Store(str(tmp_path / "s.duckdb"))
    result = build.ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    assert len(seen) == 1 and seen[0][0].endswith(".tmp") and seen[0][1] is False
    assert not list(tmp_path.glob("*.wal"))
    con = duckdb.connect(str(store.path), read_only=True)  # the file alone, as a page opens it
    try:
        assert con.execute("SELECT count(*) FROM kv_store").fetchone()[0] == 486
        assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("tracks", "donations")} == {
            t: result.table_counts[t] for t in ("tracks", "donations")}
        assert result.table_counts["tracks"] > 0
    finally:
        con.close()


def test_a_failing_load_fails_the_ingest_in_one_line_and_keeps_the_store(fixture_snapshot: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(str(tmp_path / "s.duckdb"))
    build.ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    before = dump(store)
    monkeypatch.setattr(build, "FEW_KEYS", 0)
    real = plan.load_entity

    def failing(d: Any, q: Any, entry: Any, *args: Any, **kwargs: Any) -> None:
        if entry.table == "donations":
            q("SELECT CAST('not a number' AS INTEGER)")  # a DuckDB error inside a worker
        real(d, q, entry, *args, **kwargs)

    monkeypatch.setattr(plan, "load_entity", failing)
    with pytest.raises(IngestError) as failed:
        build.ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    assert "\n" not in str(failed.value)
    assert str(failed.value).startswith("ingest failed: Conversion Error")
    assert dump(store) == before
    assert not [t for t in threading.enumerate() if t.name.startswith("promo-load-")]


def test_the_build_keeps_no_scratch_database(fixture_snapshot: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "FEW_KEYS", 0)
    store = Store(str(tmp_path / "s.duckdb"))
    build.ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'kv_small'").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM duckdb_indexes() WHERE index_name = 'kv_store_key'").fetchone() == (1,)
    finally:
        con.close()


def test_a_planned_build_writes_the_big_tables_in_owner_and_date_order(tiny_demo_snapshot: Path, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """PHYSICAL_ORDER (zone maps prune an artist's reads) holds when the entries load side by side, with DuckDB's
    insertion order off: an INSERT whose SELECT has an ORDER BY keeps it."""
    monkeypatch.setattr(build, "FEW_KEYS", 0)
    store = Store(str(tmp_path / "s.duckdb"))
    build.ingest([tiny_demo_snapshot], store, "seed", say=lambda _m: None)
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        for table, (owner, day) in schema.PHYSICAL_ORDER.items():
            rows, out_of_order = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE before_owner IS NOT NULL AND ({owner}, {day}) < "
                f"(before_owner, before_day)) FROM (SELECT {owner}, {day}, lag({owner}) OVER w AS before_owner, "
                f"lag({day}) OVER w AS before_day FROM {table} WINDOW w AS (ORDER BY rowid))").fetchone()
            assert rows > 0, table
            assert out_of_order == 0, table
    finally:
        con.close()


def test_a_key_index_that_needs_more_memory_is_built_alone(tiny_demo_snapshot: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The key index is built beside the appends only when it fits in the build's memory next to them; one that
    needs the limit raised (the 10M deployed demo: beside the rollups it ran out of memory) is built first, alone."""
    from dashboard.ingest import target

    monkeypatch.setattr(build, "DUCKDB_MEMORY_LIMIT", "48MB")  # under INDEX_BYTES (64 MB): the limit is raised
    alone: list[bool] = []
    real = target.create_key_index

    def recorded(con: Any) -> None:
        alone.append(threading.current_thread() is threading.main_thread())
        real(con)

    monkeypatch.setattr(target, "create_key_index", recorded)
    store = Store(str(tmp_path / "s.duckdb"))
    result = build.ingest([tiny_demo_snapshot], store, "seed", say=lambda _m: None)
    assert alone == [True] and result.rows_loaded > 1000
    monkeypatch.setattr(build, "DUCKDB_MEMORY_LIMIT", "700MB")
    build.ingest([tiny_demo_snapshot], store, "seed", say=lambda _m: None)
    assert alone == [True, False]  # beside the appends, on a thread of its own
