"""Expanding (list) parameters: a query whose ``-- Params:`` header calls a parameter a list (``:keys (list of text)``)
binds it with ``bindparam(expanding=True)`` on both engines: an empty list, one value, many values, and values with
quotes and Cyrillic all come back as bound values, never as SQL. A missing or non-list value is a one-line error.
On the medium demo store the lookup is an index scan (see README, "Scale: 1M against 10M keys"); here, on a tiny
store, the test checks the results and the error messages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from dashboard.store.queries import QueryError, header_list_params, load_query, run_query
from tests.conftest import StoreFactory

ODD_KEYS = ("notes:o'brien:\"quoted\"", "заметки:Анна:список", "notes:semi;colon -- not a comment")
PLAIN_KEYS = tuple(f"notes:k{i:03d}" for i in range(150))


@pytest.fixture
def kv_store_with_odd_keys(new_store: StoreFactory, tmp_path: Path) -> Store:
    store = new_store()
    path = tmp_path / "odd.ndjson"
    records = [{"key": k, "value": {"n": i, "text": "значение"}} for i, k in enumerate(ODD_KEYS + PLAIN_KEYS)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    ingest([path], store, "seed", say=lambda _m: None)
    return store


def values(store: Store, keys: Any) -> dict[str, Any]:
    frame = run_query(store, "kv_values_for_keys", keys=keys)
    return {k: json.loads(v) for k, v in zip(frame["key"], frame["value"], strict=True)}


def test_the_header_marks_list_parameters() -> None:
    sql = ("-- Returns: x\n-- Params: :keys (list of text) the keys; :n (integer) how many;\n"
           "--   :ids (list of integer)\n")
    assert header_list_params(sql) == {"keys": "text", "ids": "integer"}
    assert load_query("kv_values_for_keys").lists == ("keys",)
    assert load_query("names_of_artists").lists == ()
    assert load_query("names_of_artists").arrays == ("artist_ids",)


def test_empty_one_many_and_odd_keys_on_both_engines(kv_store_with_odd_keys: Store) -> None:
    store = kv_store_with_odd_keys
    assert values(store, []) == {}
    assert values(store, ()) == {}
    assert values(store, ["notes:k007"]) == {"notes:k007": {"n": len(ODD_KEYS) + 7, "text": "значение"}}
    many = values(store, [*PLAIN_KEYS, "no such key"])
    assert set(many) == set(PLAIN_KEYS)
    odd = values(store, ODD_KEYS)
    assert odd == {k: {"n": i, "text": "значение"} for i, k in enumerate(ODD_KEYS)}
    assert values(store, ["notes:o'brien:\"quoted\"' OR '1'='1"]) == {}  # a value, never SQL


@pytest.mark.parametrize("bad", ["notes:k001", None, 5, {"notes:k001"}])
def test_a_list_parameter_that_is_not_a_list_is_a_one_line_error(kv_store_with_odd_keys: Store, bad: Any) -> None:
    with pytest.raises(QueryError) as err:
        run_query(kv_store_with_odd_keys, "kv_values_for_keys", keys=bad)
    assert str(err.value) == f"query kv_values_for_keys: parameter keys must be a list, not {type(bad).__name__}"
    assert "\n" not in str(err.value)


def test_a_missing_list_parameter_is_a_one_line_error() -> None:
    with pytest.raises(QueryError) as err:
        run_query(Store("/nonexistent/never-opened.duckdb"), "kv_values_for_keys")
    assert str(err.value) == "query kv_values_for_keys needs parameters: keys"


def test_an_array_parameter_is_one_bound_value_on_both_engines(seed_store: Store) -> None:
    """``:artist_ids (array of text)``: the ids go as one array value (however many: 3,000 here, over the old
    2,000-id chunks), so an empty array, quotes and Cyrillic come back as values, never as SQL; not a list is a
    one-line error."""
    directory = run_query(seed_store, "artists_matching", search="", limit=1000)
    known = dict(zip(directory["artist_id"], directory["name"], strict=True))
    assert known
    odd = ["o'brien\"; DROP TABLE artist_directory; --", "Анна 🎸", ""]
    ids = [*known, *odd, *(f"nobody-{i}" for i in range(3_000))]
    frame = run_query(seed_store, "names_of_artists", artist_ids=ids)
    assert dict(zip(frame["artist_id"], frame["name"], strict=True)) == known
    assert run_query(seed_store, "names_of_artists", artist_ids=[]).empty
    assert run_query(seed_store, "names_of_artists", artist_ids=tuple(known)[:1])["artist_id"].tolist() == \
        list(known)[:1]
    with pytest.raises(QueryError) as err:
        run_query(seed_store, "names_of_artists", artist_ids="a-1")
    assert str(err.value) == "query names_of_artists: parameter artist_ids must be a list, not str"
