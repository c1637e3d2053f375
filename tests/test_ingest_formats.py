"""Demo snapshots in every format (plain and gzipped) load to the same store, on both engines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.demo.snapshot import write_demo_snapshot
from dashboard.ingest.build import ingest
from tests.conftest import AS_OF, StoreFactory, reader_cases
from tests.sql import rows, scalar

FORMATS = ["ndjson", "json", "csv", "parquet"]


@pytest.fixture(scope="module")
def tiny_snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("formats")
    paths: dict[str, Path] = {}
    for fmt in FORMATS:
        for gz in ("", ".gz"):
            path = out / f"tiny.{fmt}{gz}"
            write_demo_snapshot(path, scale="tiny", seed=3, as_of=AS_OF)
            paths[f"{fmt}{gz}"] = path
    return paths


def _manifest(path: Path) -> dict:
    return json.loads(Path(str(path) + ".manifest.json").read_text(encoding="utf-8"))


def _fingerprint(store) -> list[tuple]:  # type: ignore[no-untyped-def]
    return rows(store, """
        SELECT (SELECT COUNT(*) FROM kv_store), (SELECT COUNT(*) FROM tracks), (SELECT COUNT(*) FROM track_analytics),
               (SELECT SUM(plays) FROM track_analytics), (SELECT SUM(amount) FROM donations),
               (SELECT COUNT(*) FROM donations WHERE is_anonymous), (SELECT SUM(amount) FROM coins_transactions),
               (SELECT COUNT(*) FROM payment_transactions WHERE status = 'refunded'),
               (SELECT COUNT(*) FROM kv_index), (SELECT SUM(value) FROM kv_counters),
               (SELECT COUNT(*) FROM kv_unmapped), (SELECT COUNT(*) FROM kv_rejects)""")


# every format on DuckDB; on PostgreSQL two of them (a file is read by the one reader, which the two engines share:
# the build on PostgreSQL is the DuckDB build, copied in), so the formats are not all read twice
FORMAT_CASES = reader_cases(["ndjson.gz", "parquet", "ndjson", "json", "json.gz", "csv", "csv.gz", "parquet.gz"],
                            on_postgresql=2)
_references: dict[bool, list[tuple]] = {}


@pytest.mark.parametrize(("new_store", "fmt"), FORMAT_CASES, indirect=["new_store"])
def test_every_format_loads_the_same(fmt: str, tiny_snapshots: dict[str, Path], new_store: StoreFactory) -> None:
    store = new_store()
    path = tiny_snapshots[fmt]
    result = ingest([path], store, "seed", say=lambda _m: None)
    total = _manifest(path)["total_keys"]
    assert result.rows_read == result.rows_loaded == total
    assert result.rows_rejected == result.rows_unmapped == result.duplicates == 0
    assert result.coercion_nulls == {}
    assert result.files[0]["format"] == fmt.removesuffix(".gz")
    assert result.files[0]["gzip"] == fmt.endswith(".gz")
    if store.is_postgres not in _references:  # the plain NDJSON's content, once per engine
        reference = new_store()
        ingest([tiny_snapshots["ndjson"]], reference, "seed", say=lambda _m: None)
        _references[store.is_postgres] = _fingerprint(reference)
    assert _fingerprint(store) == _references[store.is_postgres]


def test_demo_counts_and_planted_inconsistencies(demo_stores: dict, demo_snapshot: Path) -> None:
    manifest = _manifest(demo_snapshot)
    planted = manifest["inconsistencies"]
    assert planted["dangling_list_ids"] and planted["coin_balance_drift"] and planted["unread_drift"]
    for store in demo_stores.values():
        assert scalar(store, "SELECT COUNT(*) FROM kv_store") == manifest["total_keys"]
        assert scalar(store, "SELECT COUNT(*) FROM kv_unmapped") == 0
        # every id list entry the manifest calls dangling is kept in kv_index, pointing at nothing
        for item in manifest["inconsistencies"]["dangling_list_ids"]:
            assert scalar(store, "SELECT COUNT(*) FROM kv_index WHERE list_key = :k AND item_id = :i",
                          k=item["list_key"], i=item["item_id"]) == 1
        # coin balances that differ from their transactions
        for drift in manifest["inconsistencies"]["coin_balance_drift"]:
            balance = scalar(store, "SELECT balance FROM coins_balance WHERE user_id = :u", u=drift["user_id"])
            tx_sum = scalar(store, "SELECT SUM(amount) FROM coins_transactions WHERE user_id = :u", u=drift["user_id"])
            assert (balance, tx_sum) == (drift["balance"], drift["tx_sum"])
            assert balance != tx_sum
        for drift in manifest["inconsistencies"]["unread_drift"]:
            counter = scalar(store, "SELECT value FROM kv_counters WHERE owner_id = :u", u=drift["user_id"])
            unread = scalar(store, "SELECT COUNT(*) FROM notifications WHERE user_id = :u AND NOT is_read",
                            u=drift["user_id"])
            assert (counter, unread) == (drift["counter"], drift["actual"])
