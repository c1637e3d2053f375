"""The moderation write path (service over unit of work) on both engines: approve, reject, undo, conflicts, side
effects, the KV after each."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard.ingest.build import ingest
from dashboard.moderation import service as repo
from dashboard.store.connect import Store, engine
from tests.conftest import StoreFactory
from tests.data import ARTIST, SEED_RECORDS, T0, write_snapshot
from tests.sql import rows, scalar
from tests.together import at_once

# seed_store (conftest): a copy of SEED_RECORDS as ingested, on each engine


def kv(store: Store, key: str) -> Any:
    found = rows(store, "SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k", k=key)
    return None if not found or found[0][0] is None else json.loads(found[0][0])


def item(entity: str, eid: str, key: str, seen: str | None = "pending") -> repo.Item:
    return repo.Item(entity, eid, key, seen)


def log_rows(store: Store) -> list[tuple[Any, ...]]:
    return rows(store, 'SELECT actor, action, entity, entity_id, from_status, to_status, reason FROM moderation_log '
                       'ORDER BY "at", id')


def test_approve_track_updates_row_kv_log_and_notifies(seed_store: Store) -> None:
    s = seed_store
    out = repo.decide(s, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "Мария")[0]
    assert out.applied and out.to_status == "approved"
    assert rows(s, "SELECT status, moderator, reason FROM tracks WHERE id = 't1'") == [("approved", "Мария", None)]
    value = kv(s, f"tracks:{ARTIST}:t1")
    assert value["status"] == "approved" and value["updated_at"] != T0 and value["title"] == "Первый трек"
    assert log_rows(s) == [("Мария", "approve", "tracks", "t1", "pending", "approved", None)]
    notices = kv(s, f"notifications:{ARTIST}:list")
    assert len(notices) == 2 and notices[1]["id"] == "old"
    assert notices[0]["title"] == "Трек одобрен" and notices[0]["is_read"] is False
    assert "Первый трек" in notices[0]["content"]
    assert kv(s, f"notifications:{ARTIST}:unread") == 2
    assert scalar(s, "SELECT value FROM kv_counters WHERE counter_key = :k", k=f"notifications:{ARTIST}:unread") == 2
    assert scalar(s, "SELECT count(*) FROM notifications WHERE user_id = :u AND type = 'moderation'", u=ARTIST) == 1
    changed = {r[0] for r in rows(s, "SELECT key FROM kv_changes")}
    assert changed == {f"tracks:{ARTIST}:t1", f"notifications:{ARTIST}:list", f"notifications:{ARTIST}:unread"}


def test_reject_needs_reason_and_records_it(seed_store: Store) -> None:
    s = seed_store
    with pytest.raises(repo.ReasonRequired):
        repo.decide(s, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "reject", "Мария", reason="  ")
    assert scalar(s, "SELECT status FROM tracks WHERE id = 't1'") == "pending"
    assert scalar(s, "SELECT count(*) FROM moderation_log") == 0
    out = repo.decide(s, [item("pitching_submissions", "s1", f"pitching:{ARTIST}:s1")], "reject", "Мария",
                      reason="Не подходит формату")[0]
    assert out.applied and out.to_status == "rejected"
    assert rows(s, "SELECT status, reason FROM pitching_submissions") == [("rejected", "Не подходит формату")]
    value = kv(s, f"pitching:{ARTIST}:s1")
    assert value["status"] == "rejected" and value["response"] == "Не подходит формату" and value["responded_at"]
    assert kv(s, f"notifications:{ARTIST}:list")[0]["title"] == "Заявка на питчинг отклонена"


def test_conflict_second_decision_changes_nothing(seed_store: Store) -> None:
    s = seed_store
    target = item("videos", "v1", f"videos:{ARTIST}:v1")
    assert repo.decide(s, [target], "approve", "Анна")[0].applied
    before = kv(s, f"notifications:{ARTIST}:list")
    lost = repo.decide(s, [target], "reject", "Борис", reason="Дубликат")[0]
    assert not lost.applied and lost.kind == "conflict"
    assert "already approved by Анна at" in lost.message and lost.decided_by == "Анна"
    assert scalar(s, "SELECT status FROM videos WHERE id = 'v1'") == "approved"
    assert kv(s, f"videos:{ARTIST}:v1")["status"] == "approved"
    assert kv(s, f"notifications:{ARTIST}:list") == before
    assert scalar(s, "SELECT count(*) FROM moderation_log") == 1


def test_not_found_and_bad_arguments(seed_store: Store) -> None:
    s = seed_store
    out = repo.decide(s, [item("tracks", "nope", f"tracks:{ARTIST}:nope")], "approve", "Анна")[0]
    assert out.kind == "not_found" and not out.applied
    with pytest.raises(repo.BadRequest):
        repo.decide(s, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "  ")
    with pytest.raises(repo.BadRequest):
        repo.decide(s, [item("songs", "t1", f"tracks:{ARTIST}:t1")], "approve", "Анна")
    with pytest.raises(repo.NotFound):
        repo.undo(s, item("tracks", "t1", f"tracks:{ARTIST}:t1"), "Анна")


def test_promoted_concert_list_add_then_undo_removes(seed_store: Store) -> None:
    s = seed_store
    concert = item("concerts", "c1", f"concerts:{ARTIST}:c1")
    assert repo.decide(s, [concert], "approve", "Анна")[0].applied
    assert kv(s, "concerts:public:promoted") == ["c2", "c1"]
    assert rows(s, "SELECT position, item_id FROM kv_index WHERE list_key = 'concerts:public:promoted' "
                   "ORDER BY position") == [(0, "c2"), (1, "c1")]
    back = repo.undo(s, repo.Item("concerts", "c1", f"concerts:{ARTIST}:c1"), "Борис")
    assert back.applied and back.from_status == "approved" and back.to_status == "pending"
    assert scalar(s, "SELECT status FROM concerts WHERE id = 'c1'") == "pending"
    assert kv(s, f"concerts:{ARTIST}:c1")["status"] == "pending"
    assert kv(s, "concerts:public:promoted") == ["c2"]
    assert rows(s, "SELECT position, item_id FROM kv_index WHERE list_key = 'concerts:public:promoted'") == [(0, "c2")]
    assert [r[1] for r in log_rows(s)] == ["approve", "undo"]
    again = repo.undo(s, repo.Item("concerts", "c1", f"concerts:{ARTIST}:c1"), "Борис")
    assert not again.applied and "already undone by Борис" in again.message


def test_reversal_of_approved_promoted_concert_removes_it(seed_store: Store) -> None:
    s = seed_store
    approved = item("concerts", "c2", f"concerts:{ARTIST}:c2", seen="approved")
    assert not repo.decide(s, [approved], "reject", "Анна", reason="Отменён")[0].applied  # not pending
    out = repo.decide(s, [approved], "reject", "Анна", reason="Отменён", allow_reversal=True)[0]
    assert out.applied and out.from_status == "approved" and out.to_status == "rejected"
    assert kv(s, "concerts:public:promoted") == []
    assert scalar(s, "SELECT count(*) FROM kv_index WHERE list_key = 'concerts:public:promoted'") == 0


def test_news_and_banner_lists_and_undo_guard(seed_store: Store) -> None:
    s = seed_store
    outs = repo.decide(s, [item("news", "n1", f"news:{ARTIST}:n1"), item("banner_ads", "b1", f"banners:{ARTIST}:b1")],
                       "approve", "Анна")
    assert all(o.applied for o in outs)
    assert len({o.log_id for o in outs}) == 2
    batch = rows(s, "SELECT DISTINCT batch_id FROM moderation_log")
    assert len(batch) == 1 and batch[0][0]
    assert kv(s, "news:public:promoted") == ["n1"]
    assert kv(s, "banners:active:list") == ["b0", "b1"]
    assert scalar(s, "SELECT status FROM banner_ads") == "active"
    assert kv(s, f"banners:{ARTIST}:b1")["status"] == "active"
    assert kv(s, f"notifications:{ARTIST}:unread") == 3
    # undo applies only while the item is still in the status the decision set
    with engine(s).begin() as conn:  # the platform changed it meanwhile
        conn.execute(sa.text("UPDATE banner_ads SET status = 'paused' WHERE id = 'b1'"))
    out = repo.undo(s, repo.Item("banner_ads", "b1", f"banners:{ARTIST}:b1"), "Борис")
    assert not out.applied and out.current_status == "paused"
    assert kv(s, "banners:active:list") == ["b0", "b1"]


def test_deployed_layout_statuses_and_camel_case(new_store: StoreFactory, fixture_snapshot: Path) -> None:
    s = new_store()
    ingest([fixture_snapshot], s, "deployed", say=lambda _m: None)
    sk, eid = rows(s, "SELECT source_key, id FROM banner_ads WHERE status = 'pending_moderation' ORDER BY id")[0]
    out = repo.decide(s, [repo.Item("banner_ads", eid, sk)], "approve", "Анна")[0]
    assert out.applied and out.from_status == "pending_moderation" and out.to_status == "pending_payment"
    assert kv(s, sk)["status"] == "pending_payment" and kv(s, sk)["approved_at"].endswith("Z")
    sk, eid, user = rows(s, "SELECT source_key, id, user_id FROM concerts WHERE status = 'pending' ORDER BY id")[0]
    before = kv(s, sk)
    out = repo.decide(s, [repo.Item("concerts", eid, sk)], "reject", "Анна", reason="Нет билетов")[0]
    assert out.applied
    after = kv(s, sk)
    assert after["status"] == "rejected" and after["updatedAt"] != before["updatedAt"] and "updated_at" not in after
    # the KV value keeps its double encoding on export (checked in test_export_changes); here: the notification key
    keys = [r[0] for r in rows(s, "SELECT key FROM kv_store WHERE key LIKE :p", p=f"notification:{user}:%")]
    notice = [kv(s, k) for k in keys if kv(s, k).get("title") == "Концерт отклонён"]
    assert len(notice) == 1 and notice[0]["userId"] == user and notice[0]["read"] is False
    assert notice[0]["type"] == "moderation" and "Нет билетов" in notice[0]["message"]
    assert scalar(s, "SELECT count(*) FROM notifications WHERE user_id = :u AND title = 'Концерт отклонён'",
                  u=user) == 1
    sk, eid = rows(s, "SELECT source_key, id FROM promotion_campaigns WHERE status = 'pending_review'")[0]
    assert repo.decide(s, [repo.Item("promotion_campaigns", eid, sk)], "reject", "Анна", reason="Мало")[0].applied
    assert kv(s, sk)["status"] == "rejected" and kv(s, sk)["rejection_reason"] == "Мало"


def test_promoted_concert_deployed_uses_moderation_status(new_store: StoreFactory, tmp_path: Path) -> None:
    s = new_store()
    records = [{"key": "concert:promoted:7", "value": {"id": 7, "title": "Fest", "moderationStatus": "pending",
                                                       "isPromoted": True, "createdAt": T0}}]
    ingest([write_snapshot(tmp_path / "d.ndjson", records)], s, "deployed", say=lambda _m: None)
    out = repo.decide(s, [repo.Item("concerts", "7", "concert:promoted:7")], "approve", "Анна")[0]
    assert out.applied
    value = kv(s, "concert:promoted:7")
    assert value["moderationStatus"] == "approved" and "status" not in value


def test_demo_snapshot_decision(new_store: StoreFactory, demo_snapshot: Path) -> None:
    s = new_store()
    ingest([demo_snapshot], s, "seed", say=lambda _m: None)
    sk, eid, user = rows(s, "SELECT source_key, id, user_id FROM tracks WHERE status = 'pending' ORDER BY id")[0]
    unread_before = kv(s, f"notifications:{user}:unread") or 0
    out = repo.decide(s, [repo.Item("tracks", eid, sk, "pending")], "reject", "Анна", reason="Низкое качество")[0]
    assert out.applied
    assert kv(s, sk)["status"] == "rejected"
    assert kv(s, f"notifications:{user}:unread") == unread_before + 1
    assert repo.undo(s, repo.Item("tracks", eid, sk), "Анна").applied
    assert kv(s, sk)["status"] == "pending"


def test_postgres_eight_concurrent_decisions_one_applies(seed_postgresql: Store) -> None:
    s = seed_postgresql
    target = item("concerts", "c1", f"concerts:{ARTIST}:c1")
    def decision(n: int) -> Callable[[], repo.Outcome]:
        action, reason = ("approve", None) if n % 2 else ("reject", "Дубликат")
        return lambda: repo.decide(s, [target], action, f"mod{n}", reason=reason)[0]

    results: list[repo.Outcome] = at_once(*(decision(n) for n in range(8)))
    assert sum(o.applied for o in results) == 1
    assert sum(o.kind == "conflict" for o in results) == 7
    assert scalar(s, "SELECT count(*) FROM moderation_log") == 1
    winner = next(o for o in results if o.applied)
    assert scalar(s, "SELECT status FROM concerts WHERE id = 'c1'") == winner.to_status
    assert kv(s, f"notifications:{ARTIST}:unread") == 2
    promoted = kv(s, "concerts:public:promoted")
    assert promoted == (["c2", "c1"] if winner.to_status == "approved" else ["c2"])


def test_duckdb_threads_serialized(seed_duckdb: Store) -> None:
    s = seed_duckdb
    target = item("tracks", "t1", f"tracks:{ARTIST}:t1")
    results: list[repo.Outcome] = []
    threads = [threading.Thread(target=lambda n=n: results.append(repo.decide(s, [target], "approve", f"m{n}")[0]))
               for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(o.applied for o in results) == 1 and len(results) == 4
    assert scalar(s, "SELECT count(*) FROM moderation_log") == 1


def test_moderation_queries_on_both_engines(seed_store: Store) -> None:
    import datetime as dt

    from dashboard.i18n.formatting import moscow_today
    from dashboard.moderation.config import pending_params
    from dashboard.store.queries import run_query

    s = seed_store
    queue = run_query(s, "pending_items", **pending_params("seed"))
    assert len(queue) == 8 and queue["entity_id"].iloc[0] == "t2"
    assert set(queue["artist_name"]) == {"Артист Один 🎤"}
    repo.decide(s, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "Анна")
    repo.decide(s, [item("videos", "v1", f"videos:{ARTIST}:v1")], "reject", "Борис", reason="Дубль")
    assert len(run_query(s, "pending_items", **pending_params("seed"))) == 6
    today = moscow_today()
    k = run_query(s, "moderation_kpis", today=today).iloc[0]
    assert (int(k["decisions_today"]), int(k["approvals_7d"]), int(k["rejections_7d"])) == (2, 1, 1)
    assert float(k["median_hours_7d"]) > 0  # created 2026-10-30, decided now
    log = run_query(s, "moderation_log_entries", start=today - dt.timedelta(days=1), end=today, actor="Борис",
                    action="", entity="")
    assert list(log["entity_id"]) == ["v1"] and list(log["reason"]) == ["Дубль"]
    assert list(run_query(s, "moderation_actors")["actor"]) == ["Анна", "Борис"]


def test_duckdb_file_held_by_another_process_says_so(seed_duckdb: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second process holding the DuckDB file: the decision fails with a one-line message, and the CLI exits 1."""
    monkeypatch.setenv("PROMO_FILE_LOCK_WAIT", "0.5")  # the patience is a setting; the message is what is tested
    import subprocess
    import sys
    import time

    from dashboard.store.connect import StoreError

    store = seed_duckdb
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('ok', flush=True); "
                               "time.sleep(60)", store.name],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        with pytest.raises((StoreError, repo.ModerationError), match="in use by another process"):
            repo.decide(store, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "moder")
        proc = subprocess.run([sys.executable, "-m", "dashboard", "moderate", "--db", store.name, "--entity", "tracks",
                               "--id", "t1", "--action", "approve", "--actor", "moder"],
                              capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)
        assert proc.returncode != 0
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        assert len(lines) == 1 and "in use by another process" in lines[0], lines
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    outcome = repo.decide(store, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "moder")[0]
    assert outcome.applied


