"""The deployed-layout demo (demo --layout deployed): determinism, key shapes the platform writes, its quirks, the
statuses and money of KEYS.md A/B, the planted KEYS.md D inconsistencies, the day-2 growth, the CLI's bad
arguments, and an ingest of the tiny demo on both engines. Expected values are computed here from the files."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dashboard.cli import main
from dashboard.demo.deployed import day2_path, prefix_of, write_deployed_snapshot
from dashboard.demo.snapshot import SCALES
from dashboard.ingest.build import ingest
from tests.conftest import FIXTURE, SHARED, StoreFactory
from tests.data import decoded
from tests.sql import scalar

AS_OF = date(2026, 3, 1)
SNAPSHOT_AT = "2026-02-28T21:00:00.000Z"  # 2026-03-01 00:00 Europe/Moscow
DAY2_AT = "2026-03-01T21:00:00.000Z"
WINDOW_START = "2025-11-30T21:00:00.000Z"  # 90 days before
KEYS_MD = SHARED / "platform" / "KEYS.md"
ID = re.compile(r"\d{13}-[0-9a-z]{9}")
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

# Key patterns the demo writes that the fixture has no example of: each is quoted from KEYS.md (checked below)
# with its expansion as a regex.
KEYS_MD_PATTERNS = {
    "`beat_purchase:{id}`": r"beat_purchase:[^:]+",
    "`beat_purchases_by_user|prod:{u}`": r"beat_purchases_by_(user|prod):[^:]+",
    "`beat_favorites:{u}`": r"beat_favorites:[^:]+",
    "`beat_review:{beatId}:{id}`": r"beat_review:[^:]+:[^:]+",
    "`beat_reviews_index:{beatId}`": r"beat_reviews_index:[^:]+",
    "`digital_purchase:{id}`": r"digital_purchase:[^:]+",
    "`digital_purchases_by_user:{u}`": r"digital_purchases_by_user:[^:]+",
    "`service_orders_by_client|producer:{u}`": r"service_orders_by_(client|producer):[^:]+",
    "`booking_payment:{id}`": r"booking_payment:[^:]+",
    "`booking_calendar:{performerId}:{date}`": r"booking_calendar:[^:]+:\d{4}-\d{2}-\d{2}",
    "`dj:booking:{id}`": r"dj:booking:[^:]+",
    "`dj:bookings:{djId}`": r"dj:bookings:[^:]+",
    "`collab_chat:{offerId}`": r"collab_chat:[^:]+",
    "`content_order:{id}`": r"content_order:[^:]+",
    "`venue_orders:{venueId}`": r"venue_orders:[^:]+",
    "`content_orders:{status}`": r"content_orders:(pending|processing|review|ready|approved|revision|completed|"
                                 r"cancelled)",
    "`publish_notifications:{u}`": r"publish_notifications:[^:]+",
    "`ticket_provider:{artistId}:{providerId}`": r"ticket_provider:[^:]+:(kassir|ticketland|afisha|ticketmaster|"
                                                 r"other)",
    "`news:articles:pending`": r"news:articles:pending",
}
LITERAL = re.compile(r"[a-z][a-z_]*")
BANNER_KEY = re.compile(r"banner_ad_(.+)_banner_(\d+)_([0-9a-z]+)")

Values = dict[str, Any]


def shape(key: str) -> str:
    """A key with its id segments replaced by {}: literal words (lower-case letters, _) stay."""
    if BANNER_KEY.fullmatch(key):
        return "banner_ad_{}_banner_{}_{}"
    return ":".join(s if s == "" or LITERAL.fullmatch(s) else "{}" for s in key.split(":"))


def read(path: Path) -> list[tuple[str, Any]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [(row["key"], row["value"]) for row in map(json.loads, fh)]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Values, Values]:
    out = tmp_path_factory.mktemp("deployed") / "demo.ndjson"
    manifest = write_deployed_snapshot(out, "small", seed=7, as_of=AS_OF)
    day1, day2 = read(out), read(day2_path(out))
    assert len(dict(day1)) == len(day1) and len(dict(day2)) == len(day2), "duplicate keys"
    return manifest, dict(day1), dict(day2)


def of(values: Values, pattern: str) -> dict[str, Any]:
    """The decoded values of the keys that fully match `pattern`."""
    rx = re.compile(pattern)
    return {k: decoded(v) for k, v in values.items() if rx.fullmatch(k)}


# ------------------------------------------------------------------------------------------ determinism, size
def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        write_deployed_snapshot(tmp_path / f"{name}.ndjson", "tiny", seed=3, as_of=AS_OF)
        write_deployed_snapshot(tmp_path / f"{name}.ndjson.gz", "tiny", seed=3, as_of=AS_OF)
    for suffix in (".ndjson", ".day2.ndjson", ".ndjson.gz", ".day2.ndjson.gz"):
        assert sha256(tmp_path / f"a{suffix}") == sha256(tmp_path / f"b{suffix}")
    manifests = [json.loads((tmp_path / f"{n}.ndjson.manifest.json").read_text(encoding="utf-8")) for n in "ab"]
    for manifest in manifests:
        manifest.pop("file")
        manifest["day2"].pop("file")
    assert manifests[0] == manifests[1]
    write_deployed_snapshot(tmp_path / "c.ndjson", "tiny", seed=4, as_of=AS_OF)
    write_deployed_snapshot(tmp_path / "d.ndjson", "tiny", seed=3, as_of=date(2026, 3, 2))
    assert len({sha256(tmp_path / f"{n}.ndjson") for n in "acd"}) == 3


@pytest.mark.parametrize("name", ["demo.ndjson.gz", "demo.csv", "demo.parquet"])
def test_other_formats_hold_the_same_records(tmp_path: Path, name: str) -> None:
    baseline = tmp_path / "base.ndjson"
    write_deployed_snapshot(baseline, "tiny", seed=5, as_of=AS_OF)
    out = tmp_path / name
    manifest = write_deployed_snapshot(out, "tiny", seed=5, as_of=AS_OF)
    second = day2_path(out)
    assert second.name == name.replace("demo.", "demo.day2.", 1) and second.is_file()
    if name.endswith(".gz"):
        records, records2 = read(out), read(second)
    elif name.endswith(".csv"):
        records, records2 = (read_csv(p) for p in (out, second))
    else:
        records, records2 = (read_parquet(p) for p in (out, second))
    assert records == read(baseline) and records2 == read(day2_path(baseline))
    assert len(records) == manifest["total_keys"]


def read_csv(path: Path) -> list[tuple[str, Any]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["key", "value"]
        return [(key, json.loads(value)) for key, value in reader]


def read_parquet(path: Path) -> list[tuple[str, Any]]:
    rows = duckdb.sql(f"SELECT key, value FROM read_parquet('{path}')").fetchall()
    return [(key, json.loads(value)) for key, value in rows]


def test_size_and_manifest_counts(small: tuple[dict[str, Any], Values, Values]) -> None:
    manifest, day1, day2 = small
    assert abs(len(day1) - SCALES["small"]) <= 0.1 * SCALES["small"]
    assert manifest["total_keys"] == len(day1) and manifest["day2"]["total_keys"] == len(day2)
    assert manifest["keys_by_prefix"] == dict(sorted(Counter(map(prefix_of, day1)).items()))
    assert manifest["day2"]["keys_by_prefix"] == dict(sorted(Counter(map(prefix_of, day2)).items()))
    assert (manifest["layout"], manifest["scale"], manifest["seed"], manifest["as_of"]) == (
        "deployed", "small", 7, "2026-03-01")
    assert (manifest["snapshot_at"], manifest["day2"]["snapshot_at"]) == (SNAPSHOT_AT, DAY2_AT)


# ------------------------------------------------------------------------------------------------ key shapes
def test_every_key_has_a_shape_the_platform_writes(small: tuple[dict[str, Any], Values, Values]) -> None:
    keys_md = KEYS_MD.read_text(encoding="utf-8")
    assert [quote for quote in KEYS_MD_PATTERNS if quote not in keys_md] == []
    fixture_shapes = {shape(json.loads(line)["key"]) for line in FIXTURE.read_text(encoding="utf-8").splitlines()}
    documented = [re.compile(p) for p in KEYS_MD_PATTERNS.values()]
    _, day1, day2 = small
    strays = sorted({shape(k) for k in day1.keys() | day2.keys()
                     if shape(k) not in fixture_shapes and not any(p.fullmatch(k) for p in documented)})
    assert strays == []
    # and the demo covers every area of the platform: each of the fixture's shapes occurs
    assert sorted(fixture_shapes - {shape(k) for k in day1}) == []


def test_the_platform_quirks(small: tuple[dict[str, Any], Values, Values]) -> None:
    _, day1, _ = small
    for prefix in ("track", "video", "news", "concert", "donation", "coins:tx", "profile", "analytics",
                   "beat_purchase", "service_order", "contract", "digital_purchase"):
        rows = [v for k, v in day1.items() if k.startswith(f"{prefix}:")
                and k.split(":")[1] not in ("public", "promoted", "articles")]
        assert rows and all(isinstance(v, str) and isinstance(json.loads(v), dict) for v in rows), prefix
    balances = [v for k, v in day1.items() if k.startswith("coins:balance:")]
    assert balances and all(isinstance(v, str) and re.fullmatch(r"-?\d+", v) for v in balances)
    assert all(isinstance(v, dict) for k, v in day1.items() if k.startswith(("beat:public:beat-", "artist:")))
    tracks = of(day1, r"track:(?!public:)[^:]+:[^:]+")
    assert all(ID.fullmatch(t["id"]) and re.fullmatch(r"\d+:\d{2}", t["duration"]) and ISO.fullmatch(t["createdAt"])
               for t in tracks.values())
    assert any(k.startswith("track:demo-user:") for k in tracks)
    concerts = of(day1, r"concert:(?!public:|promoted:)[^:]+:[^:]+")
    assert all(isinstance(c["ticketPriceFrom"], str) and c["ticketPriceFrom"].isdigit() for c in concerts.values())
    # camelCase and snake_case side by side
    assert all("userId" in t for t in tracks.values())
    assert all("user_id" in b for k, b in day1.items() if k.startswith("banner_ad_"))
    assert all("created_at" in t for t in of(day1, r"ticket:TKT-\d+").values())
    subscriptions = of(day1, r"subscription:[^:]+")
    assert {"user_id" in s and "features" in s for s in subscriptions.values()} == {True, False}  # cab (a)
    assert any("planId" in s for s in subscriptions.values()) and any("tierName" in s for s in subscriptions.values())
    analytics = of(day1, r"analytics:[^:]+:track:[^:]+")
    assert analytics and all(a["dailyStats"] == [] and a["likes"] == 0 for a in analytics.values())
    for key, stats in analytics.items():
        user, _, track = key.split(":")[1:]
        if f"track:{user}:{track}" in day1:
            assert stats["plays"] == json.loads(day1[f"track:{user}:{track}"])["plays"]
    assert re.fullmatch(UUID, next(k for k in tracks if "demo-user" not in k).split(":")[1])


# ----------------------------------------------------------------------------------- statuses and money
def test_pending_review_items_of_every_moderated_entity(small: tuple[dict[str, Any], Values, Values]) -> None:
    manifest, day1, _ = small

    def statuses(pattern: str, field: str = "status") -> Counter[str]:
        return Counter(v[field] for v in of(day1, pattern).values())

    assert statuses(r"marketing_campaign:[^:]+")["pending_review"]
    assert statuses(r"banner_ad_.+")["pending_moderation"] and statuses(r"banner_ad_.+")["pending_payment"]
    tests = of(day1, r"track_test:requests:[^:]+")
    assert {"pending_moderation", "pending_admin_review", "analysis_generated"} <= {t["status"] for t in tests.values()}
    assert any(t.get("admin_approval_status") == "pending" for t in tests.values())
    publish = of(day1, r"publish_order:[^:]+")
    assert {"pending_review", "in_review"} <= {p["status"] for p in publish.values()}
    assert statuses(r"content_order:[^:]+")["pending"]
    for kind in ("track", "video", "news", "concert"):
        assert statuses(rf"{kind}:(?!public:|promoted:|articles:)[^:]+:[^:]+")["pending"], kind
    assert of(day1, r"news:articles:pending")["news:articles:pending"]
    # the manifest counts what the data holds
    assert manifest["statuses"]["marketing_campaign"] == dict(statuses(r"marketing_campaign:[^:]+"))
    assert manifest["statuses"]["track_test"] == dict(Counter(t["status"] for t in tests.values()))
    assert manifest["statuses"]["service_order"] == dict(statuses(r"service_order:[^:]+"))


@pytest.mark.parametrize("seed", [1, 4])
def test_even_the_tiny_demo_has_every_review_and_money_status(tmp_path: Path, seed: int) -> None:
    statuses = write_deployed_snapshot(tmp_path / "t.ndjson", "tiny", seed=seed, as_of=AS_OF)["statuses"]
    needed = {"marketing_campaign": {"pending_review"}, "banner": {"pending_moderation", "pending_payment"},
              "track_test": {"pending_moderation", "pending_admin_review", "analysis_generated"},
              "publish_order": {"pending_review", "in_review", "paid", "published"}, "content_order": {"pending"},
              "track": {"pending", "approved"}, "video": {"pending"}, "news": {"pending"},
              "concert": {"pending", "approved"}, "ticket_sale": {"confirmed"},
              "booking": {"pending", "accepted", "rejected", "deposit_paid", "confirmed", "cancelled", "completed"},
              "radio_venue_request": {"pending", "approved", "rejected", "in_progress", "completed"},
              "ai_news": {"pending"}, "subscription": {"active"}}
    assert {e: sorted(want - set(statuses.get(e, {}))) for e, want in needed.items() if want - set(
        statuses.get(e, {}))} == {}


def test_money_in_all_its_statuses(small: tuple[dict[str, Any], Values, Values]) -> None:
    manifest, day1, _ = small
    money = manifest["money"]
    purchases = of(day1, r"beat_purchase:[^:]+")
    assert money["beat_purchase"] == {"completed": sum(p["price"] for p in purchases.values())}
    assert all(p["commission"] == round(p["price"] * 0.1) for p in purchases.values())
    assert {p["licenseType"] for p in purchases.values()} == {"basic", "premium", "exclusive"}
    orders = of(day1, r"service_order:[^:]+")
    assert {o["status"] for o in orders.values()} == {"pending", "accepted", "rejected", "in_progress", "revision",
                                                      "completed"}
    milestones = [m for c in of(day1, r"contract:[^:]+").values() for m in c["milestones"]]
    assert {"approved", "pending"} <= {m["status"] for m in milestones}
    bookings = of(day1, r"booking:[^:]+")
    assert {"pending", "accepted", "rejected", "deposit_paid", "confirmed", "cancelled", "completed"} == {
        b["status"] for b in bookings.values()}
    assert all(b["platformCommission"] + b["performerFee"] == b["offeredPrice"] for b in bookings.values())
    radio = [r for v in of(day1, r"radio_venue_requests:[^:]+").values() for r in v]
    assert "completed" in {r["status"] for r in radio}
    assert all(r["platformFee"] + r["stationPayout"] == r["totalPrice"] for r in radio)
    tests = of(day1, r"track_test:requests:[^:]+").values()
    assert {t["payment_status"] for t in tests} == {"pending", "completed", "refunded"}
    sales = of(day1, r"ticket_sale:[^:]+:[^:]+").values()
    assert {s["status"] for s in sales} == {"confirmed", "cancelled"}
    assert money["ticket_sale"]["confirmed"] == sum(s["totalAmount"] for s in sales if s["status"] == "confirmed")
    donations = of(day1, r"donation:[^:]+:[^:]+").values()
    assert money["donation"] == {"completed": sum(d["amount"] for d in donations)}
    assert {"active", "expired"} <= {s["status"] for s in of(day1, r"subscription:[^:]+").values()}
    assert {"paid", "published"} <= {p["status"] for p in of(day1, r"publish_order:[^:]+").values()}
    assert of(day1, r"dj:subscription:[^:]+") and of(day1, r"digital_purchase:[^:]+")


def test_activity_spreads_over_the_last_90_days(small: tuple[dict[str, Any], Values, Values]) -> None:
    _, day1, _ = small
    moments = [v["createdAt"] for pattern in (r"donation:[^:]+:[^:]+", r"track:(?!public:)[^:]+:[^:]+",
                                              r"beat_purchase:[^:]+", r"booking:\d+-[0-9a-z]+")
               for v in of(day1, pattern).values()]
    moments += [s["purchasedAt"] for s in of(day1, r"ticket_sale:[^:]+:[^:]+").values()]
    assert all(WINDOW_START <= m <= SNAPSHOT_AT for m in moments)
    months = Counter(m[:7] for m in moments)
    assert len(months) >= 3 and min(months[m] for m in ("2025-12", "2026-01", "2026-02")) > len(moments) / 10

    def late(node: Any, name: str = "") -> list[str]:
        if isinstance(node, dict):
            return [x for k, v in node.items() for x in late(v, k)]
        if isinstance(node, list):
            return [x for v in node for x in late(v, name)]
        created = name in ("createdAt", "created_at", "updatedAt", "updated_at", "purchasedAt", "sent_at", "paidAt")
        return [f"{name}={node}"] if created and isinstance(node, str) and node > SNAPSHOT_AT else []

    assert [x for v in day1.values() for x in late(decoded(v))] == []


# ----------------------------------------------------------------------------------- planted inconsistencies
def planted_in(values: Values) -> dict[str, set[Any]]:
    """The KEYS.md D cases as the data shows them."""
    orphan_messages = {k.split(":")[1] for k in values if k.startswith("ticket_message:")
                       and f"ticket:{k.split(':')[1]}" not in values}
    orphan_analytics = {k for k in values if k.startswith("analytics:")
                        and f"track:{k.split(':')[1]}:{k.split(':')[3]}" not in values}
    guests = {k for k in values if k.startswith("payments:null:tx:")}
    tx_sums: Counter[str] = Counter()
    for key, value in values.items():
        if key.startswith("coins:tx:"):
            tx_sums[key.split(":")[2]] += json.loads(value)["amount"]
    drift = {(k.split(":")[2], int(v), tx_sums[k.split(":")[2]]) for k, v in values.items()
             if k.startswith("coins:balance:") and int(v) != tx_sums[k.split(":")[2]]}
    return {"orphan_ticket_messages": orphan_messages, "orphan_analytics": orphan_analytics,
            "guest_payments": guests, "coin_balance_drift": drift}


def test_planted_cases_are_in_the_manifest_and_in_the_data(small: tuple[dict[str, Any], Values, Values]) -> None:
    manifest, day1, day2 = small
    planted = manifest["inconsistencies"]
    assert all(planted.values()), planted
    expected = {
        "orphan_ticket_messages": {p["ticket_id"] for p in planted["orphan_ticket_messages"]},
        "orphan_analytics": {p["key"] for p in planted["orphan_analytics"]},
        "guest_payments": {p["key"] for p in planted["guest_payments"]},
        "coin_balance_drift": {(p["user_id"], p["balance"], p["tx_sum"]) for p in planted["coin_balance_drift"]},
    }
    assert planted_in(day1) == expected
    assert planted_in(day2) == expected
    assert all(f"user_tickets:{p['user_id']}" in day1 and p["ticket_id"] not in day1[f"user_tickets:{p['user_id']}"]
               for p in planted["orphan_ticket_messages"])
    assert any(p["user_id"] == "demo-user" for p in planted["coin_balance_drift"])


def suspicious_activity_keys(anomalies: dict[str, list[dict[str, Any]]]) -> set[str]:
    """The keys the planted suspicious activity (issue 25) adds: all of them new keys."""
    keys = {f"donation:{p['artist_id']}:{i}" for p in anomalies["donation_burst"] for i in p["donation_ids"]}
    keys |= {f"donation:{p['artist_id']}:{p['donation_id']}" for p in anomalies["self_donation"]}
    for p in anomalies["coin_farming"]:
        keys |= {f"coins:tx:{p['user_id']}:{i}" for i in p["transaction_ids"]} | {f"coins:balance:{p['user_id']}"}
    for p in anomalies["refund_cluster"]:
        keys |= {f"track_test:requests:{i}" for i in p["request_ids"]} | {f"track_test:user:{p['user_id']}:requests"}
        keys |= {f"payments:{p['user_id']}:tx:{i}" for i in p["payment_ids"]}
    return keys


def test_clean_demo_is_the_same_data_repaired(tmp_path: Path) -> None:
    write_deployed_snapshot(tmp_path / "p.ndjson", "tiny", seed=9, as_of=AS_OF)
    manifest = write_deployed_snapshot(tmp_path / "c.ndjson", "tiny", seed=9, as_of=AS_OF, clean=True)
    planted, clean = dict(read(tmp_path / "p.ndjson")), dict(read(tmp_path / "c.ndjson"))
    assert all(not cases for cases in manifest["inconsistencies"].values())
    assert all(not cases for cases in manifest["anomalies"].values())
    assert all(not cases for cases in planted_in(clean).values())
    cases = planted_in(planted)
    planted_manifest = json.loads((tmp_path / "p.ndjson.manifest.json").read_text(encoding="utf-8"))
    orphan_tickets = planted_manifest["inconsistencies"]["orphan_ticket_messages"]
    anomalies = planted_manifest["anomalies"]
    assert all(anomalies[kind] for kind in ("donation_burst", "self_donation", "coin_farming", "refund_cluster"))
    # planted: the deleted ticket's messages stay; clean: the ticket is there, in its owner's index
    assert clean.keys() - planted.keys() == {f"ticket:{t}" for t in cases["orphan_ticket_messages"]}
    # the suspicious activity only adds keys (and lists its track tests among all of them)
    assert planted.keys() - clean.keys() == cases["orphan_analytics"] | cases["guest_payments"] | (
        suspicious_activity_keys(anomalies))
    changed = {k for k in clean.keys() & planted.keys() if clean[k] != planted[k]}
    assert changed == {f"coins:balance:{user}" for user, _, _ in cases["coin_balance_drift"]} | {
        f"user_tickets:{p['user_id']}" for p in orphan_tickets} | {"track_test:all_requests"}
    refunded = [i for p in anomalies["refund_cluster"] for i in p["request_ids"]]
    assert sorted(decoded(planted["track_test:all_requests"])) == sorted(
        decoded(clean["track_test:all_requests"]) + refunded)


# ------------------------------------------------------------------------------------------------------ day 2
def test_day2_totals_grow_by_the_manifest_growth(small: tuple[dict[str, Any], Values, Values]) -> None:
    manifest, day1, day2 = small
    growth = manifest["day2"]["growth"]
    assert day1.keys() <= day2.keys()
    added = day2.keys() - day1.keys()
    assert Counter(prefix_of(k) for k in added) == {
        "analytics": growth["analytics_rows_added"], "donation": growth["donations_added"],
        "ticket_sale": growth["ticket_sales_added"]}
    plays = {"track": 0, "analytics": 0}
    for key in day2:
        kind = prefix_of(key)
        if kind in plays and ":public:" not in key:
            before = json.loads(day1[key])["plays"] if key in day1 else 0
            after = json.loads(day2[key])["plays"]
            assert after >= before, key
            plays[kind] += after - before
        elif key in day1:
            assert day1[key] == day2[key], key
    assert plays == {"track": growth["plays"], "analytics": growth["plays"]} and growth["plays"] > 0
    new = [decoded(day2[k]) for k in added]
    assert sum(d["amount"] for d in new if "donorName" in d) == growth["donations_rub_added"] > 0
    assert sum(s["totalAmount"] for s in new if "concertId" in s) == growth["ticket_sales_rub_added"] > 0
    assert all(DAY2_AT >= (d.get("createdAt") or d["purchasedAt"]) > SNAPSHOT_AT for d in new if "trackId" not in d)
    totals = manifest["day2"]["totals"]
    for name in ("track_plays", "analytics_plays", "donations", "donations_rub", "ticket_sales"):
        assert totals["day2"][name] >= totals["day1"][name], name
    assert totals["day2"]["track_plays"] - totals["day1"]["track_plays"] == growth["plays"]
    assert totals["day1"]["track_plays"] == sum(json.loads(v)["plays"] for k, v in day1.items()
                                                if prefix_of(k) == "track" and ":public:" not in k)


# ------------------------------------------------------------------------------------------------ CLI, ingest
@pytest.mark.parametrize("argv", [["--scale", "huge"], ["--layout", "documented"],
                                  ["--layout", "seed", "--ingest-day2"], ["--layout", "deployed", "--out", "x.txt"]])
def test_bad_arguments_give_one_line_and_exit_2(argv: list[str], tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(tmp_path / a) if a.startswith("x.") else a for a in argv]
    defaults = [] if "--out" in argv else ["--out", str(tmp_path / "x.ndjson")]
    code = main(["demo", *argv, *defaults, "--db", str(tmp_path / "x.duckdb")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("error: ")
    assert not (tmp_path / "x.ndjson").exists() and not (tmp_path / "x.duckdb").exists()


def test_cli_writes_both_snapshots_and_ingests_them(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "d.ndjson"
    code = main(["demo", "--layout", "deployed", "--scale", "tiny", "--seed", "2", "--as-of", "2026-03-01",
                 "--out", str(out), "--db", str(tmp_path / "d.duckdb"), "--ingest-day2"])
    printed = capsys.readouterr().out
    assert code == 0 and out.is_file() and day2_path(out).is_file()
    assert printed.count("(layout deployed)") == 2 and " 0 rejected" in printed


def test_tiny_demo_ingests_without_errors(new_store: StoreFactory, tmp_path: Path) -> None:
    out = tmp_path / "tiny.ndjson"
    manifest = write_deployed_snapshot(out, "tiny", seed=11, as_of=AS_OF)
    store = new_store()
    for path, total in ((out, manifest["total_keys"]), (day2_path(out), manifest["day2"]["total_keys"])):
        result = ingest([path], store, "deployed", say=lambda _m: None)
        assert (result.rows_read, result.rows_loaded, result.rows_rejected, result.duplicates) == (total, total, 0, 0)
        assert scalar(store, "SELECT COUNT(*) FROM kv_store") == total
        assert scalar(store, "SELECT COUNT(*) FROM kv_rejects") == 0
