"""export-changes: the final value of every changed key; applied to the original snapshot and re-ingested, the
statuses match the store's (seed and deployed layouts, both engines)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dashboard.ingest.build import ingest
from dashboard.moderation import service as repo
from dashboard.moderation.export_changes import apply_changes, export_changes, parse_since
from dashboard.store.connect import Store
from dashboard.store.schema import MODERATED_TABLES
from tests.conftest import StoreFactory
from tests.data import ARTIST, SEED_RECORDS, write_snapshot
from tests.sql import rows


def statuses(store: Store) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for table in MODERATED_TABLES:
        for sk, eid, status in rows(store, f"SELECT source_key, id, status FROM {table}"):
            out[(table, sk, eid)] = status
    return out


def round_trip(store: Store, original: list[dict[str, Any]], layout: str, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "changes.ndjson"
    count = export_changes(store, out)
    ops = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert count == len(ops) and len({o["key"] for o in ops}) == len(ops)
    replayed = write_snapshot(tmp_path / "replayed.ndjson", apply_changes(original, ops))
    again = Store(str(tmp_path / "again.duckdb"))
    ingest([replayed], again, layout, say=lambda _m: None)
    assert statuses(again) == statuses(store)
    return ops


def test_round_trip_seed(seed_store: Store, tmp_path: Path) -> None:
    s = seed_store
    repo.decide(s, [repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending"),
                    repo.Item("concerts", "c1", f"concerts:{ARTIST}:c1", "pending")], "approve", "Анна")
    repo.decide(s, [repo.Item("videos", "v1", f"videos:{ARTIST}:v1", "pending")], "reject", "Анна", reason="Дубль")
    ops = round_trip(s, SEED_RECORDS, "seed", tmp_path)
    by_key = {o["key"]: o["value"] for o in ops}
    assert by_key["concerts:public:promoted"] == ["c2", "c1"]
    assert by_key[f"notifications:{ARTIST}:unread"] == 4
    assert all(o["op"] == "set" for o in ops)


def test_round_trip_deployed_keeps_double_encoding(new_store: StoreFactory, fixture_snapshot: Path,
                                                   tmp_path: Path) -> None:
    s = new_store()
    ingest([fixture_snapshot], s, "deployed", say=lambda _m: None)
    pending = rows(s, "SELECT source_key, id FROM tracks WHERE status = 'pending' ORDER BY id")
    repo.decide(s, [repo.Item("tracks", eid, sk, "pending") for sk, eid in pending[:2]], "approve", "Анна")
    sk, eid = rows(s, "SELECT source_key, id FROM banner_ads WHERE status = 'pending_moderation' ORDER BY id")[0]
    repo.decide(s, [repo.Item("banner_ads", eid, sk, "pending_moderation")], "reject", "Анна", reason="Шрифт")
    original = [json.loads(line) for line in fixture_snapshot.read_text(encoding="utf-8").splitlines()]
    ops = round_trip(s, original, "deployed", tmp_path)
    track_key = pending[0][0]
    value = {o["key"]: o["value"] for o in ops}[track_key]
    assert isinstance(value, str), "a double-encoded key is exported as a JSON string, as the platform stores it"
    assert json.loads(value)["status"] == "approved"


def test_since_filters_and_bad_since(seed_duckdb: Store, tmp_path: Path) -> None:
    s = seed_duckdb
    repo.decide(s, [repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")], "approve", "Анна")
    assert export_changes(s, tmp_path / "all.ndjson") == 3
    assert export_changes(s, tmp_path / "none.ndjson", parse_since("2999-01-01")) == 0
    assert (tmp_path / "none.ndjson").read_text(encoding="utf-8") == ""
    with pytest.raises(ValueError):
        parse_since("yesterday")
