"""``bench load`` without ``--url``: it starts the app itself (``streamlit run app.py`` in demo mode on a free
loopback port) on a DuckDB store and loads it through Streamlit's websocket protocol. (Against ``serve``'s proxy:
``tests/test_serve.py``.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from tests.conftest import REPO


@pytest.mark.slow
def test_bench_load_starts_the_app_on_a_store_and_runs_its_pages(tiny_demo_snapshot: Path, tmp_path: Path) -> None:
    store = tmp_path / "load.duckdb"
    ingest([tiny_demo_snapshot], Store(str(store)), say=lambda _m: None)
    proc = subprocess.run([sys.executable, "-m", "dashboard", "bench", "load", "--db", str(store), "--sessions", "2",
                           "--think", "100", "--seconds", "3", "--pages", "", "moderation_queue", "revenue"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = re.search(r"runs (\d+) .*errors (\d+)", proc.stdout)
    assert runs and int(runs[1]) >= 3 and runs[2] == "0", proc.stdout
    for page in ("/ (default)", "moderation_queue", "revenue"):
        assert re.search(rf"^\s+{re.escape(page)}\s+\d+\s+\d+ms", proc.stdout, re.M), proc.stdout


def test_bench_load_says_in_one_line_when_the_app_cannot_start(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here" / "store.duckdb"
    proc = subprocess.run([sys.executable, "-m", "dashboard", "bench", "load", "--db", str(missing), "--seconds", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("error: "), proc.stderr
