"""Hostile records end the same on both engines: each one loaded or rejected with a reason, none stops a load.

The cases of issue 11 (NaN/Infinity, \\u0000 on every path, a raw NUL in a CSV key, a 10 kB key, invalid UTF-8 in
every text format, nesting 1,200 deep) plus lookalikes that must load (the words NaN and Infinity in a string, an
escaped backslash before u0000).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dashboard.ingest.build import LONG_KEY, NONFINITE, ingest
from dashboard.ingest.readers import INVALID_UTF8, NUL_REASON, TOO_DEEP
from dashboard.store.connect import Store
from tests.conftest import StoreFactory
from tests.sql import rows, scalar

DEEP = "[" * 1200 + "]" * 1200
LONG_KEY_TEXT = "tracks:u1:" + "k" * 10_000


def _line(key: str, value: object) -> str:
    return json.dumps({"key": key, "value": value}, ensure_ascii=False)


def hostile_files(folder: Path) -> list[Path]:
    """One file per path through the ingest: careful NDJSON, clean (fast-path) NDJSON and JSON array, a JSON
    array with bad elements, CSV and Parquet."""
    careful = folder / "careful.ndjson"
    careful.write_bytes("\n".join([
        _line("tracks:u1:ok1", {"id": "ok1", "title": "NaN и Infinity — просто слова"}),
        '{"key": "tracks:u1:nan", "value": {"id": "nan", "plays": NaN}}',
        '{"key": "tracks:u1:inf", "value": Infinity}',
        '{"key": "tracks:u1:ninf", "value": {"id": "ninf", "likes": -Infinity}}',
        '{"key": "tracks:u1:nul", "value": {"id": "nul", "title": "a\\u0000b"}}',
        '{"key": "tracks:u1:esc", "value": {"id": "esc", "title": "a\\\\u0000b"}}',   # an escaped backslash: loads
        '{"key": "tracks:u1:k\\u0000", "value": {"id": "knul"}}',
        _line(LONG_KEY_TEXT, {"id": "long"}),
        '{"key": "tracks:u1:deep", "value": ' + DEEP + "}",
        '{"key": "tracks:u1:broken", "value": ',
    ]).encode() + b'\n{"key": "bad:\xff", "value": 1}\n')
    fast = folder / "fast.ndjson"  # well-formed records: the fast path reads it, and must still reject these
    fast.write_text("\n".join([
        _line("videos:u1:v1", {"id": "v1", "title": "чистая"}),
        '{"key": "videos:u1:v2", "value": {"id": "v2", "title": "x\\u0000"}}',
        '{"key": "videos:u1:v3", "value": {"id": "v3", "views": NaN}}',
        '{"key": "videos:u1:v4", "value": ' + DEEP + "}",
    ]) + "\n", encoding="utf-8")
    fast_array = folder / "fast.json"
    fast_array.write_text("[" + ",".join([
        _line("news:u1:n1", {"id": "n1", "title": "новость"}),
        '{"key": "news:u1:n2", "value": {"id": "n2", "title": "\\u0000"}}',
        _line("news:u1:" + "n" * 3000, {"id": "n3"}),
    ]) + "]", encoding="utf-8")
    array = folder / "array.json"
    array.write_bytes(("[" + ",\n".join([
        _line("concerts:u1:c1", {"id": "c1", "title": "концерт"}),
        '{"key": "concerts:u1:c2", "value": }',
        '{"key": "concerts:u1:c3", "value": {"id": "c3", "title": "\\u0000"}}',
        '{"key": "concerts:u1:c4", "value": ' + DEEP + "}",
        _line("concerts:u1:c5", {"id": "c5", "title": "после глубокого"}),
    ]) + ",\n").encode() + b'{"key": "bad:\xfe", "value": 1},\n'
                     + _line("concerts:u1:c6", {"id": "c6"}).encode() + b"]")
    csv_path = folder / "export.csv"
    csv_path.write_bytes(
        b'key,value\n'
        b'banners:u1:b1,"{""id"": ""b1""}"\n'
        b'bad:\xff,"{""id"": ""b2""}"\n'
        b'banners:u1:b\x003,"{""id"": ""b3""}"\n'
        b'banners:u1:b4,"{""id"": ""b4"", ""x"": NaN}"\n'
        b'banners:u1:b5,"{""title"": ""\\u0000""}"\n'
    )
    parquet = folder / "snap.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM (VALUES ('pitching:u1:p1', '{\"id\": \"p1\"}'), "
        "('pitching:u1:p2', '{\"id\": \"p2\", \"title\": \"\\u0000\"}'), "
        "('pitching:u1:p3', '{\"id\": \"p3\", \"n\": Infinity}')) t(key, value)) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    blob = folder / "blob.parquet"
    con.execute(
        "COPY (SELECT * FROM (VALUES ('\\x62\\x61\\x64\\xFF'::BLOB, '1'::BLOB), ('ok:blob'::BLOB, '2'::BLOB)) "
        f"t(key, value)) TO '{blob}' (FORMAT parquet)"
    )
    con.close()
    return [careful, fast, fast_array, array, csv_path, parquet, blob]


EXPECTED_REASONS = {
    NONFINITE: 6,       # careful nan, inf, ninf; fast v3; csv b4; parquet p3
    NUL_REASON: 8,      # careful nul, key NUL; fast v2; fast array n2; array c3; csv key NUL, csv b5; parquet p2
    LONG_KEY: 2,        # 10 kB key; 3 kB key in the fast array
    TOO_DEEP: 3,        # careful deep; fast v4; array c4
    INVALID_UTF8: 4,    # ndjson, array, csv, parquet blob
    "malformed JSON": 2,        # careful broken; array c2
}


def test_hostile_records_equal_on_both_engines(new_store: StoreFactory, tmp_path: Path) -> None:
    store: Store = new_store()
    result = ingest(hostile_files(tmp_path), store, "seed", say=lambda _m: None)
    reasons = dict(rows(store, "SELECT reason, COUNT(*) FROM kv_rejects GROUP BY reason"))
    assert reasons == EXPECTED_REASONS
    assert result.rows_rejected == sum(EXPECTED_REASONS.values())
    keys = sorted(r[0] for r in rows(store, "SELECT key FROM kv_store"))
    assert keys == sorted([
        "tracks:u1:ok1", "tracks:u1:esc", "videos:u1:v1", "news:u1:n1", "concerts:u1:c1", "concerts:u1:c5",
        "concerts:u1:c6", "banners:u1:b1", "pitching:u1:p1", "ok:blob"])
    counts = {t: scalar(store, f"SELECT COUNT(*) FROM {t}") for t in
              ("tracks", "videos", "news", "concerts", "banner_ads", "pitching_submissions", "kv_unmapped")}
    assert counts == {"tracks": 2, "videos": 1, "news": 1, "concerts": 3, "banner_ads": 1,
                      "pitching_submissions": 1, "kv_unmapped": 1}
    assert scalar(store, "SELECT title FROM tracks WHERE id = 'esc'") == "a\\u0000b"
    # invalid bytes are never replaced by U+FFFD in stored keys
    assert scalar(store, "SELECT COUNT(*) FROM kv_store WHERE key LIKE 'bad:%'") == 0


@pytest.mark.parametrize("bad_at", [(5, 2500, 4990)])
def test_json_array_malformed_elements_cost_only_themselves(new_store: StoreFactory, tmp_path: Path,
                                                            bad_at: tuple[int, ...]) -> None:
    store = new_store()
    elements = [_line(f"tracks:u1:t{i}", {"id": f"t{i}", "title": f"трек {i}"}) for i in range(5000)]
    broken = ['{"key": "tracks:u1:t5", "value": }',                         # a missing value
              '{"key": "tracks:u1:t2500", "value": {"id": "t2500", "title": "нет скобки"}',  # unclosed object
              '{"key": tracks:u1:t4990, "value": 1}']                       # an unquoted key
    for i, text in zip(bad_at, broken, strict=True):
        elements[i] = text
    path = tmp_path / "five-thousand.json"
    path.write_text("[\n" + ",\n".join(elements) + "\n]\n", encoding="utf-8")
    result = ingest([path], store, "seed", say=lambda _m: None)
    assert (result.rows_loaded, result.rows_rejected) == (4997, 3)
    assert scalar(store, "SELECT COUNT(*) FROM tracks") == 4997
    assert sorted(r[0] for r in rows(store, "SELECT record_no FROM kv_rejects")) == [i + 1 for i in bad_at]
