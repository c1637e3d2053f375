"""The service and rules against an in-memory unit of work: no database, milliseconds per test (issue 26).

``tests.fakes.FakeUnits`` implements ``ports.UnitsOfWork`` (in memory, rolled back on an exception) and
``FakePlatform`` ``ports.PlatformPort``.
"""

from __future__ import annotations

from typing import Any

import pytest

from dashboard.moderation import service
from tests.fakes import ARTIST, AT, FakePlatform, FakeUnits, track, with_track


def test_approve_sets_row_value_log_and_notification_in_one_action() -> None:
    units = FakeUnits()
    key = with_track(units, "t1")
    out = service.decide(units, [track(units, "t1")], "approve", "Мария", now=AT)[0]
    assert out.applied and out.to_status == "approved" and units.actions == 1
    assert units.state.rows[("tracks", key, "t1")]["status"] == "approved"
    assert units.state.kv[key]["status"] == "approved"
    assert units.state.kv[key]["updated_at"] == "2026-11-20T09:30:00.000Z"
    assert [(e["action"], e["from_status"], e["to_status"], e["actor"]) for e in units.state.log] == [
        ("approve", "pending", "approved", "Мария")]
    # seed layout: the artist's notification list and unread counter, every changed key recorded for export
    assert units.state.kv[f"notifications:{ARTIST}:list"][0]["content"] == "«Северный ветер 🌬»"
    assert units.state.counters[f"notifications:{ARTIST}:unread"] == 1
    notified = {f"notifications:{ARTIST}:list", f"notifications:{ARTIST}:unread"}
    assert {k for _, k in units.state.changes} == {key, *notified}
    assert out.changed_keys[0] == key


def test_a_decision_applies_only_to_the_status_seen() -> None:
    units = FakeUnits()
    key = with_track(units, "t1", status="approved")
    units.state.log.append({"id": "l0", "at": AT, "actor": "Анна", "action": "approve", "entity": "tracks",
                            "entity_id": "t1", "source_key": key, "from_status": "pending", "to_status": "approved",
                            "reason": None, "note": None, "batch_id": None})
    out = service.decide(units, [track(units, "t1", seen="pending")], "reject", "Борис", reason="Дубликат", now=AT)[0]
    assert not out.applied and out.kind == "conflict" and out.current_status == "approved"
    assert out.decided_by == "Анна" and "already approved by Анна" in out.message
    assert len(units.state.log) == 1 and units.state.kv[key]["status"] == "approved"


def test_bad_requests_change_nothing() -> None:
    units = FakeUnits()
    with_track(units, "t1")
    with pytest.raises(service.ReasonRequired):
        service.decide(units, [track(units, "t1")], "reject", "Мария", reason="  ")
    with pytest.raises(service.BadRequest):
        service.decide(units, [track(units, "t1")], "approve", " ")
    with pytest.raises(service.BadRequest):
        service.decide(units, [service.Item("songs", "t1", "x")], "approve", "Мария")
    with pytest.raises(service.NotFound):
        service.undo(units, track(units, "t1"), "Мария")
    assert units.state.log == [] and units.state.rows[("tracks", f"tracks:{ARTIST}:t1", "t1")]["status"] == "pending"


def test_undo_restores_the_status_once() -> None:
    units = FakeUnits()
    key = with_track(units, "t1")
    assert service.decide(units, [track(units, "t1")], "approve", "Мария", now=AT)[0].applied
    back = service.undo(units, track(units, "t1", seen=None), "Мария", now=AT)
    assert back.applied and back.to_status == "pending" and units.state.kv[key]["status"] == "pending"
    again = service.undo(units, track(units, "t1", seen=None), "Мария", now=AT)
    assert not again.applied and again.kind == "conflict"
    assert [e["action"] for e in units.state.log] == ["approve", "undo"]


def test_bulk_decision_keeps_order_shares_a_batch_and_refuses_only_the_lost_item() -> None:
    units = FakeUnits()
    with_track(units, "t2")
    with_track(units, "t1", status="rejected")
    outs = service.decide(units, [track(units, "t2"), track(units, "t1")], "approve", "Мария", now=AT)
    assert [o.item.entity_id for o in outs] == ["t2", "t1"]
    assert [o.applied for o in outs] == [True, False]
    assert len({e["batch_id"] for e in units.state.log}) == 1 and len(units.state.log) == 1


