"""The moderation rules without a database: transitions, undo, refusals, the KV value, side effects as data."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from dashboard.moderation import rules
from dashboard.moderation.config import rules as entity_rules

AT = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
STAMP = "2026-11-01T09:30:00.000Z"


def log(action: str, from_status: str | None, to_status: str | None, actor: str = "Анна") -> rules.LogEntry:
    return rules.LogEntry("l1", AT, actor, action, from_status, to_status)


# ---------------------------------------------------------------- transitions


@pytest.mark.parametrize(("entity", "layout", "approve", "reject", "pending"), [
    ("tracks", "seed", "approved", "rejected", ("pending",)),
    ("banner_ads", "seed", "active", "rejected", ("pending",)),
    ("banner_ads", "deployed", "pending_payment", "rejected", ("pending_moderation",)),
    ("track_test_intake", "deployed", "pending_expert_assignment", "moderation_rejected",
     ("pending_moderation", "payment_succeeded")),
    ("track_test_result", "deployed", "completed", "rejected", ("pending_admin_review", "analysis_generated")),
    ("publish_orders", "deployed", "pending_payment", "rejected", ("pending_review", "in_review")),
    ("content_orders", "deployed", "processing", "cancelled", ("pending",)),
    ("promotion_campaigns", "deployed", "approved", "rejected", ("pending_review", "pending")),
    ("pitching_submissions", "seed", "accepted", "rejected", ("pending",)),
])
def test_target_and_decidable_statuses(entity: str, layout: str, approve: str, reject: str,
                                       pending: tuple[str, ...]) -> None:
    r = entity_rules(entity, layout)
    assert rules.target_status(r, "approve") == approve and rules.target_status(r, "reject") == reject
    assert rules.decidable_statuses(r, "approve") == pending
    for status in pending:
        assert rules.can_decide(r, "approve", status) and rules.can_decide(r, "reject", status)
    for status in (approve, reject, "draft", None):
        assert not rules.can_decide(r, "approve", status)
    # a reversal also accepts the other decision's status, never the action's own target
    assert rules.decidable_statuses(r, "reject", allow_reversal=True) == (*pending, approve)
    assert rules.can_decide(r, "reject", approve, allow_reversal=True)
    assert not rules.can_decide(r, "reject", reject, allow_reversal=True)
    with pytest.raises(ValueError):
        rules.target_status(r, "undo")


def test_undo_plan_restores_the_status_before() -> None:
    plan = rules.undo_plan(log("approve", "pending", "approved"))
    assert plan is not None and (plan.from_status, plan.to_status) == ("approved", "pending")
    reject = rules.undo_plan(log("reject", "pending_review", "rejected"))
    assert reject is not None and (reject.from_status, reject.to_status) == ("rejected", "pending_review")
    assert rules.undo_plan(log("undo", "approved", "pending")) is None  # nothing left to undo
    assert "already undone by Анна at Nov 1, 2026 12:30 MSK" in rules.already_undone_message(
        "tracks", "t1", log("undo", "approved", "pending"))


# ---------------------------------------------------------------- refusals


def test_refusal_names_the_real_status_and_what_was_expected() -> None:
    r = entity_rules("promotion_campaigns", "deployed")
    why = rules.refusal("draft", rules.decidable_statuses(r, "approve"), None, None, None)
    assert why.decided_by is None and why.expected == ("pending_review", "pending")
    message = rules.refusal_message("promotion_campaigns", "p1", why)
    assert message == "promotion_campaigns p1: is draft, not pending_review or pending"
    # the old message repeated the status: "is draft now, not draft"
    tracks = rules.refusal("draft", ("pending",), None, None, None)
    assert rules.refusal_message("tracks", "t1", tracks) == "tracks t1: is draft, not pending"
    changed = rules.refusal("paused", ("active",), None, None, None)  # an undo after the platform changed it
    assert rules.refusal_message("banner_ads", "b1", changed) == "banner_ads b1: is paused, not active"
    assert rules.refusal_message("tracks", "t1", rules.refusal(None, ("pending",), None, None, None)) == \
        "tracks t1: is without status, not pending"


def test_refusal_names_who_decided() -> None:
    by_log = rules.refusal("approved", ("pending",), log("approve", "pending", "approved"), "Старый", AT)
    assert (by_log.decided_by, by_log.decided_at) == ("Анна", AT)
    assert rules.refusal_message("videos", "v1", by_log) == \
        "videos v1: already approved by Анна at Nov 1, 2026 12:30 MSK"
    # the latest log row set another status (the platform changed it since): the row's moderator, if any
    by_row = rules.refusal("rejected", ("pending",), log("approve", "pending", "approved"), "Борис", AT)
    assert by_row.decided_by == "Борис"
    nobody = rules.refusal("approved", ("pending",), log("undo", "approved", "pending"), None, None)
    assert nobody.decided_by is None and nobody.decided_at is None


def test_applied_message() -> None:
    assert rules.applied_message("tracks", "t1", "approve", "pending", "approved") == \
        "tracks t1: approved (pending → approved)"
    assert rules.applied_message("tracks", "t1", "undo", "approved", "pending") == \
        "tracks t1: undone (approved → pending)"


# ---------------------------------------------------------------- the KV value


def test_with_status_seed_object_keeps_the_rest_and_does_not_mutate() -> None:
    r = entity_rules("tracks", "seed")
    value = {"id": "t1", "title": "Трек 🎵", "status": "pending", "updated_at": "2026-10-30T10:00:00+03:00"}
    new = rules.with_status(value, r, "t1", "approved", AT)
    assert new == {"id": "t1", "title": "Трек 🎵", "status": "approved", "updated_at": STAMP}
    assert value["status"] == "pending"


def test_with_status_deployed_camel_case_and_every_status_field() -> None:
    concert = entity_rules("concerts", "deployed")
    value = {"id": 7, "moderationStatus": "pending", "updatedAt": "x"}
    assert rules.with_status(value, concert, "7", "approved", AT) == \
        {"id": 7, "moderationStatus": "approved", "updatedAt": STAMP}  # no "status" added: one field is present
    both = rules.with_status({"id": 7, "status": "pending", "moderationStatus": "pending"}, concert, "7", "rejected",
                             AT)
    assert both == {"id": 7, "status": "rejected", "moderationStatus": "rejected"}
    bare = rules.with_status({"id": 7}, concert, "7", "approved", AT)
    assert bare == {"id": 7, "status": "approved"}  # none present: the first configured field


def test_with_status_reason_fields_and_undo_clears_them() -> None:
    r = entity_rules("pitching_submissions", "seed")
    value = {"id": "s1", "status": "pending", "response": None, "responded_at": None}
    rejected = rules.with_status(value, r, "s1", "rejected", AT, reason="Не подходит")
    assert rejected == {"id": "s1", "status": "rejected", "response": "Не подходит", "responded_at": STAMP}
    back = rules.with_status(rejected, r, "s1", "pending", AT, clear_decision=True)
    assert back == {"id": "s1", "status": "pending", "response": None, "responded_at": None}
    banner = entity_rules("banner_ads", "deployed")
    out = rules.with_status({"id": "b1", "status": "pending_moderation"}, banner, "b1", "rejected", AT, reason="Шрифт")
    assert out == {"id": "b1", "status": "rejected", "rejection_reason": "Шрифт"}


def test_with_status_array_value_sets_only_the_item() -> None:
    r = entity_rules("news", "seed")
    value = [{"id": "n0", "status": "pending"}, {"id": "n1", "status": "pending"}, "junk"]
    assert rules.with_status(value, r, "n1", "approved", AT) == \
        [{"id": "n0", "status": "pending"}, {"id": "n1", "status": "approved"}, "junk"]
    assert rules.with_status(value, r, "n9", "approved", AT) is None
    assert rules.with_status("text", r, "n1", "approved", AT) is None
    assert rules.with_status(None, r, "n1", "approved", AT) is None


def test_kv_timestamp_is_utc_milliseconds() -> None:
    moscow = dt.timezone(dt.timedelta(hours=3))
    assert rules.kv_timestamp(dt.datetime(2026, 11, 1, 12, 30, 0, 123456, tzinfo=moscow)) == "2026-11-01T09:30:00.123Z"


# ---------------------------------------------------------------- side effects: lists


@pytest.mark.parametrize(("entity", "layout", "from_s", "to_s", "row", "expected"), [
    # seed: an approved promoted concert enters the public promoted list, a reversal or undo takes it out
    ("concerts", "seed", "pending", "approved", {"is_promoted": True},
     [rules.ListChange("concerts:public:promoted", "add", "x")]),
    ("concerts", "seed", "pending", "approved", {"is_promoted": False}, []),
    ("concerts", "seed", "approved", "pending", {"is_promoted": True},
     [rules.ListChange("concerts:public:promoted", "remove", "x")]),
    ("concerts", "seed", "approved", "rejected", {"is_promoted": None},
     [rules.ListChange("concerts:public:promoted", "remove", "x")]),
    ("concerts", "seed", "pending", "rejected", {"is_promoted": True}, []),
    ("news", "seed", "pending", "approved", {"is_promoted": True},
     [rules.ListChange("news:public:promoted", "add", "x")]),
    ("banner_ads", "seed", "pending", "active", {}, [rules.ListChange("banners:active:list", "add", "x")]),
    ("banner_ads", "seed", "active", "pending", {}, [rules.ListChange("banners:active:list", "remove", "x")]),
    ("tracks", "seed", "pending", "approved", {}, []),
    # deployed: the platform's code keeps no such lists
    ("concerts", "deployed", "pending", "approved", {"is_promoted": True}, []),
    ("banner_ads", "deployed", "pending_moderation", "pending_payment", {}, []),
])
def test_list_changes(entity: str, layout: str, from_s: str, to_s: str, row: dict[str, object],
                      expected: list[rules.ListChange]) -> None:
    assert rules.list_changes(entity_rules(entity, layout), "x", from_s, to_s, row) == expected


def test_edit_list_add_and_remove_are_idempotent() -> None:
    added = rules.edit_list(["c2"], "add", "c1")
    assert added.items == ["c2", "c1"] and added.added_at == 1 and added.changed
    again = rules.edit_list(added.items, "add", "c1")
    assert again.items == ["c2", "c1"] and not again.changed
    removed = rules.edit_list(["c1", "c2", "c1"], "remove", "c1")
    assert removed.items == ["c2"] and removed.removed_at == (0, 2)
    assert not rules.edit_list(removed.items, "remove", "c1").changed
    # ids as numbers or objects, and a missing or broken list value
    assert rules.edit_list([7, {"id": 8}], "remove", "8").items == [7]
    assert rules.edit_list([7], "add", "7").items == [7]
    assert rules.edit_list(None, "add", "b1") == rules.ListEdit(["b1"], added_at=0)
    assert rules.edit_list({"not": "a list"}, "remove", "b1") == rules.ListEdit([])
    with pytest.raises(ValueError):
        rules.edit_list([], "move", "b1")


# ---------------------------------------------------------------- side effects: the notification


def notice(layout: str, action: str = "reject", reason: str | None = "Нет билетов") -> rules.Notice | None:
    row = {"user_id": "u1", "title": "Концерт 🎸"}
    return rules.notice_for(entity_rules("concerts", layout), action, "c1", "rejected", row, reason, "log1")


def test_notice_for_decisions_only_and_owned_items_only() -> None:
    n = notice("seed")
    assert n == rules.Notice("u1", "moderation", "Концерт отклонён", "«Концерт 🎸»: Нет билетов", "/concerts",
                             {"entity": "concerts", "entity_id": "c1", "status": "rejected",
                              "moderation_log_id": "log1"})
    approved = notice("seed", "approve", None)
    assert approved is not None and approved.title == "Концерт одобрен" and approved.content == "«Концерт 🎸»"
    assert notice("seed", "undo") is None
    r = entity_rules("concerts", "seed")
    assert rules.notice_for(r, "approve", "c1", "approved", {"user_id": None}, None, "l") is None
    untitled = rules.notice_for(r, "approve", "c1", "approved", {"user_id": "u1", "title": None}, None, "l")
    assert untitled is not None and untitled.content == "«c1»"


def test_notice_write_seed_layout_is_a_list_entry_and_an_unread_count() -> None:
    n = notice("seed")
    assert n is not None
    write = rules.notice_write(n, entity_rules("concerts", "seed").notification, "n1", AT)
    assert not write.own_key
    assert (write.key, write.unread_key) == ("notifications:u1:list", "notifications:u1:unread")
    assert write.value == {"id": "n1", "user_id": "u1", "type": "moderation", "title": "Концерт отклонён",
                           "content": "«Концерт 🎸»: Нет билетов", "link": "/concerts", "metadata": n.metadata,
                           "is_read": False, "read_at": None, "created_at": STAMP}
    assert rules.prepend_notice([{"id": "old"}], write.value) == [write.value, {"id": "old"}]
    assert rules.prepend_notice(None, write.value) == [write.value]
    assert [rules.unread_after(v) for v in (None, 0, 2, "3", "x", [1])] == [1, 1, 3, 4, 1, 1]


def test_notice_write_deployed_layout_is_its_own_camel_case_key() -> None:
    n = notice("deployed")
    assert n is not None
    write = rules.notice_write(n, entity_rules("concerts", "deployed").notification, "n1", AT)
    assert write.own_key and write.unread_key is None and write.key == "notification:u1:n1"
    assert write.value == {"id": "n1", "userId": "u1", "type": "moderation", "title": "Концерт отклонён",
                           "message": "«Концерт 🎸»: Нет билетов", "link": "/concerts", "read": False,
                           "createdAt": STAMP, "metadata": n.metadata}
    with pytest.raises(ValueError):
        rules.notice_write(n, "pigeon", "n1", AT)


def test_rules_need_no_database() -> None:
    """The rules module imports no database library and neither the store nor the unit of work."""
    tree = ast.parse(Path(rules.__file__).read_text(encoding="utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert imported <= {"__future__", "copy", "datetime", "dataclasses", "typing", "dashboard.i18n.formatting",
                        "dashboard.i18n.translations", "dashboard.moderation.config"}, imported