def test_item_not_pending_names_its_status_and_what_was_expected(new_store: StoreFactory, tmp_path: Path) -> None:
    """Not "is draft now, not draft": the refusal says what the item is and which status a decision needs."""
    s = new_store()
    draft = {"key": f"tracks:{ARTIST}:t9", "value": {"id": "t9", "user_id": ARTIST, "title": "Черновик",
                                                    "status": "draft", "created_at": T0}}
    ingest([write_snapshot(tmp_path / "seed.ndjson", [*SEED_RECORDS, draft])], s, "seed", say=lambda _m: None)
    found = repo.find_items(s, "tracks", "t9")
    assert found == [repo.Item("tracks", "t9", f"tracks:{ARTIST}:t9", None)]
    out = repo.decide(s, found, "approve", "Анна")[0]
    assert not out.applied and out.kind == "conflict"
    assert out.message == "tracks t9: is draft, not pending"
    assert (out.current_status, out.expected, out.decided_by) == ("draft", ("pending",), None)
    # a page that saw it pending: the platform moved it back to draft meanwhile
    seen = repo.decide(s, [item("tracks", "t9", f"tracks:{ARTIST}:t9", seen="pending")], "approve", "Анна")[0]
    assert seen.message == "tracks t9: is draft, not pending"
    assert scalar(s, "SELECT count(*) FROM moderation_log") == 0
    assert kv(s, f"tracks:{ARTIST}:t9")["status"] == "draft"


