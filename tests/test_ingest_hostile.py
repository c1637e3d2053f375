"""Hostile inputs: each record ends up in kv_store, in kv_rejects with a reason, or superseded by a later duplicate."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from dashboard.ingest.build import ingest
from tests.conftest import StoreFactory
from tests.sql import rows, scalar

TEN_MB = 10 * 1024 * 1024


def _line(key: object, value: object) -> str:
    return json.dumps({"key": key, "value": value}, ensure_ascii=False)


def hostile_lines() -> list[str]:
    big = "я" * (TEN_MB // 2)  # 10 MB of UTF-8
    return [
        _line("tracks:u1:t1", {"id": "t1", "title": "Первый 🔥", "duration": "3:20", "plays": "42",
                               "created_at": "2026-01-22T10:00:00Z", "status": "pending"}),
        '{"key": "tracks:u1:t2", "value": {"id": "t2", "title": "обрыв',            # malformed JSON
        _line("", {"id": "x"}),                                                      # empty key
        '{"value": {"id": "x"}}',                                                    # missing key
        _line(42, {"id": "x"}),                                                      # key not a string
        '{"key": "tracks:u1:t3"}',                                                   # missing value
        "[1, 2, 3]",                                                                 # not an object
        _line("tracks:u1:t1", {"id": "t1", "title": "Первый, исправленный", "duration": "200",
                               "plays": "many", "created_at": "yesterday", "is_paid": "да"}),  # duplicate, wrong types
        _line("mystery:u1:thing", {"a": 1}),                                         # unknown prefix
        _line("radio_station:r1", "plain string"),                                   # unknown prefix, scalar
        _line("tracks:u2:big", {"id": "big", "title": "Большой", "lyrics": big}),     # a 10 MB value
        _line("coins:u1:balance", {"balance": "12.5", "lifetime_earned": "100"}),   # non-integral coins
        _line("tracks:u1:list", ["t1", "t-deleted"]),                               # index with a dangling id
        "",                                                                          # blank line: not a record
        _line("donations:u1:d1", json.dumps({"id": "d1", "amount": "1500", "donorName": "Ольга"})),  # double-encoded
    ]


def write(path: Path, lines: list[str], bom: bool = True, crlf: bool = True) -> Path:
    text = ("\r\n" if crlf else "\n").join(lines) + ("\r\n" if crlf else "\n")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    path.write_bytes(data)
    return path


@pytest.fixture
def hostile_file(tmp_path: Path) -> Path:
    return write(tmp_path / "hostile.ndjson", hostile_lines())


def test_hostile_ndjson_loses_nothing(new_store: StoreFactory, hostile_file: Path) -> None:
    store = new_store()
    result = ingest([hostile_file], store, "seed", say=lambda _m: None)
    records = 14  # every non-blank line
    assert result.rows_read == records
    assert result.rows_rejected == 6
    assert result.duplicates == 1
    assert result.rows_loaded == records - 6 - 1 == scalar(store, "SELECT COUNT(*) FROM kv_store")
    reasons = dict(rows(store, "SELECT record_no, reason FROM kv_rejects ORDER BY record_no"))
    assert reasons == {2: "malformed JSON", 3: "empty key", 4: "missing key", 5: "key is not a string",
                       6: "missing value", 7: 'not a {"key", "value"} object'}
    assert scalar(store, "SELECT raw FROM kv_rejects WHERE record_no = 2").startswith('{"key": "tracks:u1:t2"')
    # the last occurrence of tracks:u1:t1 wins, and its bad fields become NULL (counted), the row still loads
    assert rows(store, "SELECT title, duration, plays, created_at, is_paid FROM tracks WHERE id = 't1'") == [
        ("Первый, исправленный", 200, None, None, True)]
    assert result.coercion_nulls["tracks.plays"] == 1
    assert result.coercion_nulls["tracks.created_at"] == 1
    assert result.coercion_nulls["coins_balance.balance"] == 1
    # unknown prefixes are kept and listed
    assert sorted(rows(store, "SELECT key, pattern FROM kv_unmapped")) == [
        ("mystery:u1:thing", "mystery:*"), ("radio_station:r1", "radio_station:*")]
    assert result.unmapped_by_pattern == {"mystery:*": 1, "radio_station:*": 1}
    # the 10 MB value is stored whole
    big = scalar(store, "SELECT CAST(value AS TEXT) FROM kv_store WHERE key = 'tracks:u2:big'")
    assert len(json.loads(big)["lyrics"]) == TEN_MB // 2
    # the BOM did not become part of the first key; CRLF did not end up in values
    assert scalar(store, "SELECT COUNT(*) FROM kv_store WHERE key = 'tracks:u1:t1'") == 1
    assert rows(store, "SELECT item_id FROM kv_index WHERE list_key = 'tracks:u1:list' ORDER BY position") == [
        ("t1",), ("t-deleted",)]
    assert rows(store, "SELECT amount, donor_name FROM donations") == [(1500, "Ольга")]
    assert rows(store, "SELECT key FROM kv_double_encoded") == [("donations:u1:d1",)]


def test_csv_json_array_and_gzip_with_bad_rows(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    csv_path = tmp_path / "export.csv"
    csv_path.write_bytes(
        "\ufeffkey,value\r\n"
        'tracks:u1:t1,"{""id"": ""t1"", ""title"": ""Песня""}"\r\n'
        ",\"{}\"\r\n"                       # empty key
        "tracks:u1:t2,not json\r\n"         # bad value
        "tracks:u1:t3,\r\n"                 # missing value
        "onlyone\r\n".encode()              # too few columns
    )
    arr = tmp_path / "dump.json.gz"
    with gzip.open(arr, "wt", encoding="utf-8") as fh:
        fh.write('[{"key": "videos:u1:v1", "value": {"id": "v1", "title": "Клип"}}, 7, {"key": "tracks:u1:t1", '
                 '"value": {"id": "t1", "title": "Песня 2"}}]')
    result = ingest([csv_path, arr], store, "seed", say=lambda _m: None)
    assert result.rows_read == 8
    assert dict(rows(store, "SELECT reason, COUNT(*) FROM kv_rejects GROUP BY reason")) == {
        "empty key": 1, "value is not valid JSON": 1, "missing value": 1, "row has too few columns": 1,
        'not a {"key", "value"} object': 1}
    # the later file wins for a key present in both
    assert rows(store, "SELECT title FROM tracks") == [("Песня 2",)]
    assert rows(store, "SELECT title FROM videos") == [("Клип",)]
    assert result.duplicates == 1


def test_invalid_utf8_and_nul_are_rejected_not_fatal(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    path = tmp_path / "bytes.ndjson"
    path.write_bytes(
        _line("tracks:u1:t1", {"id": "t1"}).encode() + b"\n"
        + b'{"key": "tracks:u1:t2", "value": {"title": "\xff\xfe"}}\n'
        + b'{"key": "tracks:u1:t3", "value": {"title": "a\\u0000b"}}\n'
    )
    result = ingest([path], store, "seed", say=lambda _m: None)
    assert (result.rows_loaded, result.rows_rejected) == (1, 2)
    assert sorted(r[0] for r in rows(store, "SELECT reason FROM kv_rejects")) == [
        "contains \\u0000, which PostgreSQL jsonb cannot store", "invalid UTF-8"]


def test_clean_file_with_a_key_twice_keeps_the_last(new_store: StoreFactory, tmp_path: Path) -> None:
    """Well-formed records only, but one key twice: the last occurrence wins (the fast path must not guess)."""
    store = new_store()
    lines = [_line(f"tracks:u1:t{i}", {"id": f"t{i}", "title": f"v{i}"}) for i in range(50)]
    lines.insert(10, _line("tracks:u1:t40", {"id": "t40", "title": "early"}))
    path = write(tmp_path / "dups.ndjson", lines, bom=False, crlf=False)
    result = ingest([path], store, "seed", say=lambda _m: None)
    assert (result.rows_read, result.rows_loaded, result.duplicates, result.rows_rejected) == (51, 50, 1, 0)
    assert scalar(store, "SELECT title FROM tracks WHERE id = 't40'") == "v40"
    lines.append(_line("tracks:u1:t40", {"id": "t40", "title": "late"}))
    write(path, lines, bom=False, crlf=False)
    ingest([path], store, "seed", say=lambda _m: None)
    assert scalar(store, "SELECT title FROM tracks WHERE id = 't40'") == "late"


def test_wrong_shapes_are_counted_and_kept_raw(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    path = write(tmp_path / "shapes.ndjson", [
        _line("tracks:u1:t1", ["not", "an", "object"]),                       # object expected
        _line("coins:u1:transactions", {"id": "x", "amount": 5}),             # array expected
        _line("coins:u2:transactions", [{"id": "a", "amount": "7"}, 42, {"id": "b", "amount": "x"}]),
        _line("tracks:u1:list", {"not": "a list"}),                           # index expected
        _line("notifications:u1:unread", "seven"),                            # counter
    ], bom=False, crlf=False)
    result = ingest([path], store, "seed", say=lambda _m: None)
    assert result.rows_loaded == 5 == scalar(store, "SELECT COUNT(*) FROM kv_store")
    assert result.coercion_nulls == {
        "tracks (wrong shape, row skipped)": 1,
        "coins_transactions (wrong shape, row skipped)": 2,  # the object value, and the element 42
        "coins_transactions.amount": 1,
        "kv_index (value not an array)": 1,
        "kv_counters.value": 1,
    }
    assert rows(store, "SELECT id, amount FROM coins_transactions ORDER BY id") == [("a", 7), ("b", None)]
    assert scalar(store, "SELECT COUNT(*) FROM tracks") == 0


def test_failed_coercions_of_object_entries_are_counted_per_column(new_store: StoreFactory, tmp_path: Path) -> None:
    """Object entries insert straight from their select on DuckDB (plan.FAILED flags the failures): every failed
    coercion is counted under its column, on both engines alike, and the flag column is gone afterwards."""
    store = new_store()
    path = write(tmp_path / "coerce.ndjson", [
        _line("tracks:u1:t1", {"id": "t1", "duration": "long", "plays": "12"}),
        _line("tracks:u1:t2", {"id": "t2", "duration": "185", "plays": "many", "is_paid": "maybe"}),
        _line("tracks:u1:t3", {"id": "t3", "duration": "x", "plays": "y"}),
        _line("tracks:u2:t4", "just text"),                                      # object expected
        _line("donations:a1:d1", {"id": "d1", "amount": "ten", "created_at": "not a date"}),
        _line("donations:a1:d2", {"id": "d2", "amount": "250.5", "currency": "RUB"}),
    ], bom=False, crlf=False)
    result = ingest([path], store, "seed", say=lambda _m: None)
    assert result.rows_loaded == 6
    assert result.coercion_nulls == {
        "tracks.duration": 2,
        "tracks.plays": 2,
        "tracks.is_paid": 1,
        "tracks (wrong shape, row skipped)": 1,
        "donations.amount": 1,
        "donations.created_at": 1,
    }
    assert rows(store, "SELECT id, duration, plays FROM tracks ORDER BY id") == [
        ("t1", None, 12), ("t2", 185, None), ("t3", None, None)]
    assert rows(store, "SELECT id, amount FROM donations ORDER BY id") == [("d1", None), ("d2", 250.5)]
    assert scalar(store, "SELECT COUNT(*) FROM information_schema.columns WHERE column_name = 'promo_failed'") == 0
