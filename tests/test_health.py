"""Data health (issue 14): planted inconsistencies found exactly on both engines, none on a clean demo, the deployed
fixture's known cases named, fix proposals that repair what they target, the check command and the page."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dashboard.cli import main
from dashboard.demo.deployed import write_deployed_snapshot
from dashboard.demo.snapshot import write_demo_snapshot
from dashboard.health.checks import CHECKS, counts, run_checks
from dashboard.health.fixes import fix_operations
from dashboard.health.history import record_counts
from dashboard.health.report import describe, health_report
from dashboard.i18n.formatting import number
from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.moderation.export_changes import apply_changes
from dashboard.store.connect import Store
from dashboard.store.queries import all_queries, load_query, run_query
from tests.apptest import open_page
from tests.conftest import AS_OF, REPO, StoreFactory
from tests.engines import assert_same_result
from tests.pg_server import create_database

NAMES = {"coin_balance_drift", "dangling_list_ids", "unread_counter_drift", "orphan_analytics", "orphan_messages",
         "guest_payments", "missing_required_fields"}
FIXABLE = ("coin_balance_drift", "dangling_list_ids", "unread_counter_drift")
GUEST_PAYMENT = "payments:null:tx:00000000-0000-4000-8000-000000000008"
ORPHAN_MESSAGES = ["ticket_message:TKT-1769526000193:1769526000197-hovmlwdg6",
                   "ticket_message:TKT-1769526000193:1769526000199-tzyiicrnk"]
ORPHAN_ANALYTICS = "analytics:b81d4e77-2c3a-4f1e-a9d0-6e5c4b3a2f10:track:1769137200062-wcwtfkeh2"


def manifest_of(snapshot: Path) -> dict[str, Any]:
    return json.loads(Path(f"{snapshot}.manifest.json").read_text(encoding="utf-8"))


def read_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def write_records(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@pytest.fixture(scope="module")
def clean_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The conftest demo (small, seed 7) generated clean: the same data with nothing planted."""
    out = tmp_path_factory.mktemp("clean") / "clean.ndjson"
    write_demo_snapshot(out, scale="small", seed=7, as_of=AS_OF, clean=True)
    return out


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_every_planted_inconsistency_is_found_exactly(engine: str, demo_stores: dict[str, Store],
                                                      demo_snapshot: Path) -> None:
    planted = manifest_of(demo_snapshot)["inconsistencies"]
    results = run_checks(demo_stores[engine])
    assert planted["coin_balance_drift"] and planted["dangling_list_ids"] and planted["unread_drift"]

    coins = results["coin_balance_drift"]
    assert sorted(zip(coins["artist_id"], coins["balance"].astype(int), coins["tx_sum"].astype(int), strict=True)) \
        == sorted((p["user_id"], p["balance"], p["tx_sum"]) for p in planted["coin_balance_drift"])
    assert list(coins["difference"].astype(int)) == list(coins["balance"].astype(int) - coins["tx_sum"].astype(int))

    dangling = results["dangling_list_ids"]
    assert sorted(zip(dangling["kv_key"], dangling["item_id"], strict=True)) == \
        sorted((p["list_key"], p["item_id"]) for p in planted["dangling_list_ids"])
    assert "banners:active:list" in set(dangling["kv_key"])

    unread = results["unread_counter_drift"]
    assert sorted(zip(unread["artist_id"], unread["counter"].astype(int), unread["unread"].astype(int), strict=True)) \
        == sorted((p["user_id"], p["counter"], p["actual"]) for p in planted["unread_drift"])

    # nothing else is planted, so nothing else is found
    assert {n: c for n, c in counts(results).items() if n not in FIXABLE} == {n: 0 for n in counts(results)
                                                                             if n not in FIXABLE}


def test_a_clean_demo_gives_zero_on_every_check(clean_snapshot: Path, new_store: StoreFactory) -> None:
    assert manifest_of(clean_snapshot)["clean"] is True
    assert not any(manifest_of(clean_snapshot)["inconsistencies"].values())
    store = new_store()
    ingest([clean_snapshot], store, "seed", say=lambda _m: None)
    assert counts(run_checks(store)) == {c.name: 0 for c in CHECKS}


