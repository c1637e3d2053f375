"""The queue page's session and callbacks without Streamlit (``dashboard.moderation.queue_session``): a plain dict
is the session state and ``tests.fakes.FakeUnits`` the store, so each test runs in milliseconds."""

from __future__ import annotations

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


def test_ticks_and_the_box_edit_the_selection_by_item() -> None:
    state, _deps, _units, _ = setup("t1", "t2", "t3")
    state.table_refs = {"mod_queue_table_x": [ref("t1"), ref("t2"), ref("t3")]}
    state.session["mod_queue_table_x"] = {"selection": {"rows": [0, 2]}}
    qs.on_table_select(state, "mod_queue_table_x")
    assert state.selection == {ref("t1"): "pending", ref("t3"): "pending"}
    version = state.sel_version
    state.picked = [ref("t2")]
    qs.on_pick(state)
    assert state.selection == {ref("t2"): "pending"} and state.sel_version == version + 1  # the table is redrawn


def test_one_item_is_approved_directly_and_named_in_the_flash() -> None:
    state, deps, units, invalidated = setup("t1", "t2")
    state.set_selection({ref("t1"): "pending"}, redraw=True)
    qs.on_decide(state, deps, "approve")
    assert statuses(units) == {"t1": "approved", "t2": "pending"}
    assert units.state.log[0]["actor"] == "Ирина"
    assert state.take_flash() == qs.Flash("approve", (ref("t1"),))
    assert state.selection == {} and state.last == [ref("t1")] and invalidated == [1]
    assert state.take_flash() is None  # shown once


def test_a_rejection_needs_a_reason_free_text_winning_over_the_canned_one() -> None:
    state, deps, units, _ = setup("t1")
    state.set_selection({ref("t1"): "pending"}, redraw=True)
    qs.on_decide(state, deps, "reject")
    assert state.take_error() == deps.tr("mod.reason_required") and units.state.log == []
    state.session[state.REASON] = "rights"
    assert qs.chosen_reason(state, "ru") == "Нарушение авторских прав"
    state.session[state.REASON_TEXT] = "  Нет прав на музыку "
    qs.on_decide(state, deps, "reject")
    assert units.state.log[0]["reason"] == "Нет прав на музыку"


def test_several_items_wait_for_the_dialog_then_go_in_one_batch() -> None:
    state, deps, units, _ = setup("t1", "t2", "t3")
    chosen = {ref("t1"): "pending", ref("t3"): "pending"}
    state.set_selection(chosen, redraw=True)
    qs.on_decide(state, deps, "approve")
    assert state.bulk_pending == {"action": "approve", "items": chosen} and units.state.log == []
    qs.confirm_bulk(state, deps, "approve", chosen)
    assert state.bulk_pending is None
    assert statuses(units) == {"t1": "approved", "t2": "pending", "t3": "approved"}
    assert len({e["batch_id"] for e in units.state.log}) == 1
    state.set_selection({ref("t2"): "pending", ref("t3"): "pending"}, redraw=True)
    qs.on_decide(state, deps, "approve")
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
    state.set_selection({ref("t1"): "pending"}, redraw=True)
    qs.on_decide(state, deps, "approve")
    state.take_flash()
    qs.on_undo(state, deps)
    assert statuses(units) == {"t1": "pending"} and state.last == []
    assert state.take_flash() == qs.Flash("undo", (ref("t1"),))
    assert [e["action"] for e in units.state.log] == ["approve", "undo"]


def test_nobody_acts_without_access_decided_at_call_time() -> None:
    state, deps, units, _ = setup("t1", actor=None, lang="en")
    state.set_selection({ref("t1"): "pending"}, redraw=True)
    qs.on_decide(state, deps, "approve")
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
