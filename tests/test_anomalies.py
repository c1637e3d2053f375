"""Suspicious activity (issue 25), on both engines: every planted case of every kind is flagged with the right account
and items, on the seed demo and on the deployed demo (the platform's real layout, what ``make run`` shows); the clean
demos give no flag; a small artist's normal variation gives none; the queries agree across engines; dismiss/confirm
survive a re-ingest; two people deciding one flag: one applies, the other is a conflict."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from dashboard.anomalies.flags import KINDS, Flag, compute_flags, flag_id, kind_frame, load_thresholds, sentence
from dashboard.anomalies.reviews import OPEN, review, states
from dashboard.cli import main as cli
from dashboard.demo.deployed import day2_path, write_deployed_snapshot
from dashboard.demo.snapshot import write_demo_snapshot
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.conftest import AS_OF, StoreFactory
from tests.engines import assert_same_result
from tests.pg_server import create_database
from tests.sql import rows
from tests.together import at_once


def quiet(_m: str) -> None:
    return None


def manifest(snapshot: Path) -> dict[str, Any]:
    return json.loads(Path(f"{snapshot}.manifest.json").read_text(encoding="utf-8"))


def planted(snapshot: Path) -> dict[str, list[dict[str, Any]]]:
    return manifest(snapshot)["anomalies"]


@pytest.fixture(scope="module")
def clean_stores(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    """The small demo with nothing planted (``demo --clean``) on both engines."""
    out = tmp_path_factory.mktemp("clean") / "clean.ndjson"
    write_demo_snapshot(out, scale="small", seed=7, as_of=AS_OF, clean=True)
    assert all(not v for v in planted(out).values())
    duck = Store(str(out.with_suffix(".duckdb")))
    pg = Store(create_database(pg_url, f"clean_{os.getpid()}"))
    for store in (duck, pg):
        ingest([out], store, "seed", say=quiet)
    return {"duckdb": duck, "postgresql": pg}


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_every_planted_case_is_flagged(engine: str, demo_stores: dict[str, Store], demo_snapshot: Path) -> None:
    plants = planted(demo_snapshot)
    assert all(len(plants[kind]) >= 2 for kind in KINDS), {k: len(v) for k, v in plants.items()}
    flags = compute_flags(demo_stores[engine])
    by_kind: dict[str, list[Flag]] = {kind: [f for f in flags if f.kind == kind] for kind in KINDS}
    spikes = {(f.artist_id, f.track_id, f.start.date().isoformat()) for f in by_kind["play_spike"]}
    assert spikes == {(p["artist_id"], p["track_id"], p["date"]) for p in plants["play_spike"]}
    assert {(f.artist_id, f.items) for f in by_kind["donation_burst"]} == {
        (p["artist_id"], tuple(p["donation_ids"])) for p in plants["donation_burst"]}
    assert {(f.artist_id, f.items[0], f.numbers["matched_by"]) for f in by_kind["self_donation"]} == {
        (p["artist_id"], p["donation_id"], p["matched_by"]) for p in plants["self_donation"]}
    assert {(f.artist_id, f.items) for f in by_kind["coin_farming"]} == {
        (p["user_id"], tuple(p["transaction_ids"])) for p in plants["coin_farming"]}
    assert {(f.artist_id, f.items) for f in by_kind["refund_cluster"]} == {
        (p["user_id"], tuple(p["payment_ids"])) for p in plants["refund_cluster"]}
    assert [f.start for f in flags] == sorted((f.start for f in flags), reverse=True)  # newest first
    spike = by_kind["play_spike"][0]
    assert spike.numbers["plays"] >= 5 * spike.numbers["usual_plays"]
    assert spike.numbers["plays_per_listener"] >= 3 * spike.numbers["platform_ratio"]


def test_flags_and_queries_are_the_same_on_both_engines(demo_stores: dict[str, Store]) -> None:
    limits = load_thresholds()
    for kind in KINDS:
        duck, pg = (kind_frame(demo_stores[e], kind, limits) for e in ("duckdb", "postgresql"))
        assert not duck.empty, kind
        assert_same_result(duck, pg, label=kind)
    duck_flags, pg_flags = (compute_flags(demo_stores[e]) for e in ("duckdb", "postgresql"))
    assert [f.as_json() for f in duck_flags] == [f.as_json() for f in pg_flags]
    spike = next(f for f in duck_flags if f.kind == "play_spike")
    burst = next(f for f in duck_flags if f.kind == "donation_burst")
    evidence: dict[str, tuple[str, dict[str, Any]]] = {
        "anomaly_track_days": ("", {"track_id": spike.track_id, "start": spike.start.date() - timedelta(days=20),
                                    "end": spike.start.date() + timedelta(days=5)}),
        "anomaly_artist_donations": ("", {"artist_id": burst.artist_id, "start": burst.start - timedelta(hours=2),
                                          "end": burst.end + timedelta(hours=2)}),
        "anomaly_names": ("", {"ids": [spike.artist_id, burst.artist_id]}),
    }
    for name, (_, params) in evidence.items():
        a, b = (run_query(demo_stores[e], name, **params) for e in ("duckdb", "postgresql"))
        assert not a.empty, name
        assert_same_result(a, b, label=name)
    days = run_query(demo_stores["duckdb"], "anomaly_track_days", **evidence["anomaly_track_days"][1])
    assert int(days.loc[days["day"].astype(str) == str(spike.start.date()), "plays"].iloc[0]) == spike.numbers["plays"]


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_clean_demo_gives_no_flag(engine: str, clean_stores: dict[str, Store]) -> None:
    """The seed demo's organic viral bursts (listeners grow with plays) and its organic refunds stay unflagged."""
    assert compute_flags(clean_stores[engine]) == []
    assert cli(["anomalies", "--db", clean_stores[engine].name, "--json"]) == 0


