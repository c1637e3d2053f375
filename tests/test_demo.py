"""The demo snapshot generator: determinism, size, layout, formats and the planted facts, checked on real files."""

from __future__ import annotations

import csv
import gzip
import json
import re
import shutil
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.demo.snapshot import PENDING_ENTITIES, SCALES, moscow_today, write_demo_snapshot

AS_OF = date(2026, 3, 1)
SNAPSHOT_AT = "2026-03-01T00:00:00+03:00"
ID = r"[0-9a-f-]{36}"
DATE = r"\d{4}-\d{2}-\d{2}"
# The key patterns of the schema reference's "SUMMARY: KV STORE MAPPING" that the generator writes.
DOCUMENTED_KEYS = [re.compile(p) for p in (
    rf"users:{ID}:(base|profile|settings|subscription)",
    rf"(tracks|videos|concerts|news|donations|banners|promotion|pitching):{ID}:({ID}|list)",
    r"concerts:public:promoted", r"news:public:promoted", r"banners:active:list",
    rf"coins:{ID}:(balance|transactions)", rf"payments:{ID}:(transactions|methods)",
    rf"messages:{ID}:(list|conversations)", rf"conversations:{ID}:(list|details)",
    rf"notifications:{ID}:(list|unread)", rf"email:{ID}:(subscriptions|history)",
    rf"tickets:{ID}:(list|details)", rf"settings:{ID}:(profile|notifications|privacy)",
    rf"analytics:tracks:{ID}:{DATE}", rf"analytics:concerts:{ID}:{DATE}",
)]
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+03:00")
FORMATS = ("ndjson", "json", "csv", "parquet")

Records = list[tuple[str, Any]]


def read_ndjson(path: Path) -> Records:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    assert all(set(row) == {"key", "value"} for row in rows)
    return [(row["key"], row["value"]) for row in rows]


def read_json_array(path: Path) -> Records:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [(row["key"], row["value"]) for row in json.load(fh)]


def read_csv(path: Path) -> Records:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["key", "value"]
        return [(key, json.loads(value)) for key, value in reader]


def read_parquet(path: Path) -> Records:
    if path.suffix == ".gz":
        plain = path.with_suffix("")
        with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst)
        path = plain
    con = duckdb.connect()
    assert [c[0] for c in con.sql(f"DESCRIBE SELECT * FROM read_parquet('{path}')").fetchall()] == ["key", "value"]
    rows = con.sql(f"SELECT key, value FROM read_parquet('{path}')").fetchall()
    return [(key, json.loads(value)) for key, value in rows]


READERS = {"ndjson": read_ndjson, "json": read_json_array, "csv": read_csv, "parquet": read_parquet}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Records, Path]:
    out = tmp_path_factory.mktemp("small") / "snapshot.ndjson"
    manifest = write_demo_snapshot(out, "small", seed=7, as_of=AS_OF)
    return manifest, read_ndjson(out), out


@pytest.fixture(scope="module")
def values(small: tuple[dict[str, Any], Records, Path]) -> dict[str, Any]:
    records = small[1]
    by_key = dict(records)
    assert len(by_key) == len(records), "duplicate keys"
    return by_key


