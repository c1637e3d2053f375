"""Ingest safety (issues 8 and 11): empty snapshots, a killed ingest's leftovers, quoting, progress, deep layouts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dashboard.ingest import build as ingest_build
from dashboard.ingest.build import ingest
from dashboard.ingest.layout import LayoutError, load_layout
from dashboard.ingest.result import IngestError
from dashboard.store.connect import Store
from tests.conftest import StoreFactory, reader_cases
from tests.sql import scalar


def _line(key: str, value: object) -> str:
    return json.dumps({"key": key, "value": value}, ensure_ascii=False)


def _snapshot(path: Path, n: int = 3) -> Path:
    path.write_text("\n".join(_line(f"tracks:u1:t{i}", {"id": f"t{i}"}) for i in range(n)) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("new_store", "empty"), reader_cases(["[]", "", "key,value\n"]), indirect=["new_store"])
def test_empty_snapshot_never_replaces_a_store_unless_allowed(new_store: StoreFactory, tmp_path: Path,
                                                              empty: str) -> None:
    store = new_store()
    ingest([_snapshot(tmp_path / "full.ndjson")], store, "seed", say=lambda _m: None)
    name = {"": "empty.ndjson", "[]": "empty.json", "key,value\n": "empty.csv"}[empty]
    (tmp_path / name).write_text(empty, encoding="utf-8")
    with pytest.raises(IngestError, match="--allow-empty"):
        ingest([tmp_path / name], store, "seed", say=lambda _m: None)
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 3
    ingest([tmp_path / name], store, "seed", say=lambda _m: None, allow_empty=True)
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 0


def test_cli_refuses_empty_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    ingest([_snapshot(tmp_path / "full.ndjson")], Store(str(db)), "seed", say=lambda _m: None)
    (tmp_path / "empty.json").write_text("[]", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(tmp_path / "empty.json"), "--db", str(db)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("error: the snapshot has no keys") and proc.stderr.count("\n") == 1


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_next_ingest_removes_what_a_killed_one_left(new_store: StoreFactory, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    store = new_store()
    pid = _dead_pid()
    leftovers = [tmp_path / "tmp" / f"promo-ingest-{pid}-abc"]
    live = tmp_path / "tmp" / f"promo-ingest-{os.getpid()}-live"  # a running ingest's folder is left alone
    if not store.is_postgres:
        leftovers.append(store.path.parent / f"promo-ingest-{pid}-def")
    for folder in [*leftovers, live]:
        folder.mkdir()
        (folder / "build.duckdb").write_bytes(b"x" * 1000)
    if not store.is_postgres:
        leftovers.append(store.path.parent / f"{store.path.name}.ingest-{pid}.tmp")
        leftovers[-1].write_bytes(b"x")
    else:
        from dashboard.ingest.postgres_load import connect

        with connect(store) as pg:
            pg.execute(f"CREATE SCHEMA promo_load_{pid}_dead")
            pg.execute(f"CREATE TABLE promo_load_{pid}_dead.kv_store (key text)")
            pg.commit()
    said: list[str] = []
    ingest([_snapshot(tmp_path / "full.ndjson")], store, "seed", say=said.append)
    assert not [p for p in leftovers if p.exists()]
    assert live.exists()
    assert any("left by an interrupted ingest" in m for m in said)
    if store.is_postgres:
        assert scalar(store, "SELECT COUNT(*) FROM pg_namespace WHERE nspname LIKE 'promo\\_%'") == 0


def test_postgres_load_quotes_a_work_path_with_a_quote(pg_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.pg_server import create_database

    odd = tmp_path / "it's a folder"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    store = Store(create_database(pg_url, f"quote_{os.getpid()}"))
    result = ingest([_snapshot(tmp_path / "full.ndjson")], store, "seed", say=lambda _m: None)
    assert result.rows_loaded == 3 == scalar(store, "SELECT COUNT(*) FROM tracks")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_progress_for_json_array_and_csv(tmp_path: Path, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_build, "PROGRESS_BYTES", 100_000)
    monkeypatch.setattr("dashboard.ingest.readers.BATCH_RECORDS", 500)
    records = [(f"tracks:u1:t{i}", {"id": f"t{i}", "title": "т" * 50}) for i in range(4000)]
    path = tmp_path / f"big.{fmt}"
    if fmt == "json":  # one bad element sends the file to the record-by-record reader
        path.write_text("[" + ",\n".join([*(_line(k, v) for k, v in records), '{"key": 1}']) + "]", encoding="utf-8")
    else:
        path.write_text("key,value\n" + "".join(f'{k},"{json.dumps(v).replace(chr(34), chr(34) * 2)}"\n'
                                                for k, v in records), encoding="utf-8")
    said: list[str] = []
    ingest([path], Store(str(tmp_path / "s.duckdb")), "seed", say=said.append)
    assert any(f"reading {path.name}:" in m and "%" in m for m in said), said


def test_deeply_nested_layout_file_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"entries": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(LayoutError, match="nested too deeply"):
        load_layout(str(path))
    proc = subprocess.run([sys.executable, "-m", "dashboard", "ingest", str(_snapshot(tmp_path / "s.ndjson")),
                           "--db", str(tmp_path / "s.duckdb"), "--layout", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