def test_a_platform_that_moved_refuses_and_refreshes_the_item() -> None:
    platform = FakePlatform()
    units = FakeUnits(platform=platform)
    key = with_track(units, "t1")
    platform.moved.add(key)
    out = service.decide(units, [track(units, "t1")], "approve", "Мария", now=AT)[0]
    assert not out.applied and out.platform_since == "2026-11-20T09:00:00Z" and out.current_status == "approved"
    assert units.refreshed == [key] and units.state.log == [] and platform.written == []


def test_a_platform_conflict_mid_action_undoes_the_whole_selection() -> None:
    platform = FakePlatform()
    units = FakeUnits(platform=platform)
    with_track(units, "t1")
    key2 = with_track(units, "t2")
    platform.conflict_on.add(key2)
    outs = service.decide(units, [track(units, "t1"), track(units, "t2")], "approve", "Мария", now=AT)
    assert [o.applied for o in outs] == [False, False]
    assert units.state.log == [] and all(r["status"] == "pending" for r in units.state.rows.values())
    assert units.refreshed == [key2] and not platform.committed


def test_a_synced_decision_writes_the_item_and_its_side_effects_back() -> None:
    platform = FakePlatform()
    units = FakeUnits(platform=platform)
    key = with_track(units, "t1")
    assert service.decide(units, [track(units, "t1")], "approve", "Мария", now=AT)[0].applied
    assert platform.committed and platform.written[0] == key
    assert set(platform.written) == {key, f"notifications:{ARTIST}:list", f"notifications:{ARTIST}:unread"}


def test_find_items_lists_every_key_of_an_id() -> None:
    units = FakeUnits()
    with_track(units, "t1")
    units.state.rows[("tracks", "tracks:other:t1", "t1")] = {"status": "pending", "user_id": "other", "title": "x",
                                                             "is_promoted": None, "moderator": None,
                                                             "moderated_at": None}
    found = service.find_items(units, "tracks", "t1")
    assert [i.source_key for i in found] == [f"tracks:{ARTIST}:t1", "tracks:other:t1"]
    assert all(i.seen is None for i in found)


# ---------------------------------------------------------------- the platform's own review (issue 18, KEYS.md §B)


def deployed_row(units: FakeUnits, table: str, key: str, value: dict[str, Any], row: dict[str, Any]) -> None:
    units.state.kv[key] = value
    units.state.rows[(table, key, str(value["id"]))] = {"moderator": None, "moderated_at": None,
                                                        "is_promoted": None, **row}


def test_a_rejected_track_test_is_refunded_and_an_undo_charges_it_again() -> None:
    units = FakeUnits(layout="deployed")
    key = "track_test:requests:tt1"
    deployed_row(units, "track_test_requests", key,
                 {"id": "tt1", "status": "pending_moderation", "payment_status": "completed", "updated_at": "x"},
                 {"status": "pending_moderation", "payment_status": "completed", "user_id": ARTIST, "title": "Демо"})
    item = service.Item("track_test_intake", "tt1", key, "pending_moderation")
    out = service.decide(units, [item], "reject", "Мария", reason="Тишина вместо трека", now=AT)[0]
    assert out.applied and out.to_status == "moderation_rejected"
    value = units.state.kv[key]
    assert (value["status"], value["payment_status"], value["rejection_reason"]) == \
        ("moderation_rejected", "refunded", "Тишина вместо трека")
    assert units.state.rows[("track_test_requests", key, "tt1")]["payment_status"] == "refunded"
    assert service.undo(units, service.Item("track_test_intake", "tt1", key), "Мария", now=AT).applied
    assert (units.state.kv[key]["status"], units.state.kv[key]["payment_status"]) == \
        ("pending_moderation", "completed")
    assert units.state.rows[("track_test_requests", key, "tt1")]["payment_status"] == "completed"


def test_a_track_tests_final_review_sets_admin_approval_and_completion() -> None:
    units = FakeUnits(layout="deployed")
    key = "track_test:requests:tt2"
    deployed_row(units, "track_test_requests", key,
                 {"id": "tt2", "status": "analysis_generated", "admin_approval_status": "pending"},
                 {"status": "analysis_generated", "user_id": ARTIST, "title": "Демо"})
    out = service.decide(units, [service.Item("track_test_result", "tt2", key, "analysis_generated")], "approve",
                         "Мария", now=AT)[0]
    assert out.applied and out.to_status == "completed"
    value = units.state.kv[key]
    assert (value["admin_approval_status"], value["completed_at"]) == ("approved", "2026-11-20T09:30:00.000Z")
    assert units.state.rows[("track_test_requests", key, "tt2")]["completed_at"] == AT


