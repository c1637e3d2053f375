"""The build's memory limit: 700 MB, or the input's size when more, at most a quarter of the machine's memory;
PROMO_INGEST_MEMORY sets it outright (dashboard/ingest/memory.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.ingest import build, memory
from dashboard.ingest.readers import SourceFile
from dashboard.ingest.result import IngestError
from dashboard.store.connect import Store

GB = 1000**3


@pytest.mark.parametrize(("text_bytes", "machine", "limit"), [
    (465_000_000, 24 * GB, "700MB"),  # the medium demo: the floor, under 1 GB of peak RSS
    (4_650_000_000, 24 * GB, "4650MB"),  # the large demo: its own size
    (4_650_000_000, 8 * GB, "2000MB"),  # at most a quarter of the machine
    (4_650_000_000, 2 * GB, "700MB"),  # never under the floor
    (4_650_000_000, None, "700MB"),  # the machine's memory unknown: the floor
    (0, 24 * GB, "700MB"),
])
def test_the_limit_follows_the_input_within_the_machine(text_bytes: int, machine: int | None, limit: str) -> None:
    assert memory.build_memory_limit(text_bytes, None, machine) == limit


def test_the_setting_wins_and_compressed_files_count_five_times() -> None:
    assert memory.build_memory_limit(4_650_000_000, "1GB", 24 * GB) == "1GB"
    assert memory.build_memory_limit(0, "4 GiB", 24 * GB) == "4 GiB"
    assert memory.input_bytes([(100, False), (100, True)]) == 600


def test_a_lower_control_group_limit_is_the_machine_s(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unlimited, limited = tmp_path / "max", tmp_path / "limit"
    unlimited.write_text("max\n")
    limited.write_text(f"{2 * GB}\n")
    monkeypatch.setattr(memory, "CGROUP_LIMITS", (unlimited, tmp_path / "missing"))
    whole = memory.machine_memory()
    assert whole is not None and whole > 2 * GB
    monkeypatch.setattr(memory, "CGROUP_LIMITS", (unlimited, limited))
    assert memory.machine_memory() == 2 * GB


def test_an_ingest_runs_under_the_limit_its_files_call_for(tiny_demo_snapshot: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The build's connection runs with the limit for its files: a gzipped file of 300 MB counts as 1.5 GB."""
    monkeypatch.setattr(build, "DUCKDB_MEMORY_LIMIT", None)
    monkeypatch.setattr(build, "machine_memory", lambda: 24 * GB)
    assert build.memory_limit_for([SourceFile(tmp_path / "a.ndjson.gz", "ndjson", True, 300_000_000)]) == "1500MB"
    seen: list[str] = []
    real = build.open_build

    def recorded(path: Path, workdir: Path, memory_limit: str | None = None) -> Any:
        con = real(path, workdir, memory_limit)
        seen.append(str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0]))  # type: ignore[index]
        return con

    monkeypatch.setattr(build, "open_build", recorded)
    result = build.ingest([tiny_demo_snapshot], Store(str(tmp_path / "s.duckdb")), "seed", say=lambda _m: None)
    assert result.rows_loaded > 1000
    assert seen == [str(duckdb.connect().execute("SET memory_limit = '700MB'; "
                                                 "SELECT current_setting('memory_limit')").fetchone()[0])]  # type: ignore[index]


@pytest.mark.parametrize("setting", ["lots", "-1GB", "0MB", "1e9", "700MB; SET threads = 1"])
def test_a_setting_that_is_not_a_size_is_refused(setting: str) -> None:
    with pytest.raises(IngestError) as raised:
        memory.build_memory_limit(1000, setting, 24 * GB)
    assert str(raised.value) == f"PROMO_INGEST_MEMORY={setting!r} is not a memory size (for example 700MB or 4GiB)"


def test_a_bad_setting_is_one_line_on_the_command_line(tiny_demo_snapshot: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PROMO_INGEST_MEMORY": "-1GB"}  # DuckDB itself would take it (no limit at all)
    done = subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(tiny_demo_snapshot),
                           "--db", str(tmp_path / "s.duckdb")], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "error: PROMO_INGEST_MEMORY='-1GB' is not a memory size (for example 700MB or 4GiB)"]
    assert not (tmp_path / "s.duckdb").exists()