def entities(values: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    pattern = re.compile(rf"{prefix}:{ID}:{ID}")
    return [v for k, v in values.items() if pattern.fullmatch(k)]


def payments(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for k, v in values.items() if k.startswith("payments:") and k.endswith(":transactions") for p in v]


# ------------------------------------------------------------------------------------------ determinism, size
def test_same_seed_and_date_give_identical_bytes(tmp_path: Path) -> None:
    for name in ("a.ndjson", "b.ndjson", "a.parquet.gz", "b.parquet.gz", "a.csv.gz", "b.csv.gz"):
        write_demo_snapshot(tmp_path / name, "tiny", seed=3, as_of=AS_OF)
    for ext in ("ndjson", "parquet.gz", "csv.gz"):
        assert (tmp_path / f"a.{ext}").read_bytes() == (tmp_path / f"b.{ext}").read_bytes()
    manifests = [json.loads((tmp_path / f"{n}.ndjson.manifest.json").read_text(encoding="utf-8")) for n in "ab"]
    assert manifests[0].pop("file") == "a.ndjson" and manifests[1].pop("file") == "b.ndjson"
    assert manifests[0] == manifests[1]


def test_other_seed_or_date_gives_other_data(tmp_path: Path) -> None:
    write_demo_snapshot(tmp_path / "a.ndjson", "tiny", seed=3, as_of=AS_OF)
    write_demo_snapshot(tmp_path / "b.ndjson", "tiny", seed=4, as_of=AS_OF)
    write_demo_snapshot(tmp_path / "c.ndjson", "tiny", seed=3, as_of=date(2026, 3, 2))
    a = (tmp_path / "a.ndjson").read_bytes()
    assert a != (tmp_path / "b.ndjson").read_bytes()
    assert a != (tmp_path / "c.ndjson").read_bytes()


def test_small_scale_size_and_manifest_counts(small: tuple[dict[str, Any], Records, Path]) -> None:
    manifest, records, out = small
    assert abs(len(records) - SCALES["small"]) <= 0.15 * SCALES["small"]
    assert manifest["total_keys"] == len(records)
    assert manifest["keys_by_prefix"] == dict(sorted(Counter(k.split(":", 1)[0] for k, _ in records).items()))
    assert json.loads(Path(f"{out}.manifest.json").read_text(encoding="utf-8")) == manifest
    assert (manifest["scale"], manifest["seed"], manifest["as_of"]) == ("small", 7, "2026-03-01")
    assert manifest["users"]["artists"] > manifest["users"]["fans"] > manifest["users"]["staff"] >= 3
    assert manifest["keys_by_prefix"]["analytics"] > len(records) / 2


def test_default_as_of_is_today_in_moscow(tmp_path: Path) -> None:
    manifest = write_demo_snapshot(tmp_path / "d.ndjson", "tiny")
    assert manifest["as_of"] == moscow_today().isoformat()


def test_unknown_scale_or_extension_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_demo_snapshot(tmp_path / "x.ndjson", "huge")
    with pytest.raises(ValueError):
        write_demo_snapshot(tmp_path / "x.txt", "tiny")


# ------------------------------------------------------------------------------------------------ layout
def test_every_key_follows_the_documented_layout(values: dict[str, Any]) -> None:
    strays = [k for k in values if not any(p.fullmatch(k) for p in DOCUMENTED_KEYS)]
    assert strays == []


def test_values_are_plain_json_not_encoded_strings(values: dict[str, Any]) -> None:
    assert not [k for k, v in values.items() if isinstance(v, str)]
    assert all(isinstance(v, int) for k, v in values.items() if k.endswith(":unread"))
    assert all(isinstance(v, list) for k, v in values.items() if k.endswith((":list", ":promoted", ":transactions")))


def test_timestamps_carry_an_offset_and_precede_the_snapshot(values: dict[str, Any]) -> None:
    future_ok = {"expires_at", "end_date"}  # a running subscription or banner ends later

    def check(node: Any, name: str) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                check(child, key)
        elif isinstance(node, list):
            for child in node:
                check(child, name)
        elif isinstance(node, str) and name.endswith(("_at", "_date")) and name != "release_date" and node:
            assert TIMESTAMP.fullmatch(node), (name, node)
            assert name in future_ok or node <= SNAPSHOT_AT, (name, node)

    for value in values.values():
        check(value, "")


def test_entities_carry_id_and_owner(values: dict[str, Any]) -> None:
    for key, value in values.items():
        parts = key.split(":")
        if parts[0] == "analytics":
            assert value["date"] == parts[3] and value[f"{parts[1][:-1]}_id"] == parts[2] and value["id"]
        elif parts[0] == "donations" and parts[2] != "list":
            assert (value["artist_id"], value["id"]) == (parts[1], parts[2])
        elif parts[0] in ("tracks", "videos", "concerts", "news", "banners", "promotion", "pitching") \
                and parts[2] not in ("list", "promoted"):
            assert (value["user_id"], value["id"]) == (parts[1], parts[2])


def test_track_fields_and_a_year_of_daily_analytics(values: dict[str, Any]) -> None:
    tracks = entities(values, "tracks")
    assert set(tracks[0]) == {"id", "user_id", "title", "genre", "authors", "cover_url", "audio_url", "duration",
                              "release_date", "status", "views", "likes", "plays", "is_paid", "created_at",
                              "updated_at"}
    days = sorted({k.rsplit(":", 1)[1] for k in values if k.startswith("analytics:tracks:")})
    assert (days[0], days[-1], len(days)) == ("2025-03-02", "2026-03-01", 365)
    sample = next(v for k, v in values.items() if k.startswith("analytics:tracks:") and v["plays"] > 50)
    assert sum(sample["platform_stats"].values()) == sample["plays"]
    assert set(sample["platform_stats"]) == {"yandex_music", "vk_music", "spotify", "apple_music", "zvuk"}
    assert "RU" in sample["geographic_stats"]
    assert any(k.startswith("analytics:concerts:") for k in values)
    assert any(re.search("[А-Яа-я]", t["title"]) for t in tracks)
    assert any(e in t["title"] for t in tracks for e in ("🔥", "🎸", "❤️"))


# ------------------------------------------------------------------------------------------------ formats
@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("fmt", FORMATS)
def test_format_round_trips_the_same_records(tmp_path: Path, fmt: str, gzipped: bool) -> None:
    baseline = tmp_path / "baseline.ndjson"
    write_demo_snapshot(baseline, "tiny", seed=5, as_of=AS_OF)
    out = tmp_path / f"snapshot.{fmt}{'.gz' if gzipped else ''}"
    manifest = write_demo_snapshot(out, "tiny", seed=5, as_of=AS_OF)
    if gzipped:
        assert out.read_bytes()[:2] == b"\x1f\x8b"
    records = READERS[fmt](out)
    assert records == read_ndjson(baseline)
    assert manifest["total_keys"] == len(records) and (manifest["format"], manifest["gzip"]) == (fmt, gzipped)
    assert any("Москва" in json.dumps(v, ensure_ascii=False) for _, v in records)


# ----------------------------------------------------------------------------------- planted inconsistencies
def test_coin_balance_drift_is_real(small: tuple[dict[str, Any], Records, Path], values: dict[str, Any]) -> None:
    planted = small[0]["inconsistencies"]["coin_balance_drift"]
    assert planted
    drifted = set()
    for key, balance in values.items():
        if key.startswith("coins:") and key.endswith(":balance"):
            user = key.split(":")[1]
            tx_sum = sum(t["amount"] for t in values[f"coins:{user}:transactions"])
            if balance["balance"] != tx_sum:
                drifted.add((user, balance["balance"], tx_sum))
    assert drifted == {(d["user_id"], d["balance"], d["tx_sum"]) for d in planted}


def test_dangling_list_ids_are_real(small: tuple[dict[str, Any], Records, Path], values: dict[str, Any]) -> None:
    planted = small[0]["inconsistencies"]["dangling_list_ids"]
    assert any(d["list_key"] == "banners:active:list" for d in planted)
    existing = {k.rsplit(":", 1)[1] for k in values if re.fullmatch(rf"\w+:{ID}:{ID}", k)}
    dangling = set()
    for key, ids in values.items():
        if re.fullmatch(rf"(tracks|videos|concerts|news|donations|banners|promotion|pitching):({ID}|active):list",
                        key):
            dangling |= {(key, item) for item in ids if item not in existing}
    assert dangling == {(d["list_key"], d["item_id"]) for d in planted}


def test_unread_drift_is_real(small: tuple[dict[str, Any], Records, Path], values: dict[str, Any]) -> None:
    planted = small[0]["inconsistencies"]["unread_drift"]
    assert planted
    drift = set()
    for key, counter in values.items():
        if key.endswith(":unread"):
            user = key.split(":")[1]
            actual = sum(1 for n in values[f"notifications:{user}:list"] if not n["is_read"])
            if counter != actual:
                drift.add((user, counter, actual))
    assert drift == {(d["user_id"], d["counter"], d["actual"]) for d in planted}


# ----------------------------------------------------------------------------------------------- business
def test_pending_items_for_every_moderated_entity(small: tuple[dict[str, Any], Records, Path],
                                                  values: dict[str, Any]) -> None:
    manifest = small[0]
    for entity in PENDING_ENTITIES:
        pending = [v for v in entities(values, entity) if v["status"] == "pending"]
        assert pending and len(pending) == manifest["pending"][entity], entity
        assert all(manifest["pending_by_age"][entity].values()), entity
        oldest = min(v["created_at"] for v in pending)
        newest = max(v["created_at"] for v in pending)
        assert oldest < "2026-02-26" and newest > "2026-02-28T12", entity


def test_promoted_and_active_lists_point_at_promoted_and_active_records(small: tuple[dict[str, Any], Records, Path],
                                                                        values: dict[str, Any]) -> None:
    concerts = {c["id"]: c for c in entities(values, "concerts")}
    news = {n["id"]: n for n in entities(values, "news")}
    banners = {b["id"]: b for b in entities(values, "banners")}
    assert values["concerts:public:promoted"] and all(concerts[i]["is_promoted"]
                                                      for i in values["concerts:public:promoted"])
    assert values["news:public:promoted"] and all(news[i]["is_promoted"] for i in values["news:public:promoted"])
    ghosts = {d["item_id"] for d in small[0]["inconsistencies"]["dangling_list_ids"]}
    active = [i for i in values["banners:active:list"] if i not in ghosts]
    assert active and all(banners[i]["status"] == "active" for i in active)


def test_donations_and_their_payments(values: dict[str, Any]) -> None:
    donations = {d["id"]: d for d in entities(values, "donations")}
    anonymous = [d for d in donations.values() if d["is_anonymous"]]
    assert anonymous and all(d["donor_name"] is None and d["donor_email"] is None for d in anonymous)
    assert any(d["donor_name"] and d["message"] for d in donations.values())
    assert {d["status"] for d in donations.values()} == {"completed", "refunded", "pending"}
    received = [p for p in payments(values) if p["type"] == "donation_received"]
    assert len(received) == len(donations)
    for pay in received:
        donation = donations[pay["metadata"]["donation_id"]]
        assert (pay["amount"], pay["currency"], pay["status"], pay["user_id"]) == (
            donation["amount"], donation["currency"], donation["status"], donation["artist_id"])


def test_payment_mix(values: dict[str, Any]) -> None:
    rows = payments(values)
    assert {p["type"] for p in rows} == {"donation_received", "coin_purchase", "subscription", "promotion"}
    assert {p["status"] for p in rows} == {"completed", "refunded", "failed", "pending"}
    assert {p["payment_method"] for p in rows} == {"card", "yoomoney", "sbp"}
    assert {p["provider"] for p in rows} == {"yookassa", "cloudpayments", "stripe"}
    foreign = [p for p in rows if p["currency"] != "RUB"]
    assert foreign and {p["currency"] for p in foreign} <= {"USD", "EUR"} and len(foreign) < len(rows) / 10
    assert {p["metadata"]["stream"] for p in rows if p["type"] == "promotion"} == {"banner", "campaign", "pitching"}
    assert all(isinstance(p["amount"], int) for p in rows if p["currency"] == "RUB")


def test_coins_and_subscriptions(values: dict[str, Any]) -> None:
    ledger = [t for k, v in values.items() if k.endswith(":transactions") and k.startswith("coins:") for t in v]
    assert {t["type"] for t in ledger} == {"purchase", "earn", "spend", "refund"}
    assert all(t["amount"] < 0 for t in ledger if t["type"] == "spend")
    assert {t["related_entity_type"] for t in ledger if t["type"] == "spend"} == {"banner", "promotion", "pitching",
                                                                                  "boost"}
    subs = [v for k, v in values.items() if k.endswith(":subscription")]
    assert {s["tier"] for s in subs} == {"free", "basic", "pro", "premium"}
    assert {s["status"] for s in subs} == {"active", "cancelled", "expired"}


def test_tickets_messages_and_users(values: dict[str, Any]) -> None:
    tickets = [v for k, v in values.items() if k.startswith("tickets:") and k.endswith(":details")]
    assert tickets and all(t["messages"] and {"user_id", "message", "created_at"} == set(t["messages"][0])
                           for t in tickets)
    roles = Counter(v["role"] for k, v in values.items() if k.endswith(":base"))
    assert roles["artist"] > roles["fan"] > 0 and roles["admin"] and roles["moderator"]
    cities = {v["location"] for k, v in values.items() if k.startswith("users:") and k.endswith(":profile")}
    assert {"Москва", "Санкт-Петербург"} <= cities
    for key, ids in values.items():
        if key.startswith("conversations:") and key.endswith(":list"):
            assert all(f"messages:{c}:list" in values and f"conversations:{c}:details" in values for c in ids)