def suspicious_activity_keys(anomalies: dict[str, list[dict[str, Any]]]) -> set[str]:
    """The keys the demo's planted suspicious activity (issue 25) adds or changes: they are not data health plants."""
    keys: set[str] = set()
    for p in anomalies["play_spike"]:
        keys |= {f"tracks:{p['artist_id']}:{p['track_id']}", f"analytics:tracks:{p['track_id']}:{p['date']}"}
    for p in anomalies["donation_burst"] + anomalies["self_donation"]:
        ids = p.get("donation_ids") or [p["donation_id"]]
        keys |= {f"donations:{p['artist_id']}:{i}" for i in ids}
        keys |= {f"donations:{p['artist_id']}:list", f"payments:{p['artist_id']}:transactions"}
    for p in anomalies["coin_farming"]:
        keys |= {f"coins:{p['user_id']}:transactions", f"coins:{p['user_id']}:balance"}
    for p in anomalies["refund_cluster"]:
        keys.add(f"payments:{p['user_id']}:transactions")
    return keys


def test_clean_demo_is_the_planted_one_without_the_plants(clean_snapshot: Path, demo_snapshot: Path) -> None:
    suspicious = suspicious_activity_keys(manifest_of(demo_snapshot)["anomalies"])
    planted = [r for r in read_records(demo_snapshot) if r["key"] not in suspicious]
    clean = [r for r in read_records(clean_snapshot) if r["key"] not in suspicious]
    assert [r["key"] for r in planted] == [r["key"] for r in clean]
    differing = {p["key"] for p, c in zip(planted, clean, strict=True) if p["value"] != c["value"]}
    drift = manifest_of(demo_snapshot)["inconsistencies"]
    assert differing == ({f"coins:{p['user_id']}:balance" for p in drift["coin_balance_drift"]}
                         | {p["list_key"] for p in drift["dangling_list_ids"]}
                         | {f"notifications:{p['user_id']}:unread" for p in drift["unread_drift"]}) - suspicious


def test_deployed_fixture_cases_are_found_and_named(fixture_snapshot: Path, new_store: StoreFactory) -> None:
    store = new_store()
    ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    results = run_checks(store)
    assert list(results["guest_payments"]["kv_key"]) == [GUEST_PAYMENT]
    assert list(results["orphan_messages"]["kv_key"]) == ORPHAN_MESSAGES
    assert set(results["orphan_messages"]["parent_id"]) == {"TKT-1769526000193"}
    assert list(results["orphan_analytics"]["kv_key"]) == [ORPHAN_ANALYTICS]
    assert list(results["orphan_analytics"]["parent_id"]) == ["1769137200062-wcwtfkeh2"]
    # the deployed balances ("430", a string) equal their coins:tx:* rows; the user_* lists point at real records
    assert counts(results)["coin_balance_drift"] == 0 and counts(results)["dangling_list_ids"] == 0


def test_fixes_applied_and_reingested_make_their_checks_zero(new_store: StoreFactory, demo_stores: dict[str, Store],
                                                             demo_snapshot: Path, clean_snapshot: Path,
                                                             tmp_path: Path) -> None:
    # the fixes of the demo store on one engine, reingested on that engine (new_store's parameter)
    demo = demo_stores["postgresql" if new_store().is_postgres else "duckdb"]
    fixes = tmp_path / "fixes.ndjson"
    assert main(["check", "--db", demo.name, "--json", "--fixes", str(fixes)]) == 0
    ops = read_records(fixes)
    assert ops and all(op["op"] == "set" for op in ops)
    assert len({op["key"] for op in ops}) == len(ops)
    # the repaired values are exactly those of the clean demo (which has the same data without the plants)
    clean = {r["key"]: r["value"] for r in read_records(clean_snapshot)}
    assert all(op["value"] == clean[op["key"]] for op in ops)

    snapshot = read_records(demo_snapshot)
    before = run_checks(demo)
    for name in FIXABLE:  # each check's operations alone make that check drop to zero
        own = fix_operations({name: before[name]})
        assert own and all(op in ops for op in own)
        fixed = tmp_path / f"fixed-{name}.ndjson"
        write_records(fixed, apply_changes(snapshot, own))
        store = new_store()
        ingest([fixed], store, "seed", say=lambda _m: None)
        after = counts(run_checks(store))
        assert after[name] == 0
        assert all(after[other] == len(before[other]) for other in FIXABLE if other != name)


