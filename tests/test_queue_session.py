"""The queue page's session and callbacks without Streamlit (``dashboard.moderation.queue_session``): a plain dict
is the session state and ``tests.fakes.FakeUnits`` the store, so each test runs in milliseconds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dashboard.moderation import queue_session as qs
from dashboard.moderation import service
from dashboard.moderation.config import item_ref
from tests.fakes import ARTIST, FakeUnits, with_track


def ref(track_id: str) -> str:
    return item_ref({"entity": "tracks", "source_key": f"tracks:{ARTIST}:{track_id}", "entity_id": track_id})


def setup(*track_ids: str, actor: str | None = "Ирина", lang: str = "ru") -> tuple[qs.QueueState, qs.Deps, FakeUnits,
                                                                                     list[int]]:
    """A queue showing pending tracks ``track_ids`` (as the page's last run remembered them)."""
    units = FakeUnits()
    for track_id in track_ids:
        with_track(units, track_id, title=f"Трек {track_id}")
    state = qs.QueueState({})
    state.remember_shown({ref(i): {"entity": "tracks", "title": f"Трек {i}", "artist": "Артист"} for i in track_ids},
                         {ref(i): "pending" for i in track_ids})
    invalidated: list[int] = []
    deps = qs.Deps(units=units, lang=lang, acting_actor=lambda: actor, invalidate=lambda: invalidated.append(1))
    return state, deps, units, invalidated


def statuses(units: FakeUnits) -> dict[str, Any]:
    return {key[2]: row["status"] for key, row in units.state.rows.items()}


def test_filters_and_paging_read_the_widgets_and_go_back_to_the_first_page() -> None:
    session: dict[str, Any] = {"mod_f_type": ["tracks", "news"], "mod_f_text": "  ветер ", "mod_page_size": 999}
    state = qs.QueueState(session)
    assert state.filters == qs.Filters(types=",tracks,news,", search="ветер")
    assert state.page_size == qs.DEFAULT_PAGE_SIZE  # an unknown size falls back
    assert state.page_for(state.filters, 150) == 0
    qs.go_to_page(state, 3)
    assert state.page_for(state.filters, 150) == 3  # same filters: the page stays
    session["mod_f_age"] = ["gt72"]
    assert state.page_for(state.filters, 150) == 0  # new filters: the first page


def test_ticks_and_the_box_edit_the_selection_by_item_and_open_what_was_added() -> None:
    state, _deps, _units, _ = setup("t1", "t2", "t3")
    state.table_refs = {"mod_queue_table_x": [ref("t1"), ref("t2"), ref("t3")]}
    state.session["mod_queue_table_x"] = {"selection": {"rows": [0, 2]}}
    qs.on_table_select(state, "mod_queue_table_x")
    assert state.selection == {ref("t1"): "pending", ref("t3"): "pending"}
    assert state.current == (ref("t3"), "pending")  # a tick opens the item
    version = state.sel_version
    state.picked = [ref("t2")]
    qs.on_pick(state)
    assert state.selection == {ref("t2"): "pending"} and state.sel_version == version + 1  # the table is redrawn
    assert state.current == (ref("t2"), "pending")


def opened(state: qs.QueueState, *track_ids: str, taken: dict[str, str] | None = None) -> qs.Settled:
    """The page's run: the queue showed ``track_ids`` in this order; the workbench opens an item."""
    order = [ref(i) for i in track_ids]
    return qs.settle(state, order, {r: s for r, s in state.statuses.items() if r in order}, taken or {})


def test_one_item_is_approved_directly_and_named_in_the_flash() -> None:
    state, deps, units, invalidated = setup("t1", "t2")
    assert opened(state, "t1", "t2").current == (ref("t1"), "pending")  # a first visit opens the first item
    qs.decide_current(state, deps, "approve")
    assert statuses(units) == {"t1": "approved", "t2": "pending"}
    assert units.state.log[0]["actor"] == "Ирина"
    assert state.take_flash() == qs.Flash("approve", (ref("t1"),))
    assert state.last == [(ref("t1"), units.state.log[0]["id"])] and invalidated == [1]
    assert state.take_flash() is None  # shown once
    assert opened(state, "t1", "t2").current == (ref("t2"), "pending")  # the next item opens by itself


def test_a_rejection_needs_a_reason_free_text_winning_over_the_canned_one() -> None:
    state, deps, units, _ = setup("t1", "t2")
    opened(state, "t1", "t2")
    qs.decide_current(state, deps, "reject")
    assert state.take_error() == deps.tr("mod.reason_required") and units.state.log == []
    state.session[state.REASON] = "rights"
    assert qs.chosen_reason(state, "ru") == "Нарушение авторских прав"
    state.session[state.REASON_TEXT] = "  Нет прав на музыку "
    qs.decide_current(state, deps, "reject")
    assert units.state.log[0]["reason"] == "Нет прав на музыку"
    assert state.reason_text == "" and state.reason_code == ""  # cleared for the next item


def test_the_keys_move_select_and_reject_with_a_canned_reason() -> None:
    state, deps, units, _ = setup("t1", "t2", "t3", "t4")
    opened(state, "t1", "t2", "t3", "t4", taken={ref("t3"): "Борис"})
    qs.on_move(state, 1)
    assert state.current == (ref("t2"), "pending")
    qs.on_move(state, 1)  # t3 is open in Борис's session: skipped
    assert state.current == (ref("t4"), "pending")
    qs.on_move(state, 1)  # the end: it stays
    assert state.current == (ref("t4"), "pending")
    qs.on_move(state, -1)
    assert state.current == (ref("t2"), "pending")
    qs.on_toggle_mark(state)
    assert state.selection == {ref("t2"): "pending"}
    qs.on_toggle_mark(state)
    assert state.selection == {}
    qs.on_key(state, deps, {"act": "reason", "n": 2})  # "2" in the empty reason field
    assert units.state.log[0]["reason"] == "Нарушение авторских прав" and statuses(units)["t2"] == "rejected"
    assert opened(state, "t1", "t2", "t3", "t4", taken={ref("t3"): "Борис"}).current == (ref("t4"), "pending")
    qs.on_key(state, deps, {"act": "reason", "n": 42})  # no such canned reason: nothing happens
    qs.on_key(state, deps, {"act": "reject_text", "text": "  Дубль  "})
    assert units.state.log[-1]["reason"] == "Дубль" and statuses(units)["t4"] == "rejected"
    assert len(units.state.log) == 2


def test_a_decision_on_an_item_someone_else_has_open_is_made_and_logged() -> None:
    state, deps, units, _ = setup("t1", "t2")
    opened(state, "t1", "t2", taken={ref("t1"): "Борис"})
    assert state.current == (ref("t2"), "pending")  # the first free item
    qs.on_move(state, -1)  # K walks past taken items too: t1 is not opened
    assert state.current == (ref("t2"), "pending")
    state.picked = [ref("t1")]
    qs.on_pick(state)  # opened on purpose
    assert state.current == (ref("t1"), "pending")
    qs.decide_current(state, deps, "approve")
    assert statuses(units)["t1"] == "approved"
    assert units.state.log[0]["note"] == "claimed by Борис"


def test_an_open_item_someone_else_decided_gives_way_to_the_next() -> None:
    state, _deps, _units, _ = setup("t1", "t2", "t3")
    opened(state, "t1", "t2", "t3")
    state.remember_shown({}, {ref("t2"): "pending", ref("t3"): "pending"})  # t1 decided elsewhere
    settled = opened(state, "t2", "t3")
    assert settled.gone == ref("t1") and settled.current == (ref("t2"), "pending")


def test_my_decisions_of_the_last_hour_are_undone_by_their_own_id() -> None:
    state, deps, units, _ = setup("t1", "t2")
    opened(state, "t1", "t2")
    qs.decide_current(state, deps, "approve")
    first = units.state.log[0]["id"]
    opened(state, "t1", "t2")
    qs.decide_current(state, deps, "approve")
    state.last = []  # a new session: U takes my newest decision that can still be undone
    state.undoable = [(ref("t2"), units.state.log[1]["id"]), (ref("t1"), first)]
    qs.on_undo(state, deps)
    assert statuses(units) == {"t1": "approved", "t2": "pending"}
    assert state.current == (ref("t2"), "pending")  # the undone item opens again
    qs.on_undo_decision(state, deps, ref("t1"), first)
    assert statuses(units) == {"t1": "pending", "t2": "pending"}
    assert [e["action"] for e in units.state.log] == ["approve", "approve", "undo", "undo"]


def test_an_undo_is_refused_when_someone_decided_the_item_since() -> None:
    state, deps, units, _ = setup("t1")
    opened(state, "t1")
    qs.decide_current(state, deps, "approve")
    mine = units.state.log[0]["id"]
    item = service.Item("tracks", "t1", f"tracks:{ARTIST}:t1")
    service.undo(units, item, "Борис")  # Борис undid it and approved it again
    service.decide(units, [service.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")], "approve", "Борис")
    state.take_flash()
    qs.on_undo_decision(state, deps, ref("t1"), mine)
    flash = state.take_flash()
    assert flash is not None and flash.applied == () and flash.refused == 1
    assert "decided since by Борис" in state.conflicts[0] or "Борис" in state.conflicts[0]
    assert statuses(units) == {"t1": "approved"} and len(units.state.log) == 3


def test_several_items_wait_for_the_dialog_then_go_in_one_batch() -> None:
    state, deps, units, _ = setup("t1", "t2", "t3")
    chosen = {ref("t1"): "pending", ref("t3"): "pending"}
    state.set_selection(chosen, redraw=True)
    qs.on_bulk(state, deps, "approve")
    assert state.bulk_pending == {"action": "approve", "items": chosen} and units.state.log == []
    qs.confirm_bulk(state, deps, "approve", chosen)
    assert state.bulk_pending is None
    assert statuses(units) == {"t1": "approved", "t2": "pending", "t3": "approved"}
    assert len({e["batch_id"] for e in units.state.log}) == 1
    state.set_selection({ref("t2"): "pending", ref("t3"): "pending"}, redraw=True)
    qs.on_bulk(state, deps, "approve")
    qs.cancel_bulk(state)
    assert state.bulk_pending is None and statuses(units)["t2"] == "pending"


def test_an_item_someone_else_decided_is_refused_and_named() -> None:
    state, deps, units, _ = setup("t1", "t2")
    service.decide(units, [service.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")], "approve", "Борис")
    chosen = {ref("t1"): "pending", ref("t2"): "pending"}
    qs.confirm_bulk(state, deps, "approve", chosen)
    flash = state.take_flash()
    assert flash is not None and flash.applied == (ref("t2"),) and flash.refused == 1
    assert len(state.conflicts) == 1 and state.conflicts[0].startswith("«Трек t1» (Трек, Артист): уже одобрено — Борис")
    assert [e["actor"] for e in units.state.log] == ["Борис", "Ирина"]


def test_undo_takes_the_last_decision_back() -> None:
    state, deps, units, _ = setup("t1")
    opened(state, "t1")
    qs.decide_current(state, deps, "approve")
    state.take_flash()
    qs.on_undo(state, deps)
    assert statuses(units) == {"t1": "pending"} and state.last == []
    assert state.take_flash() == qs.Flash("undo", (ref("t1"),))
    assert [e["action"] for e in units.state.log] == ["approve", "undo"]


def test_nobody_acts_without_access_decided_at_call_time() -> None:
    state, deps, units, _ = setup("t1", actor=None, lang="en")
    opened(state, "t1")
    qs.decide_current(state, deps, "approve")
    assert state.take_error() == "This page is not available for your role."
    assert units.state.log == [] and statuses(units) == {"t1": "pending"}


def test_items_decided_elsewhere_leave_the_selection_with_a_note() -> None:
    state, _deps, _units, _ = setup("t1", "t2")
    state.set_selection({ref("t1"): "pending", ref("t2"): "pending"}, redraw=True)
    decided = {"actor": "Борис", "action": "approve", "to_status": "approved", "at": None}
    qs.reconcile(state, {ref("t2"): "pending"}, lambda r: decided if r == ref("t1") else None)
    assert state.selection == {ref("t2"): "pending"}
    assert state.left_notes == [(ref("t1"), decided)]
    state.set_selection({}, redraw=True)  # a new choice: the notes are read
    assert state.left_notes == []


def test_the_artists_other_submissions_are_counted_by_what_was_decided() -> None:
    rows = [{"entity": "tracks", "status": "approved", "items": 3}, {"entity": "tracks", "status": "rejected",
                                                                      "items": 1},
            {"entity": "banner_ads", "status": "pending_payment", "items": 2},  # deployed: approved, awaiting payment
            {"entity": "videos", "status": "pending", "items": 1}, {"entity": "tracks", "status": "draft", "items": 4}]
    assert qs.artist_counts(rows, "deployed") == {"approved": 5, "rejected": 1, "pending": 1, "other": 4,
                                                  "total": 11}
    assert qs.decision_kind("banner_ads", "pending_payment", "seed") == "other"  # seed banners go to "active"
    assert qs.decision_kind("songs", "approved", "seed") == "other"  # an entity the catalogue does not know


def test_my_decisions_can_be_undone_while_latest_and_within_the_hour() -> None:
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
    base = {"entity": "tracks", "source_key": f"tracks:{ARTIST}:t1", "entity_id": "t1", "action": "approve",
            "from_status": "pending", "to_status": "approved", "title": "Трек"}
    rows = [{**base, "id": "l3", "at": now - dt.timedelta(minutes=5), "latest_id": "l3"},
            {**base, "id": "l2", "at": now - dt.timedelta(minutes=10), "latest_id": "l9", "latest_actor": "Борис",
             "latest_at": now - dt.timedelta(minutes=7)},
            {**base, "id": "l1", "at": now - dt.timedelta(minutes=61), "latest_id": "l1"}]
    mine = qs.my_decisions(rows, "Ирина", now)
    assert [(d.log_id, d.undoable, d.since_by) for d in mine] == [("l3", True, None), ("l2", False, "Борис"),
                                                                  ("l1", False, None)]
    assert mine[0].ref == ref("t1")