def test_deployed_fixture_runs_every_check_and_flags_nothing(new_store: StoreFactory, fixture_snapshot: Path) -> None:
    """The platform's real layout (no daily series, donors named by first name only) runs every check."""
    store = new_store()
    ingest([fixture_snapshot], store, "deployed", say=quiet)
    assert compute_flags(store) == []


@pytest.fixture(scope="module")
def deployed_demo(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The tiny deployed demo (the platform's real layout) with its plants: on each engine the first snapshot is
    ingested, its flags kept, then the day-2 snapshot (as ``make run`` does: --ingest-day2) and its flags. And the
    clean one (``demo --layout deployed --clean``), its day-2 snapshot (a superset of the first) on each engine."""
    folder = tmp_path_factory.mktemp("deployed_anomalies")
    snap, clean = folder / "planted.ndjson", folder / "clean.ndjson"
    write_deployed_snapshot(snap, "tiny", seed=7, as_of=AS_OF)
    write_deployed_snapshot(clean, "tiny", seed=7, as_of=AS_OF, clean=True)
    out: dict[str, Any] = {"snapshot": snap, "clean_snapshot": clean, "day1": {}, "day2": {}, "clean": {}}
    for engine in ("duckdb", "postgresql"):
        store, clean_store = (
            (Store(str(folder / "planted.duckdb")), Store(str(folder / "clean.duckdb"))) if engine == "duckdb" else
            (Store(create_database(pg_url, f"deployed_anomalies_{os.getpid()}")),
             Store(create_database(pg_url, f"deployed_clean_{os.getpid()}"))))
        ingest([snap], store, "deployed", say=quiet)
        out["day1"][engine] = compute_flags(store)
        ingest([day2_path(snap)], store, "deployed", say=quiet)
        out["day2"][engine] = store
        ingest([day2_path(clean)], clean_store, "deployed", say=quiet)
        out["clean"][engine] = clean_store
    return out


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_every_planted_case_is_flagged_on_the_deployed_demo(engine: str, deployed_demo: dict[str, Any]) -> None:
    """What ``make run`` shows: each planted donation burst, self-donation, coin farm and refund cluster is flagged
    with its artist (or user) and exactly its records, nothing else is, and the ids stay after the day-2 ingest."""
    plants = planted(deployed_demo["snapshot"])
    assert plants["play_spike"] == [] and "daily series" in manifest(deployed_demo["snapshot"])[
        "anomalies_not_planted"]["play_spike"]
    assert {kind: len(plants[kind]) for kind in KINDS if kind != "play_spike"} == {
        "donation_burst": 3, "self_donation": 2, "coin_farming": 2, "refund_cluster": 2}
    store = deployed_demo["day2"][engine]
    flags = compute_flags(store)
    by_kind: dict[str, list[Flag]] = {kind: [f for f in flags if f.kind == kind] for kind in KINDS}
    assert by_kind["play_spike"] == []
    assert {(f.artist_id, f.items) for f in by_kind["donation_burst"]} == {
        (p["artist_id"], tuple(p["donation_ids"])) for p in plants["donation_burst"]}
    assert sorted(f.numbers["donors"] for f in by_kind["donation_burst"]) == sorted(
        p["donors"] for p in plants["donation_burst"]) == [1, 1, 2]
    assert {(f.artist_id, f.items, f.numbers["matched_by"]) for f in by_kind["self_donation"]} == {
        (p["artist_id"], (p["donation_id"],), "name") for p in plants["self_donation"]}
    assert {(f.artist_id, f.items, f.numbers["coins"]) for f in by_kind["coin_farming"]} == {
        (p["user_id"], tuple(p["transaction_ids"]), p["coins"]) for p in plants["coin_farming"]}
    assert {(f.artist_id, f.items, f.numbers["amount"]) for f in by_kind["refund_cluster"]} == {
        (p["user_id"], tuple(p["payment_ids"]), 1000 * len(p["payment_ids"])) for p in plants["refund_cluster"]}
    # the refunds are the platform's own: track tests rejected and refunded, their payment rows still 'completed'
    for p in plants["refund_cluster"]:
        tests = rows(store, "SELECT id, status, payment_status, payment_transaction_id FROM track_test_requests "
                            "WHERE user_id = :u", u=p["user_id"])
        assert sorted(t[1:] for t in tests) == sorted(("moderation_rejected", "refunded", i) for i in p["payment_ids"])
        payments = dict(rows(store, "SELECT id, status FROM payment_transactions WHERE user_id = :u", u=p["user_id"]))
        assert {payments[i] for i in p["payment_ids"]} == {"completed"}
    assert len(flags) == sum(len(v) for v in plants.values())
    # a self-donation matched by name: the donor's name is the artist's profile name (as typed or in lower case)
    names = dict(rows(store, "SELECT id, name FROM profiles"))
    assert {p["donor_name"].lower() for p in plants["self_donation"]} == {names[p["artist_id"]].lower()
                                                                           for p in plants["self_donation"]}
    assert [f.id for f in deployed_demo["day1"][engine]] == [f.id for f in flags]  # stable across the re-ingest


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_clean_deployed_demo_gives_no_flag(engine: str, deployed_demo: dict[str, Any]) -> None:
    """``demo --layout deployed --clean`` plants none, and no check fires on its donations, coins and refunds."""
    assert not any(planted(deployed_demo["clean_snapshot"]).values())
    store = deployed_demo["clean"][engine]
    assert compute_flags(store) == []
    # not for want of data: each check has the records it reads
    for sql in ("SELECT COUNT(*) FROM donations", "SELECT COUNT(*) FROM coins_transactions WHERE amount > 0",
                "SELECT COUNT(*) FROM track_test_requests WHERE payment_status = 'refunded'"):
        assert rows(store, sql)[0][0] > 0, sql


def small_artist_snapshot(path: Path, bought_day: int | None) -> None:
    """One small artist: ~3 plays a day for 60 days with normal ups and downs, one day of 30 plays that brought
    new listeners (organic), and optionally one day of 30 plays from the usual 2 listeners (bought)."""
    uid, tid = "artist-small", "track-small"
    first = AS_OF - timedelta(days=59)
    lines = [
        {"key": f"users:{uid}:base", "value": {"id": uid, "email": "small@example.com", "username": "small"}},
        {"key": f"users:{uid}:profile", "value": {"id": uid, "name": "Маленький артист"}},
        {"key": f"tracks:{uid}:{tid}", "value": {"id": tid, "user_id": uid, "title": "Тихая песня",
                                                 "status": "approved", "plays": 400}},
    ]
    for i in range(60):
        plays = (1, 3, 5, 2, 4, 9, 3)[i % 7]  # normal variation: 1 to 9 plays a day
        listeners = max(1, plays - 1)
        if i == 40:
            plays, listeners = 30, 24  # a good day: 10× the plays, and the listeners came with them
        if bought_day is not None and i == bought_day:
            plays, listeners = 30, 2
        day = (first + timedelta(days=i)).isoformat()
        lines.append({"key": f"analytics:tracks:{tid}:{day}",
                      "value": {"id": f"a{i}", "track_id": tid, "date": day, "plays": plays,
                                "unique_listeners": listeners}})
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")


def test_small_artist_normal_variation_gives_no_flag(new_store: StoreFactory, tmp_path: Path) -> None:
    store = new_store()
    snap = tmp_path / "small.ndjson"
    small_artist_snapshot(snap, bought_day=None)
    ingest([snap], store, "seed", say=quiet)
    assert compute_flags(store) == []
    small_artist_snapshot(snap, bought_day=50)  # 3 plays a day → 30, listeners flat: that one is a spike
    ingest([snap], store, "seed", say=quiet)
    flags = compute_flags(store)
    assert [(f.kind, f.artist_id, f.track_id, f.start.date()) for f in flags] == [
        ("play_spike", "artist-small", "track-small", AS_OF - timedelta(days=9))]
    assert flags[0].numbers["listeners"] == 2
    ru, en = sentence(flags[0], "ru", "Маленький артист"), sentence(flags[0], "en", "Маленький артист")
    assert "«Тихая песня» (Маленький артист)" in ru and "30 прослушиваний" in ru and "2 слушателя" in ru
    assert "“Тихая песня”" in en and "30 plays" in en and "2 listeners" in en


def test_flag_ids_are_stable() -> None:
    a = flag_id("play_spike", "artist", "track", date(2026, 10, 1))
    assert a == flag_id("play_spike", "artist", "track", date(2026, 10, 1)) and len(a) == 16
    assert a != flag_id("play_spike", "artist", "track", date(2026, 10, 2))


def test_reviews_survive_a_reingest(new_store: StoreFactory, demo_snapshot: Path) -> None:
    store = new_store()
    ingest([demo_snapshot], store, "seed", say=quiet)
    flags = compute_flags(store)
    spike = next(f for f in flags if f.kind == "play_spike")
    burst = next(f for f in flags if f.kind == "donation_burst")
    assert review(store, spike, "dismiss", OPEN, "Модератор Анна", "органика, клип вышел").applied
    assert review(store, burst, "confirm", OPEN, "Менеджер Олег").applied
    ingest([demo_snapshot], store, "seed", say=quiet)
    again = {f.id: f for f in compute_flags(store)}
    assert spike.id in again and burst.id in again  # the same ids after the re-ingest
    found = states(store)
    assert (found[spike.id].status, found[spike.id].actor, found[spike.id].note) == (
        "dismissed", "Модератор Анна", "органика, клип вышел")
    assert found[burst.id].status == "confirmed"
    assert len(found) == 2
    # the person saw it open, but it is dismissed now: nothing changes
    late = review(store, spike, "confirm", OPEN, "Менеджер Олег")
    assert not late.applied and late.review.actor == "Модератор Анна"
    assert rows(store, "SELECT COUNT(*) FROM anomaly_reviews")[0][0] == 2


def test_two_people_decide_one_flag(new_store: StoreFactory, demo_snapshot: Path) -> None:
    store = new_store()
    ingest([demo_snapshot], store, "seed", say=quiet)
    flag = next(f for f in compute_flags(store) if f.kind == "self_donation")
    results: list[bool] = at_once(lambda: review(store, flag, "dismiss", OPEN, "Анна", "Анна: решение").applied,
                                  lambda: review(store, flag, "confirm", OPEN, "Олег", "Олег: решение").applied)
    assert sorted(results) == [False, True]
    assert rows(store, "SELECT COUNT(*) FROM anomaly_reviews WHERE flag_id = :f", f=flag.id)[0][0] == 1


def test_review_refuses_bad_input(demo_stores: dict[str, Store]) -> None:
    flag = compute_flags(demo_stores["duckdb"], ("self_donation",))[0]
    with pytest.raises(ValueError):
        review(demo_stores["duckdb"], flag, "approve", OPEN, "Анна")
    with pytest.raises(ValueError):
        review(demo_stores["duckdb"], flag, "dismiss", OPEN, "  ")


def test_cli_json_and_lines(demo_stores: dict[str, Store], demo_snapshot: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    store = demo_stores["duckdb"]
    assert cli(["anomalies", "--db", store.name, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    spike = planted(demo_snapshot)["play_spike"][0]
    found = [o for o in out if o["kind"] == "play_spike" and o["track_id"] == spike["track_id"]]
    assert len(found) == 1 and found[0]["artist_id"] == spike["artist_id"]
    assert found[0]["from"].startswith(spike["date"]) and found[0]["to"].startswith(spike["date"])
    assert found[0]["numbers"]["plays"] == spike["plays"] and found[0]["status"] == "open"
    assert all({"kind", "artist_id", "track_id", "from", "to", "numbers"} <= set(o) for o in out)
    assert cli(["anomalies", "--db", store.name, "--lang", "ru"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(out) and any("прослушиваний" in line for line in lines)


@pytest.mark.parametrize("argv", [["anomalies", "--kind", "nope"], ["anomalies", "--lang", "de"]])
def test_cli_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: anomalies:")


def test_cli_missing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["anomalies", "--db", str(tmp_path / "none.duckdb")]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
