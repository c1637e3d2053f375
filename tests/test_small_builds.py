"""A small build (at most FEW_KEYS keys) runs its entity statements without DuckDB's optimizer: it must load exactly
what a planned build loads, and count exactly the same coercions, shapes and unmapped keys."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from dashboard.ingest import build
from dashboard.store.connect import Store
from tests.test_sync_feed import dump


def built(snapshot: Path, folder: Path, name: str) -> tuple[Store, dict[str, object]]:
    store = Store(str(folder / f"{name}.duckdb"))
    result = build.ingest([snapshot], store, "deployed", say=lambda _m: None)
    first, *rest = result.summary_lines()  # the first names the run, the store and the time: its counts only
    counts = re.search(r"\d+ records read, .* duplicates superseded", first)
    return store, {"loaded": result.rows_loaded, "counts": counts[0] if counts else first, "lines": rest}


def test_an_unplanned_small_build_loads_what_a_planned_build_loads(fixture_snapshot: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    small, small_counts = built(fixture_snapshot, tmp_path, "small")  # 486 keys: no optimizer
    monkeypatch.setattr(build, "FEW_KEYS", 0)  # every build is planned
    planned, planned_counts = built(fixture_snapshot, tmp_path, "planned")
    assert small_counts == planned_counts
    assert dump(small) == dump(planned)
    assert small_counts["loaded"] == 486  # type: ignore[comparison-overlap]


@pytest.mark.parametrize(("keys", "few"), [(0, True), (3, True), (4, False)])
def test_few_keys_is_the_work_tables_size_against_the_limit(keys: int, few: bool,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "FEW_KEYS", 3)
    con = duckdb.connect()
    con.execute(f"CREATE TABLE kv_work AS SELECT range AS key FROM range({keys})")
    assert build.few_keys(con) is few