@pytest.mark.parametrize(("price", "status"), [(0, "published"), ("0.00", "published"), (990, "pending_payment")])
def test_an_approved_publish_order_is_published_when_free_else_waits_for_payment(price: Any, status: str) -> None:
    units = FakeUnits(layout="deployed")
    key = "publish_order:pub_1"
    deployed_row(units, "publish_orders", key, {"id": "pub_1", "status": "in_review", "price": price},
                 {"status": "in_review", "price": price, "user_id": ARTIST, "title": "Клип"})
    out = service.decide(units, [service.Item("publish_orders", "pub_1", key, "in_review")], "approve", "Мария",
                         now=AT)[0]
    assert out.applied and out.to_status == status
    value = units.state.kv[key]
    assert value["status"] == status and value["moderatedAt"] == "2026-11-20T09:30:00.000Z"
    assert ("publishedAt" in value) == (status == "published")


def test_a_content_order_moves_between_the_status_lists() -> None:
    units = FakeUnits(layout="deployed")
    key = "content_order:o1"
    deployed_row(units, "content_orders", key, {"id": "o1", "status": "pending", "updatedAt": "x"},
                 {"status": "pending", "user_id": "venue-1", "title": "Джингл"})
    units.state.kv["content_orders:pending"] = ["o0", "o1"]
    out = service.decide(units, [service.Item("content_orders", "o1", key, "pending")], "reject", "Мария",
                         reason="Текст нарушает правила", now=AT)[0]
    assert out.applied and out.to_status == "cancelled"
    assert units.state.kv[key]["adminComment"] == "Текст нарушает правила"
    assert units.state.kv["content_orders:pending"] == ["o0"]
    assert units.state.kv["content_orders:cancelled"] == ["o1"]
    assert not units.state.notifications  # the owner is a venue: nobody is notified


def ai_articles(units: FakeUnits) -> None:
    pending = [{"id": "art_1", "title": "Винил вырос на 30%", "status": "pending"},
               {"id": "art_2", "title": "Нейросети и аранжировки", "status": "pending"}]
    units.state.kv["news:articles:pending"] = pending
    units.state.kv["news:articles:published"] = [{"id": "art_0", "title": "Старая", "status": "published"}]
    for a in pending:
        units.state.rows[("news_articles", "news:articles:pending", a["id"])] = {
            "status": "pending", "user_id": None, "title": a["title"], "is_promoted": None, "moderator": None,
            "moderated_at": None}


def test_an_approved_ai_article_moves_to_the_front_of_the_published_list_and_back_on_undo() -> None:
    units = FakeUnits(layout="deployed")
    ai_articles(units)
    item = service.Item("ai_news", "art_2", "news:articles:pending", "pending")
    out = service.decide(units, [item], "approve", "Мария", now=AT)[0]
    assert out.applied and out.to_status == "published"
    assert [a["id"] for a in units.state.kv["news:articles:pending"]] == ["art_1"]
    first = units.state.kv["news:articles:published"][0]
    assert (first["id"], first["status"], first["publishedAt"]) == ("art_2", "published", "2026-11-20T09:30:00.000Z")
    assert ("news_articles", "news:articles:published", "art_2") in units.state.rows
    assert units.state.log[-1]["source_key"] == "news:articles:pending"  # filed where the moderator saw it
    # a second moderator who saw it pending: a conflict naming the first, not "not found"
    late = service.decide(units, [item], "reject", "Олег", reason="Дубликат", now=AT)[0]
    assert late.kind == "conflict" and late.decided_by == "Мария" and late.current_status == "published"
    # undo from the queue's reference (the pending key): back to the front of the pending list
    assert service.undo(units, item, "Мария", now=AT).applied
    assert [a["id"] for a in units.state.kv["news:articles:pending"]] == ["art_2", "art_1"]
    assert [a["id"] for a in units.state.kv["news:articles:published"]] == ["art_0"]
    assert units.state.kv["news:articles:pending"][0]["status"] == "pending"
    assert ("news_articles", "news:articles:pending", "art_2") in units.state.rows
