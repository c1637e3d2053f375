"""The build plan (dashboard/ingest/plan.py) rendered through both dialects gives the same rows; counts inside JSON
maps are coerced at ingest on both engines (issue 27 item 10); the in-server build rejects rows over the large-value
limit with the file readers' reason (issue 27 item 2)."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from dashboard.ingest import plan
from dashboard.ingest.build import ingest, open_build
from dashboard.ingest.dialect_duckdb import DUCKDB
from dashboard.ingest.dialect_postgres import helper_functions, postgres_dialect
from dashboard.ingest.layout import load_layout
from dashboard.ingest.readers import MAX_VALUE_ENV, too_large_reason
from dashboard.store.connect import Store
from tests.engines import comparable_rows
from tests.pg_server import create_database
from tests.sql import rows
from tests.sync_platform import TABLE, libpq, make_platform
from tests.test_sync_inserver import assert_same_content, platform_ndjson, same_counts, sync_same

_n = itertools.count()

ODD_MAPS: list[dict[str, Any]] = [
    {"key": "analytics:tracks:t1:2026-11-01",
     "value": {"track_id": "t1", "date": "2026-11-01", "plays": "12",
               "geographic_stats": {"RU": "10", "KZ": 3, "BY": 2.5, "UA": "many", "AM": None, "GE": "1e3"},
               "platform_stats": {"spotify": "many", "vk": "7", "yandex_music": 5}}},
    {"key": "analytics:tracks:t1:2026-11-02",
     "value": {"track_id": "t1", "date": "2026-11-02", "plays": 4, "geographic_stats": "RU",
               "platform_stats": {"vk": {"nested": 1}, "apple": 3000000000}}},
    {"key": "analytics:tracks:t2:2026-11-01",
     "value": {"track_id": "t2", "date": "2026-11-01", "plays": 1, "geographic_stats": {}, "platform_stats": None}},
    {"key": "analytics:concerts:c1:2026-11-01",
     "value": {"concert_id": "c1", "date": "2026-11-01", "views": 3,
               "referral_sources": {"vk": 2.5, "tg": "4", "direct": 1, "site": "-2"}}},
    {"key": "tracks:u1:t1", "value": {"id": "t1", "user_id": "u1", "title": "Трек", "status": "pending"}},
    {"key": "tracks:u1:t2", "value": {"id": "t2", "user_id": "u1", "title": "Два", "status": "approved"}},
]
# what every engine keeps: integer-like values as numbers; the rest dropped and counted
KEPT = {
    ("t1", "2026-11-01"): ({"RU": 10, "KZ": 3, "GE": 1000}, {"vk": 7, "yandex_music": 5}),
    ("t1", "2026-11-02"): (None, {}),
    ("t2", "2026-11-01"): ({}, None),
}
DROPPED = {
    "track_analytics.geographic_stats (count not an integer, dropped from the map)": 3,
    "track_analytics.platform_stats (count not an integer, dropped from the map)": 3,
    "concert_analytics.referral_sources (count not an integer, dropped from the map)": 1,
    "track_analytics.geographic_stats": 1,  # "RU": not a map at all, set to NULL
}


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def _maps(store: Store) -> dict[tuple[str, str], tuple[Any, Any]]:
    found = rows(store, "SELECT track_id, CAST(date AS TEXT), CAST(geographic_stats AS TEXT), "
                       "CAST(platform_stats AS TEXT) FROM track_analytics")
    return {(t, d): (json.loads(g) if g else None, json.loads(p) if p else None) for t, d, g, p in found}


def test_counts_in_json_maps_are_coerced_at_ingest(new_store: Any, tmp_path: Path) -> None:
    store = new_store()
    result = ingest([_write(tmp_path / "maps.ndjson", ODD_MAPS)], store, "seed", say=lambda _m: None)
    assert _maps(store) == KEPT
    for name, n in DROPPED.items():
        assert result.coercion_nulls.get(name) == n, (name, result.coercion_nulls)
    assert any("dropped from the map" in line for line in result.summary_lines())
    # the artist pages' reading (json_each, CAST … AS INTEGER) works on every row, on both engines
    totals = rows(store, "SELECT SUM(CAST(CAST(e.value AS TEXT) AS INTEGER)) FROM track_analytics AS a, "
                         "json_each(CAST(a.geographic_stats AS JSON)) AS e")
    assert totals == [(1013,)]
    refs = rows(store, "SELECT e.key, CAST(CAST(e.value AS TEXT) AS INTEGER) FROM concert_analytics AS c, "
                       "json_each(CAST(c.referral_sources AS JSON)) AS e ORDER BY 1")
    assert refs == [("direct", 1), ("site", -2), ("tg", 4)]


def test_counts_in_json_maps_in_server_same_as_ingest(pg_url: str, tmp_path: Path) -> None:
    platform = make_platform(pg_url, f"maps_{os.getpid()}_{next(_n)}", _write(tmp_path / "m.ndjson", ODD_MAPS))
    reference_store = Store(str(tmp_path / "ref.duckdb"))
    reference = ingest([platform_ndjson(platform, tmp_path / "p.ndjson")], reference_store, "seed",
                       say=lambda _m: None)
    said: list[str] = []
    synced = sync_same(platform, "seed", said)
    assert any("inside" in line for line in said), said  # built in the server, through the PostgreSQL dialect
    same_counts(synced, reference)
    assert_same_content(Store(platform), reference_store)
    assert _maps(Store(platform)) == KEPT


def test_in_server_build_rejects_values_over_the_limit(pg_url: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 4000
    records = [*ODD_MAPS,
               {"key": "tracks:u1:big", "value": {"id": "big", "user_id": "u1", "title": "x" * 6000}},
               # compressed in the table (small on disk, 200 KB as text)
               {"key": "tracks:u1:squeezed", "value": {"id": "squeezed", "user_id": "u1", "title": "a" * 200_000}},
               {"key": "tracks:u1:fits", "value": {"id": "fits", "user_id": "u1", "title": "y" * 3000}}]
    platform = make_platform(pg_url, f"large_{os.getpid()}_{next(_n)}", _write(tmp_path / "l.ndjson", records))
    with psycopg.connect(libpq(platform)) as conn:
        sizes = dict(conn.execute(f"SELECT key, octet_length(key) + octet_length(value::text) FROM {TABLE} "
                                  "WHERE key IN ('tracks:u1:big', 'tracks:u1:squeezed')").fetchall())
        assert conn.execute(f"SELECT pg_column_compression(value) FROM {TABLE} WHERE key = 'tracks:u1:squeezed'"
                            ).fetchone()[0] is not None  # type: ignore[index]
    monkeypatch.setenv(MAX_VALUE_ENV, str(limit))
    result = sync_same(platform, "seed")
    assert result.rows_read == len(records)
    assert result.rows_rejected == 2 and result.rows_loaded == len(records) - 2
    assert result.rejects_by_reason == {too_large_reason(sizes[k], limit): 1 for k in sizes}
    store = Store(platform)
    assert sorted(r[0] for r in rows(store, "SELECT id FROM tracks")) == ["fits", "t1", "t2"]
    rejected = rows(store, "SELECT reason, length(raw) FROM kv_rejects ORDER BY record_no")
    assert {r for r, _ in rejected} == set(result.rejects_by_reason) and all(n <= 10_000 for _, n in rejected)


# ---------------------------------------------------------------- one plan, two dialects

VALUES: list[tuple[str, Any]] = [
    ("tracks:u1:t1", {"id": "t1", "user_id": "u1", "title": "Трек 🎵", "duration": "3:45", "plays": "12",
                      "created_at": 1769468400135, "is_explicit": "да", "status": "pending"}),
    ("tracks:u2:t2", {"id": "t2", "userId": "u2", "title": "B", "duration": 200.5, "plays": "x"}),
    ("tracks:u2:t3", [1, 2]),
    ("analytics:tracks:t1:2026-11-01", {"plays": 3, "geographic_stats": {"RU": "10", "BY": 2.5}}),
    ("analytics:tracks:t1:2026-11-02", {"plays": "3.0", "platform_stats": "[1]", "geographic_stats": [1]}),
    ("donations:u1:d1", {"amount": "150.505", "currency": "RUBLE", "created_at": "2026-11-01T10:00:00+03:00"}),
    ("nothing:here", {"a": 1}),
]


def _duckdb_rows(tmp_path: Path, select: str, classify: str) -> tuple[list[Any], list[Any]]:
    """The select run on DuckDB over the VALUES (classified by the plan's classify): (key → pid, rows)."""
    con: duckdb.DuckDBPyConnection = open_build(tmp_path / "plan.duckdb", tmp_path)
    try:
        con.execute("CREATE TABLE w (key VARCHAR, value JSON, pid INTEGER)")
        con.executemany("INSERT INTO w VALUES (?, ?, NULL)", [(k, json.dumps(v, ensure_ascii=False))
                                                              for k, v in VALUES])
        con.execute(f"UPDATE w SET pid = {classify}")
        pids = con.execute("SELECT key, pid FROM w ORDER BY key").fetchall()
        cur = con.execute(select)
        names = [d[0] for d in cur.description]
        return pids, comparable_rows(_frame(names, cur.fetchall()), ordered=False)
    finally:
        con.close()


def _frame(names: list[str], data: list[tuple[Any, ...]]) -> Any:
    import pandas as pd

    frame = pd.DataFrame(data, columns=names)
    for col in names:  # JSON columns come as text from both engines: compared as parsed JSON
        if col.startswith("c_j_"):
            frame[col] = [json.dumps(json.loads(v), sort_keys=True) if isinstance(v, str) else None for v in frame[col]]
    return frame


@pytest.mark.parametrize("table", ["tracks", "track_analytics", "donations"])
def test_one_plan_renders_through_both_dialects(table: str, pg_url: str, tmp_path: Path) -> None:
    layout = load_layout("seed")
    pid, entry = next((p, e) for p, e in enumerate(layout.entries) if e.table == table and e.shape == "object")
    url = create_database(pg_url, f"plan_{os.getpid()}_{next(_n)}")
    pg_dialect = postgres_dialect("promo_plan")
    results = {}
    for d in (DUCKDB, pg_dialect):
        select, fallible, columns, maps = plan.entity_select(d, entry, layout, pid, "w")
        json_cols = [c for c, t in plan.schema.REFERENCE_TABLES[table] if t == "JSONB"]
        shown = ", ".join(f"CAST(c_{c} AS TEXT) AS c_j_{c}" if c in json_cols else f"c_{c}" for c in columns)
        query = f"SELECT key, shape_ok, {shown} FROM ({select}) q"
        if d is DUCKDB:
            results["duckdb"] = _duckdb_rows(tmp_path, query, plan.classify(d, layout, "key"))
            continue
        with psycopg.connect(libpq(url), options="-c TimeZone=Europe/Moscow") as conn:
            conn.execute("CREATE SCHEMA promo_plan")
            for statement in helper_functions(lambda name: f"promo_plan.promo_{name}"):
                conn.execute(statement.encode())
            conn.execute("CREATE TABLE w (key text, value jsonb, pid integer)")
            with conn.cursor() as cur:
                cur.executemany("INSERT INTO w VALUES (%s, %s::jsonb, NULL)",
                                [(k, json.dumps(v, ensure_ascii=False)) for k, v in VALUES])
            conn.execute(f"UPDATE w SET pid = {plan.classify(d, layout, 'key')}".encode())
            pids = conn.execute("SELECT key, pid FROM w ORDER BY key").fetchall()
            cur = conn.execute(query.encode())
            names = [c.name for c in cur.description]  # type: ignore[union-attr]
            results["postgresql"] = (pids, comparable_rows(_frame(names, cur.fetchall()), ordered=False))
        assert fallible and (maps or table != "track_analytics")
    duck_pids, duck_rows = results["duckdb"]
    pg_pids, pg_rows = results["postgresql"]
    assert duck_pids == pg_pids
    assert duck_rows == pg_rows
    assert duck_rows  # the entry's keys were selected