def test_store_without_moderation_tables_says_reingest(new_store: StoreFactory, tmp_path: Path) -> None:
    """Tables are made by ingest's schema step only: a store from before it gives one line, and no decision or
    export creates them."""
    from dashboard.moderation.export_changes import export_changes
    from dashboard.store.connect import StoreError

    s = new_store()
    ingest([write_snapshot(tmp_path / "seed.ndjson", SEED_RECORDS)], s, "seed", say=lambda _m: None)
    with engine(s).begin() as conn:
        conn.execute(sa.text("DROP TABLE moderation_log"))
        conn.execute(sa.text("DROP TABLE kv_changes"))
    for attempt in (lambda: repo.decide(s, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "Анна"),
                    lambda: export_changes(s, tmp_path / "changes.ndjson")):
        with pytest.raises(StoreError, match="no moderation_log, kv_changes table") as caught:
            attempt()
        assert "\n" not in str(caught.value) and "re-ingest" in str(caught.value)
    assert scalar(s, "SELECT status FROM tracks WHERE id = 't1'") == "pending"
    tables = rows(s, "SELECT table_name FROM information_schema.tables WHERE table_name IN "
                     "('moderation_log', 'kv_changes')")
    assert tables == []
    ingest([write_snapshot(tmp_path / "seed.ndjson", SEED_RECORDS)], s, "seed", say=lambda _m: None)
    assert repo.decide(s, [item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "Анна")[0].applied