def test_check_command_output_names_and_change_since_previous_run(demo_snapshot: Path, clean_snapshot: Path,
                                                                   tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "store.duckdb")
    planted = manifest_of(demo_snapshot)["inconsistencies"]
    assert main(["ingest", str(demo_snapshot), "--db", db]) == 0  # records this run's counts
    capsys.readouterr()
    assert main(["check", "--db", db, "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert set(found) >= NAMES and set(found) - NAMES == {"orphan_donations"}
    assert found["coin_balance_drift"] == len(planted["coin_balance_drift"])
    assert found["unread_counter_drift"] == len(planted["unread_drift"])

    assert main(["ingest", str(clean_snapshot), "--db", db]) == 0
    capsys.readouterr()
    assert main(["check", "--db", db]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert set(lines) == set(found)
    n = len(planted["dangling_list_ids"])
    assert lines["dangling_list_ids"].split()[1:] == ["0", f"-{n}", "since", "the", "previous", "run"]
    assert lines["guest_payments"].split()[1:] == ["0", "unchanged", "since", "the", "previous", "run"]


@pytest.mark.parametrize("target", ["missing.duckdb", "not-a-store.duckdb", "postgresql+psycopg://nobody@127.0.0.1:1/x"])
def test_check_exits_1_with_one_line_when_the_store_cannot_be_read(target: str, tmp_path: Path) -> None:
    if target == "not-a-store.duckdb":
        import duckdb

        duckdb.connect(str(tmp_path / target)).close()
    db = target if target.startswith("postgresql") else str(tmp_path / target)
    proc = subprocess.run([sys.executable, "-m", "dashboard", "check", "--db", db, "--json"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith("error: "), proc.stderr
    assert "Traceback" not in proc.stderr


def test_page_shows_the_counts_in_russian(demo_duckdb: Store, demo_snapshot: Path) -> None:
    planted = manifest_of(demo_snapshot)["inconsistencies"]
    at = open_page(demo_duckdb, "ui/views/data_health.py", role="moderator", lang="ru")
    assert not at.exception
    assert at.title[0].value == "Качество данных"
    metrics = [m.value for m in at.metric]
    expected = [len(planted["coin_balance_drift"]), len(planted["dangling_list_ids"]), len(planted["unread_drift"]),
                0, 0, 0, 0, 0]
    assert metrics == [number(n) for n in expected]
    assert len(at.dataframe) == 1 + 3  # the summary and one table per check that found something
    summary = at.dataframe[0].value
    # for people: the checks by their titles, no command-line names (issue 24, item 6)
    assert list(summary.columns) == ["Проверка", "Найдено", "Изменение"]
    assert list(summary["Проверка"]) == [t(f"health.check.{c.name}.title", "ru") for c in CHECKS]
    coins = at.dataframe[1].value
    assert list(coins.columns) == ["Артист / пользователь", "Что не так", "На сколько", "Ключи KV", "Исправление"]
    assert all(k.startswith("coins:") for k in coins["Ключи KV"])
    assert all("balance" in fix for fix in coins["Исправление"])


def test_page_is_for_staff_only(demo_duckdb: Store) -> None:
    from tests.sql import scalar

    artist = scalar(demo_duckdb, "SELECT MIN(user_id) FROM tracks")
    at = open_page(demo_duckdb, "ui/views/data_health.py", role="artist", artist_id=artist)
    assert at.error and not at.metric


def test_deployed_string_balance_is_fixed_as_a_string(tmp_path: Path) -> None:
    """The deployed coins:balance:{u} holds "430" (a string); its fix keeps the shape: "430", not 430."""
    snap = tmp_path / "deployed.ndjson"
    write_records(snap, [
        {"key": "coins:balance:u1", "value": "400"},
        {"key": "coins:tx:u1:t1", "value": json.dumps({"id": "t1", "userId": "u1", "amount": 500})},
        {"key": "coins:tx:u1:t2", "value": json.dumps({"id": "t2", "userId": "u1", "amount": -70})},
    ])
    store = Store(str(tmp_path / "d.duckdb"))
    ingest([snap], store, "deployed", say=lambda _m: None)
    results = run_checks(store)
    assert counts(results)["coin_balance_drift"] == 1
    assert fix_operations(results) == [{"op": "set", "key": "coins:balance:u1", "value": "430"}]


# one case of every kind the demo does not plant (seed layout), added to the demo snapshot
PROBLEMS = [
    {"key": "analytics:tracks:ghost-track:2026-10-01",
     "value": {"id": "a1", "track_id": "ghost-track", "date": "2026-10-01", "plays": 5}},
    {"key": "analytics:concerts:ghost-concert:2026-10-01",
     "value": {"id": "a2", "concert_id": "ghost-concert", "date": "2026-10-01", "views": 9}},
    {"key": "messages:ghost-conversation:list",
     "value": [{"id": "m1", "conversation_id": "ghost-conversation", "sender_id": "u1", "recipient_id": "u2",
                "content": "=HYPERLINK(\"x\") <b>привет</b> 🎸", "is_read": False,
                "created_at": "2026-10-01T12:00:00+03:00"}]},
    {"key": "donations:ghost-artist:d1",
     "value": {"id": "d1", "artist_id": "ghost-artist", "amount": 500, "currency": "RUB", "status": "completed",
               "created_at": "2026-10-01T12:00:00+03:00"}},
    {"key": "payments:null:tx-guest",
     "value": {"id": "tx-guest", "amount": 1000, "currency": "RUB", "type": "coin_purchase", "status": "completed",
               "created_at": "2026-10-01T12:00:00+03:00"}},
    {"key": "tracks:ghost-artist:t-untitled", "value": {"id": "t-untitled", "user_id": "ghost-artist", "title": " ",
                                                         "status": "draft"}},
]


@pytest.fixture(scope="module")
def problem_stores(demo_snapshot: Path, pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    """The demo plus PROBLEMS, ingested twice on both engines with counts recorded for the first run, so every
    health query (the previous run's counts too) has rows."""
    snap = tmp_path_factory.mktemp("problems") / "problems.ndjson"
    write_records(snap, read_records(demo_snapshot) + PROBLEMS)
    duck = Store(str(snap.parent / "problems.duckdb"))
    pg = Store(create_database(pg_url, f"problems_{os.getpid()}"))
    for store in (duck, pg):
        ingest([snap], store, "seed", say=lambda _m: None)
        first = str(run_query(store, "last_ingest")["id"].iloc[0])
        record_counts(store, first, counts(run_checks(store)))
        ingest([snap], store, "seed", say=lambda _m: None)
    return {"duckdb": duck, "postgresql": pg}


def as_json(frame: Any) -> Any:
    """KV values as JSON text differ by engine (jsonb orders keys, adds spaces): compare the JSON they hold."""
    if "current_value" in frame.columns:
        frame = frame.assign(current_value=frame["current_value"].map(
            lambda text: text and json.dumps(json.loads(text), sort_keys=True)))
    return frame


@pytest.mark.parametrize("name", [n for n in all_queries() if load_query(n).path.parent.name == "health"])
def test_health_queries_return_rows_and_the_same_result_on_both_engines(name: str,
                                                                        problem_stores: dict[str, Store]) -> None:
    run_specific = ["run_id", "run_finished_at"] if name == "health_previous_counts" else []
    duck = as_json(run_query(problem_stores["duckdb"], name)).drop(columns=run_specific)
    pg = as_json(run_query(problem_stores["postgresql"], name)).drop(columns=run_specific)
    assert not duck.empty, f"{name} returns no rows on the problem store: the comparison would prove nothing"
    assert_same_result(duck, pg, ordered="ORDER BY" in load_query(name).sql.upper(), label=name)


def test_every_kind_of_problem_is_found(problem_stores: dict[str, Store]) -> None:
    for store in problem_stores.values():
        results = run_checks(store)
        assert list(results["orphan_analytics"]["kv_key"]) == ["analytics:concerts:ghost-concert:2026-10-01",
                                                               "analytics:tracks:ghost-track:2026-10-01"]
        assert list(results["orphan_messages"]["parent_id"]) == ["ghost-conversation"]
        assert list(results["orphan_donations"]["kv_key"]) == ["donations:ghost-artist:d1"]
        assert list(results["guest_payments"]["kv_key"]) == ["payments:null:tx-guest"]
        assert list(zip(results["missing_required_fields"]["kv_key"], results["missing_required_fields"]["field"],
                        strict=True)) == [("tracks:ghost-artist:t-untitled", "title")]
        assert len(run_query(store, "health_previous_counts")) == len(CHECKS)


def test_page_shows_user_content_as_plain_text(problem_stores: dict[str, Store]) -> None:
    at = open_page(problem_stores["duckdb"], "ui/views/data_health.py", role="admin", lang="en")
    assert not at.exception
    assert [m.delta for m in at.metric] == ["0"] * len(CHECKS)  # the same data as the previous run
    assert all("<b>" not in str(e.value) for e in at.markdown)


@pytest.mark.parametrize("layout", ["seed", "deployed"])
def test_the_page_words_each_coin_fix_as_the_keys_current_value_does(layout: str, tmp_path: Path) -> None:
    """The page's report reads no current value: whether a balance key holds a bare number (set the key) or an
    object (set its balance field) comes from the store's layout, and says what the values say, on both layouts."""
    snapshot = tmp_path / "s.ndjson"
    write = write_deployed_snapshot if layout == "deployed" else write_demo_snapshot
    write(snapshot, "tiny", seed=7, as_of=dt.date(2026, 3, 1))
    store = Store(str(tmp_path / "s.duckdb"))
    ingest([snapshot], store, layout, say=lambda _m: None)
    with_values = run_checks(store)["coin_balance_drift"]
    assert len(with_values) > 0
    expected = describe("coin_balance_drift", with_values, "ru")
    shown = health_report(store, "ru", 10_000)["shown"]["coin_balance_drift"]
    assert shown["fix"].tolist() == expected["fix"].tolist()
    assert any(("поле balance" in f) == (layout == "seed") for f in shown["fix"])


@pytest.mark.parametrize("new_store", ["duckdb", "postgresql"], indirect=True)
def test_double_encoded_keys_on_the_fixture(fixture_snapshot: Path, new_store: Any) -> None:
    """The fix proposals' lookup of which found keys the platform double-encoded (``double_encoded_keys``): the
    fixture's double-encoded keys are found, another key is not, on both engines."""
    records = [json.loads(line) for line in fixture_snapshot.read_text(encoding="utf-8").splitlines() if line.strip()]
    encoded = sorted({r["key"] for r in records
                      if isinstance(r["value"], str) and r["value"].lstrip()[:1] in ("{", "[")})
    assert len(encoded) >= 2
    store = new_store()
    ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    found = run_query(store, "double_encoded_keys", keys=[*encoded[:5], "profile:does-not-exist"])
    assert list(found["key"]) == encoded[:5]
    assert run_query(store, "double_encoded_keys", keys=[]).empty


def test_the_kept_csv_follows_a_renamed_artist(session_demo: Any, tmp_path: Path) -> None:
    """The page's CSV bytes are kept by each check's own rows, the language and the names its words use: the same
    store gives the same bytes, and an artist renamed in the directory gives a file with the new name (the rows alone
    did not change)."""
    import sqlalchemy as sa

    from dashboard.store.connect import engine
    from ui.health_csv import report_with_csv

    store = session_demo.copy("duckdb", tmp_path)
    before = report_with_csv(store, "ru", 2_000)
    check = next(n for n, named in before["names"].items() if named)
    artist, name = before["names"][check][0]
    assert name in before["csv"][check].decode("utf-8-sig")
    assert report_with_csv(store, "ru", 2_000)["csv"][check] == before["csv"][check]
    with engine(store).begin() as conn:
        conn.execute(sa.text("UPDATE artist_directory SET name = :n WHERE artist_id = :a"),
                     {"n": "Новое имя 🎤", "a": artist})
    after = report_with_csv(store, "ru", 2_000)
    assert after["rows"][check].equals(before["rows"][check])
    text = after["csv"][check].decode("utf-8-sig")
    assert "Новое имя 🎤" in text and text != before["csv"][check].decode("utf-8-sig")
    columns = ("artist", "problem", "by", "keys", "fix")
    assert set(after["widths"][check]) == {t(f"health.col.{c}", "ru") for c in columns}
