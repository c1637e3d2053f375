"""The moderation queue page's session: its state, typed, and what its callbacks do. No Streamlit here.

``QueueState`` is a typed view over the page's session-state mapping (``st.session_state`` on the page, a plain
``dict`` in tests): every ``mod_*`` key the page keeps is one property, read and written only through it. Widget
values (filters, reason, note, the "selected items" box) live under their widget keys, so Streamlit draws them;
the rest is the page's own state (the selection, what the last run showed, what happened since).

The callbacks (``on_table_select``, ``on_pick``, ``on_decide``, ``confirm_bulk``, ``on_undo``) take the state and
``Deps`` — the store's units of work, the language, who acts (decided afresh at call time) and how to drop cached
query results — so they run the same under Streamlit and in a unit test with a fake unit of work.

Decisions run on the selection as it was on screen, each item only if still in the status seen
(``dashboard.moderation.selection``), so a decision can never land on another item.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from dashboard.i18n.formatting import moscow_time
from dashboard.i18n.plural import count_of
from dashboard.i18n.translations import t
from dashboard.moderation import config as moderation
from dashboard.moderation import rules, service
from dashboard.moderation import selection as sel
from dashboard.moderation.ports import UnitsOfWork
from dashboard.store.connect import StoreError

PAGE_SIZES = (100, 150, 200)  # items per page of the queue; the queue is paged, filtered and counted in SQL
DEFAULT_PAGE_SIZE = PAGE_SIZES[1]
ITEMS = "mod.items"  # the counted word ("3 элемента")


class ItemInfo(TypedDict, total=False):
    """An item as the page showed it: its type, title (at most 80 characters) and artist, for messages; its cover's
    URL (empty when none), for the bulk dialog."""

    entity: str
    title: str
    artist: str
    image: str


class BulkPending(TypedDict):
    """A bulk decision waiting for its confirmation dialog."""

    action: str
    items: sel.Selection


@dataclass(frozen=True)
class Flash:
    """What the last action did, for the toast of the next run: the items applied, how many were refused
    (decided by others, missing, failed) and how many changed on the platform since the sync."""

    action: str
    applied: tuple[str, ...]
    refused: int = 0
    changed: int = 0


@dataclass(frozen=True)
class Filters:
    """The queue's filters as bound SQL text (``pending_page``): each is off when empty."""

    types: str = ""
    bands: str = ""
    artist_filter: str = ""
    search: str = ""

    def params(self) -> dict[str, str]:
        return {"types": self.types, "bands": self.bands, "artist_filter": self.artist_filter, "search": self.search}


def list_param(values: object) -> str:
    """A multiselect's choices as one bound text (',a,b,'); empty when nothing is chosen (the filter is off)."""
    return "," + ",".join(str(v) for v in values) + "," if isinstance(values, list | tuple) and values else ""


class QueueState:
    """The queue page's keys in a session-state mapping, typed. Widget keys are read (and, in callbacks, reset)
    here too, so no other code spells a ``mod_*`` key."""

    # widget keys (Streamlit draws these widgets with these keys)
    F_TYPE, F_AGE, F_ARTIST, F_TEXT = "mod_f_type", "mod_f_age", "mod_f_artist", "mod_f_text"
    PAGE_SIZE, PICK, NOTE = "mod_page_size", "mod_pick", "mod_note"
    REASON, REASON_TEXT = "mod_reason", "mod_reason_text"

    def __init__(self, session: MutableMapping[str, Any]) -> None:
        self.session = session

    def _get(self, key: str, default: Any = None) -> Any:
        value = self.session.get(key, default)
        return default if value is None else value

    # ---------------------------------------------------------------- filters and paging

    @property
    def filters(self) -> Filters:
        """The filter widgets' values (drawn further down the page than where the page is fetched)."""
        return Filters(list_param(self.session.get(self.F_TYPE)), list_param(self.session.get(self.F_AGE)),
                       str(self.session.get(self.F_ARTIST) or "").strip(),
                       str(self.session.get(self.F_TEXT) or "").strip())

    @property
    def page_size(self) -> int:
        size = self.session.get(self.PAGE_SIZE, DEFAULT_PAGE_SIZE)
        return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE

    @property
    def page(self) -> int:
        return max(0, int(self._get("mod_page", 0)))

    @page.setter
    def page(self, value: int) -> None:
        self.session["mod_page"] = max(0, int(value))

    def page_for(self, filters: Filters, size: int) -> int:
        """The page number to show: back to the first page whenever the filters or the page size changed."""
        if self.session.get("mod_filters_seen") != (filters, size):
            self.session["mod_filters_seen"] = (filters, size)
            self.page = 0
        return self.page

    # ---------------------------------------------------------------- the selection

    @property
    def selection(self) -> sel.Selection:
        return dict(self._get("mod_selection", {}))

    def set_selection(self, new: Mapping[str, str], redraw: bool) -> None:
        """Store the selection; ``redraw`` draws the table anew with it ticked (a change not made by the table)."""
        if dict(new) != self.selection:  # a new choice: the notes about the previous one are read
            self.session.pop("mod_left_notes", None)
        self.session["mod_selection"] = dict(new)
        if redraw:
            self.session["mod_sel_version"] = self.sel_version + 1

    def selection_refs(self) -> list[str]:
        return list(self.selection)

    @property
    def sel_version(self) -> int:
        return int(self._get("mod_sel_version", 0))

    @property
    def picked(self) -> list[str]:
        """The "selected items" box's value."""
        return list(self._get(self.PICK, []))

    @picked.setter
    def picked(self, refs: list[str]) -> None:
        self.session[self.PICK] = list(refs)

    def table_rows(self, table_key: str) -> list[int]:
        """The rows ticked in the queue table drawn under ``table_key``."""
        state: Any = self.session.get(table_key) or {}
        picked = state.get("selection", {}) if isinstance(state, dict) else getattr(state, "selection", {})
        rows = picked.get("rows", []) if isinstance(picked, dict) else getattr(picked, "rows", [])
        return [int(r) for r in rows]

    @property
    def table_refs(self) -> dict[str, list[str]]:
        """The items each queue table showed, in its row order, by the table's key."""
        return dict(self._get("mod_table_refs", {}))

    @table_refs.setter
    def table_refs(self, value: dict[str, list[str]]) -> None:
        self.session["mod_table_refs"] = value

    @property
    def left_notes(self) -> list[tuple[str, dict[str, Any] | None]]:
        """Items that left the selection because someone else decided them: (item, that decision or None)."""
        return list(self._get("mod_left_notes", []))

    @left_notes.setter
    def left_notes(self, notes: list[tuple[str, dict[str, Any] | None]]) -> None:
        self.session["mod_left_notes"] = notes

    # ---------------------------------------------------------------- what the last run showed

    @property
    def info(self) -> dict[str, ItemInfo]:
        return dict(self._get("mod_info", {}))

    @property
    def statuses(self) -> dict[str, str]:
        """Every item the last run showed (or had selected) with its status then."""
        return dict(self._get("mod_statuses", {}))

    def remember_shown(self, info: Mapping[str, ItemInfo], statuses: Mapping[str, str],
                       rows: Mapping[str, dict[str, Any]] | None = None) -> None:
        """What this run shows, for the callbacks of the next run (they run before the page's script) and for the
        next run's workbench (``rows``: each item's preview row), drawn before the queue is fetched again."""
        self.session["mod_info"] = {**self.info, **info}
        self.session["mod_statuses"] = dict(statuses)
        if rows is not None:
            self.session["mod_rows"] = dict(rows)

    @property
    def rows(self) -> dict[str, dict[str, Any]]:
        """The items the last run fetched (the page, the selected and the open item), as preview rows."""
        return dict(self._get("mod_rows", {}))

    def forget(self, refs: Sequence[str]) -> None:
        """Items this session just decided: no longer waiting, whatever the last run saw."""
        gone = set(refs)
        if gone:
            self.session["mod_statuses"] = {r: s for r, s in self.statuses.items() if r not in gone}

    # ---------------------------------------------------------------- the decision form

    @property
    def reason_code(self) -> str:
        return str(self._get(self.REASON, ""))

    @property
    def reason_text(self) -> str:
        return str(self._get(self.REASON_TEXT, "")).strip()

    @property
    def note(self) -> str | None:
        return str(self._get(self.NOTE, "")).strip() or None

    @property
    def bulk_pending(self) -> BulkPending | None:
        pending = self.session.get("mod_bulk_pending")
        return pending if isinstance(pending, dict) else None

    @bulk_pending.setter
    def bulk_pending(self, value: BulkPending | None) -> None:
        if value is None:
            self.session.pop("mod_bulk_pending", None)
        else:
            self.session["mod_bulk_pending"] = value

    # ---------------------------------------------------------------- the open item (the workbench)

    @property
    def current(self) -> tuple[str, str] | None:
        """The item open in the workbench (previewed, claimed, what the keys decide) with the status seen."""
        found = self.session.get("mod_current")
        return (str(found[0]), str(found[1])) if isinstance(found, tuple | list) and len(found) == 2 else None

    @current.setter
    def current(self, value: tuple[str, str] | None) -> None:
        if value is None:
            self.session.pop("mod_current", None)
        else:
            self.session["mod_current"] = (value[0], value[1])

    @property
    def order(self) -> list[str]:
        """The queue's items in its order as the last run showed them (the page, then selected items elsewhere)."""
        return list(self._get("mod_order", []))

    @order.setter
    def order(self, refs: Sequence[str]) -> None:
        self.session["mod_order"] = list(refs)

    @property
    def advance(self) -> tuple[str, list[str]] | None:
        """After a decision on the open item: that item and the queue order then, so the next run opens the item
        after it (``next_item``)."""
        found = self.session.get("mod_advance")
        return (str(found[0]), list(found[1])) if isinstance(found, tuple | list) and len(found) == 2 else None

    @advance.setter
    def advance(self, value: tuple[str, list[str]] | None) -> None:
        if value is None:
            self.session.pop("mod_advance", None)
        else:
            self.session["mod_advance"] = (value[0], list(value[1]))

    @property
    def holder(self) -> str:
        """This browser session's claim token (claims are per session, so one person's two tabs are two)."""
        token = self.session.get("mod_holder")
        if not isinstance(token, str) or not token:
            token = uuid.uuid4().hex
            self.session["mod_holder"] = token
        return token

    @property
    def claimed_ref(self) -> str | None:
        """The item this session last claimed and the name it claimed it under, as "ref\nname" (a claim is written
        only when the open item or the name changes)."""
        found = self.session.get("mod_claimed_ref")
        return str(found) if found else None

    @claimed_ref.setter
    def claimed_ref(self, ref: str | None) -> None:
        if ref is None:
            self.session.pop("mod_claimed_ref", None)
        else:
            self.session["mod_claimed_ref"] = ref

    @property
    def taken(self) -> dict[str, str]:
        """Items other sessions had open at the last run: reference → the name shown ("смотрит Ирина")."""
        return dict(self._get("mod_taken", {}))

    @taken.setter
    def taken(self, value: Mapping[str, str]) -> None:
        self.session["mod_taken"] = dict(value)

    @property
    def undoable(self) -> list[tuple[str, str]]:
        """My decisions of the last hour that can still be undone, newest first: (item reference, log id)."""
        return [(str(a), str(b)) for a, b in self._get("mod_undoable", [])]

    @undoable.setter
    def undoable(self, value: Sequence[tuple[str, str]]) -> None:
        self.session["mod_undoable"] = [(a, b) for a, b in value]

    def clear_reason(self) -> None:
        """Empty the reason fields after a rejection (in a callback, before the widgets are drawn)."""
        self.session[self.REASON_TEXT] = ""
        self.session[self.REASON] = ""

    # ---------------------------------------------------------------- what happened, for the next run

    def take_flash(self) -> Flash | None:
        flash = self.session.pop("mod_flash", None)
        return flash if isinstance(flash, Flash) else None

    def take_error(self) -> str | None:
        error = self.session.pop("mod_error", None)
        return str(error) if error else None

    @property
    def error(self) -> str | None:
        error = self.session.get("mod_error")
        return str(error) if error else None

    @error.setter
    def error(self, message: str | None) -> None:
        if message is None:
            self.session.pop("mod_error", None)
        else:
            self.session["mod_error"] = message

    @property
    def conflicts(self) -> list[str]:
        """Items refused because someone else decided them (or they are missing): one sentence each."""
        return list(self._get("mod_conflicts", []))

    @property
    def platform_conflicts(self) -> list[str]:
        """Items refused because they changed on the platform since the sync: one sentence each."""
        return list(self._get("mod_platform_conflicts", []))

    def report(self, action: str, applied: Sequence[str], refused: Sequence[str], changed: Sequence[str] = ()) -> None:
        """What an action did: the toast's data, and the refused items listed on the page."""
        self.session["mod_flash"] = Flash(action, tuple(applied), len(refused), len(changed))
        self.session["mod_conflicts"] = list(refused)
        self.session["mod_platform_conflicts"] = list(changed)

    @property
    def last(self) -> list[tuple[str, str]]:
        """The last decision's items with their log ids, which "undo" takes back: (item reference, log id)."""
        return [(str(a), str(b)) for a, b in self._get("mod_last", [])]

    @last.setter
    def last(self, pairs: Sequence[tuple[str, str]]) -> None:
        self.session["mod_last"] = [(a, b) for a, b in pairs]


@dataclass(frozen=True)
class Deps:
    """What the callbacks need from outside: the store's units of work, the page's language, who acts (decided
    afresh when called: a callback runs before the page's access check) and how to drop cached query results."""

    units: UnitsOfWork
    lang: str
    acting_actor: Callable[[], str | None]
    invalidate: Callable[[], None] = field(default=lambda: None)
    # the items other sessions have open now (reference → the name shown), read afresh when J/K move
    taken_now: Callable[[], Mapping[str, str]] | None = None

    def tr(self, key: str, **fmt: object) -> str:
        return t(key, self.lang, **fmt)


# ---------------------------------------------------------------- items in words (plain text)


def status_text(status: object, lang: str) -> str:
    """A status in words ("на модерации"); "no status" for a missing one."""
    if status is None or (isinstance(status, float) and status != status) or status == "":
        return t("mod.status.none", lang)
    key = f"mod.status.{status}"
    text = t(key, lang)
    return str(status) if text == key else text


def item_text(ref: str, info: Mapping[str, ItemInfo], lang: str) -> str:
    """An item in words: «title» (type, artist)."""
    entity, _key, entity_id = sel.split_ref(ref)
    kind = t(f"mod.entity.{entity}", lang)
    known = info.get(ref)
    if not known:
        return t("mod.item", lang, title=entity_id, entity=kind, artist="—")
    return t("mod.item", lang, title=known.get("title", entity_id), entity=kind, artist=known.get("artist", "—"))


def what_text(refs: Sequence[str], info: Mapping[str, ItemInfo], lang: str) -> str:
    """One item by name, several by count ("3 элемента")."""
    return item_text(refs[0], info, lang) if len(refs) == 1 else count_of(len(refs), lang, t(ITEMS, lang))


def outcome_ref(o: service.Outcome) -> str:
    return moderation.item_ref({"entity": o.item.entity, "source_key": o.item.source_key,
                                "entity_id": o.item.entity_id})


def conflict_line(o: service.Outcome, info: Mapping[str, ItemInfo], lang: str) -> str:
    """A refused item in one sentence: decided by someone (who, when), changed on the platform, or missing."""
    item = item_text(outcome_ref(o), info, lang)
    zone = t("freshness.zone", lang)
    if o.kind == "not_found":
        return t("mod.conflict.missing", lang, item=item)
    if o.platform_since is not None:
        since = moscow_time(o.platform_since, zone) if o.platform_since else "—"
        return t("sync.conflict", lang, item=item, since=since)
    if o.decided_by:
        return t("mod.conflict.decided", lang, item=item, status=status_text(o.current_status, lang), by=o.decided_by,
                 at=moscow_time(o.decided_at, zone))
    expected = " / ".join(status_text(s, lang) for s in o.expected) or "—"
    return t("mod.conflict.other", lang, item=item, status=status_text(o.current_status, lang), expected=expected)


def changed_on_platform(o: service.Outcome) -> bool:
    """Refused because the platform changed the item since the sync (not because a colleague decided it)."""
    return o.kind != "not_found" and o.platform_since is not None


def chosen_reason(state: QueueState, lang: str) -> str | None:
    """The reason from the form: free text wins over the canned one."""
    if state.reason_text:
        return state.reason_text
    canned = {r.code: r.text(lang) for r in moderation.reasons()}
    return canned.get(state.reason_code)


# ---------------------------------------------------------------- the open item and the next one

CLAIM_NOTE = "claimed by "  # the log's note when another moderator had the item open (the log page translates it)


def claim_note(name: str) -> str:
    return f"{CLAIM_NOTE}{name}"


def _newly_added(before: Mapping[str, str], after: Mapping[str, str]) -> str | None:
    added = [ref for ref in after if ref not in before]
    return added[-1] if added else None


def _open(state: QueueState, ref: str | None) -> None:
    statuses = state.statuses
    state.current = (ref, statuses[ref]) if ref is not None and ref in statuses else None


def first_free(order: Sequence[str], taken: Mapping[str, str] | set[str], skip: Sequence[str] = ()) -> str | None:
    """The first item of ``order`` that no other session has open (and not in ``skip``)."""
    left_out = set(skip)
    return next((ref for ref in order if ref not in taken and ref not in left_out), None)


@dataclass(frozen=True)
class Settled:
    """What the workbench opens this run: the item (or None: nothing left to review), and the item that was open
    but is no longer waiting in the status seen (someone else decided it), to say so."""

    current: tuple[str, str] | None
    gone: str | None = None


def settle(state: QueueState, order: Sequence[str], statuses: Mapping[str, str], taken: Mapping[str, str]) -> Settled:
    """The open item for this run, from the queue as fetched now (``order``, ``statuses``) and the items others have
    open (``taken``): after a decision, the next item in the queue's order that nobody else has open; an open item
    someone else decided gives way to the next one the same way; with nothing open (a first visit), the first free
    item. The order and the claims are remembered for the keys' callbacks of the next run."""
    state.order, state.taken = order, taken
    gone: str | None = None
    start: tuple[str, list[str]] | None = state.advance
    state.advance = None
    current = state.current
    if start is None and current is not None and statuses.get(current[0]) != current[1]:
        gone, start = current[0], (current[0], list(order))
        state.current = current = None
    if start is not None:
        ref, before = start
        after = before[before.index(ref) + 1:] if ref in before else []
        target = first_free([r for r in after if r in statuses] + list(order), taken, skip=[ref])
        state.current = current = (target, statuses[target]) if target else None
    elif current is None:
        target = first_free(order, taken)
        state.current = current = (target, statuses[target]) if target else None
    return Settled(current, gone)


def on_move(state: QueueState, step: int, deps: Deps | None = None) -> None:
    """j / k: the next / previous item in the queue's order that no other session has open (as of now, when
    ``deps`` can tell: a claim may have ended since the page was drawn)."""
    if deps is not None and deps.taken_now is not None:
        state.taken = deps.taken_now()
    order, taken, current = state.order, state.taken, state.current
    if current is None or current[0] not in order:
        _open(state, first_free(order, taken))
        return
    at = order.index(current[0])
    ahead = order[at + 1:] if step > 0 else list(reversed(order[:at]))
    target = first_free(ahead, taken)
    if target is not None:
        _open(state, target)


def on_toggle_mark(state: QueueState) -> None:
    """x: the open item joins the selection (for a bulk decision), or leaves it when it is in it."""
    current = state.current
    if current is None:
        return
    chosen = state.selection
    if current[0] in chosen:
        chosen.pop(current[0])
    else:
        chosen[current[0]] = current[1]
    state.set_selection(chosen, redraw=True)


# ---------------------------------------------------------------- callbacks


def on_table_select(state: QueueState, table_key: str) -> None:
    """A tick in the queue table: read against the rows *that table* showed. A newly ticked item is opened."""
    before = state.selection
    table_refs = state.table_refs.get(table_key, [])
    after = sel.with_rows(before, table_refs, state.table_rows(table_key), state.statuses)
    state.set_selection(after, redraw=False)
    added = _newly_added(before, after)
    if added is not None:
        _open(state, added)


def on_pick(state: QueueState) -> None:
    """The "selected items" box changed: the selection is exactly what it holds. A newly picked item is opened."""
    before = state.selection
    after = sel.with_picked(before, state.picked, state.statuses)
    state.set_selection(after, redraw=True)
    added = _newly_added(before, after)
    if added is not None:
        _open(state, added)


def go_to_page(state: QueueState, page: int) -> None:
    """The pager's buttons."""
    state.page = page


def _actor(state: QueueState, deps: Deps) -> str | None:
    actor = deps.acting_actor()
    if actor is None:
        state.error = deps.tr("error.forbidden")
    return actor


def apply_decision(state: QueueState, deps: Deps, action: str, chosen: Mapping[str, str],
                   reason: str | None = None) -> None:
    """Decide the chosen items, each only if still in the status seen. Decided items leave the selection; when the
    open item was decided, the next run opens the next one. An item another session had open is decided all the
    same (claims never block) and the log says whose it was."""
    actor = _actor(state, deps)
    if actor is None:
        return
    refs = list(chosen)
    items = [service.Item(entity, entity_id, source_key, chosen[ref])
             for ref in refs for entity, source_key, entity_id in [sel.split_ref(ref)]]
    if action == "reject" and reason is None:
        reason = chosen_reason(state, deps.lang)
    taken = state.taken  # as the page showed them: a claim never blocks, so a second read would change nothing
    notes = {item: claim_note(taken[ref]) for item, ref in zip(items, refs, strict=True) if ref in taken}
    try:
        outcomes = service.decide(deps.units, items, action, actor, reason=reason, note=state.note, item_notes=notes)
    except service.ReasonRequired:
        state.error = deps.tr("mod.reason_required")
        return
    except (service.ModerationError, StoreError) as exc:
        state.error = deps.tr("mod.error", message=str(exc))
        return
    info = state.info
    done = [(outcome_ref(o), o.log_id or "") for o in outcomes if o.applied]
    refused = [o for o in outcomes if not o.applied]
    state.report(action, [ref for ref, _ in done],
                 [conflict_line(o, info, deps.lang) for o in refused if not changed_on_platform(o)],
                 [conflict_line(o, info, deps.lang) for o in refused if changed_on_platform(o)])
    state.last = done
    state.set_selection({ref: seen for ref, seen in state.selection.items() if ref not in chosen}, redraw=True)
    state.forget([ref for ref, _ in done])
    current = state.current
    if current is not None and current[0] in chosen:
        state.advance = (current[0], state.order)
        state.current = None
    if action == "reject" and done:
        state.clear_reason()
    deps.invalidate()


def decide_current(state: QueueState, deps: Deps, action: str, reason: str | None = None) -> None:
    """a / r, and the single-item buttons: the decision on the open item (the one shown)."""
    current = state.current
    if current is None:
        return
    if action == "reject" and not (reason or chosen_reason(state, deps.lang)):
        state.error = deps.tr("mod.reason_required")
        return
    apply_decision(state, deps, action, {current[0]: current[1]}, reason)


def on_bulk(state: QueueState, deps: Deps, action: str) -> None:
    """The bulk buttons: the selection, after a dialog listing every item."""
    chosen = state.selection
    if not chosen:
        return
    if action == "reject" and not chosen_reason(state, deps.lang):
        state.error = deps.tr("mod.reason_required")
        return
    state.bulk_pending = {"action": action, "items": chosen}


def on_decide(state: QueueState, deps: Deps, action: str) -> None:
    """A decision button: on the open item, or with several selected items on them after the dialog."""
    if len(state.selection) > 1:
        on_bulk(state, deps, action)
    else:
        decide_current(state, deps, action)


def confirm_bulk(state: QueueState, deps: Deps, action: str, chosen: Mapping[str, str]) -> None:
    """The bulk dialog's "yes": the decision on the items the dialog listed."""
    state.bulk_pending = None
    apply_decision(state, deps, action, chosen)


def cancel_bulk(state: QueueState) -> None:
    state.bulk_pending = None


def canned_reason(n: int, lang: str) -> str | None:
    """The ``n``-th canned reason (1-based, as the number keys give it), in the page's language."""
    reasons = moderation.reasons()
    return reasons[n - 1].text(lang) if 1 <= n <= len(reasons) else None


def on_key(state: QueueState, deps: Deps, event: object) -> None:
    """The keys the page's key listener sends: a number key in the empty reason field (a canned reason) or Enter in
    it (the typed reason): the open item is rejected with that reason."""
    if not isinstance(event, Mapping):
        return
    if event.get("act") == "reason":
        try:
            reason = canned_reason(int(event.get("n") or 0), deps.lang)
        except (TypeError, ValueError):
            reason = None
        if reason is not None:
            decide_current(state, deps, "reject", reason)
    elif event.get("act") == "reject_text":
        text = str(event.get("text") or "").strip()
        if text:
            decide_current(state, deps, "reject", text)
        else:
            state.error = deps.tr("mod.reason_required")


def _undo(state: QueueState, deps: Deps, pairs: Sequence[tuple[str, str]]) -> None:
    """Undo these decisions of mine (item, log id), each only if nobody decided the item since; an undone single
    item opens again, to decide anew."""
    actor = _actor(state, deps)
    if actor is None:
        return
    info = state.info
    done: list[str] = []
    failed: list[str] = []
    changed: list[str] = []
    restored: dict[str, str] = {}
    for ref, log_id in pairs:
        entity, source_key, entity_id = sel.split_ref(ref)
        try:
            out = service.undo(deps.units, service.Item(entity, entity_id, source_key), actor,
                               decision=log_id or None, own_within=rules.UNDO_WINDOW)
        except (service.ModerationError, StoreError) as exc:
            failed.append(f"{item_text(ref, info, deps.lang)}: {exc}")
            continue
        if out.applied:
            done.append(ref)
            restored[ref] = str(out.to_status)
        else:
            (changed if changed_on_platform(out) else failed).append(conflict_line(out, info, deps.lang))
    state.report("undo", done, failed, changed)
    state.last = []
    state.undoable = [pair for pair in state.undoable if pair not in set(pairs)]  # tried: undone, or not undoable
    if len(restored) == 1:
        state.current = next(iter(restored.items()))
    deps.invalidate()


def on_undo(state: QueueState, deps: Deps) -> None:
    """u, and "undo the last decision": this session's last decision, else my newest one that can be undone."""
    _undo(state, deps, state.last or state.undoable[:1])


def on_undo_decision(state: QueueState, deps: Deps, ref: str, log_id: str) -> None:
    """One of my decisions of the last hour, from the list of them."""
    _undo(state, deps, [(ref, log_id)])


def reconcile(state: QueueState, statuses: Mapping[str, str],
              last_decision: Callable[[str], dict[str, Any] | None]) -> None:
    """Items someone else decided meanwhile leave the selection, each with a note saying who decided and when
    (``last_decision(ref)``: the item's latest audit-log entry, or None)."""
    kept, left = sel.reconcile(state.selection, statuses)
    if left:
        state.set_selection(kept, redraw=True)
        state.left_notes = [*state.left_notes, *((ref, last_decision(ref)) for ref in left)]


# ---------------------------------------------------------------- my decisions of the last hour


@dataclass(frozen=True)
class MyDecision:
    """One of my recent decisions, and whether it can still be undone (nobody decided the item since)."""

    log_id: str
    ref: str
    action: str
    at: Any
    title: str
    undoable: bool
    since_by: str | None = None  # who decided the item since, when it cannot be undone
    since_at: Any = None


def my_decisions(rows: Sequence[Mapping[str, Any]], actor: str, now: dt.datetime,
                 window: dt.timedelta = rules.UNDO_WINDOW) -> list[MyDecision]:
    """``moderation_my_decisions`` rows as decisions, newest first: undoable while each is its item's latest log
    entry and within ``window``."""
    out: list[MyDecision] = []
    for row in rows:
        entry = rules.LogEntry(str(row["id"]), row["at"], actor, str(row["action"]), row.get("from_status"),
                               row.get("to_status"))
        latest = str(row.get("latest_id") or "")
        still = latest == entry.id and rules.own_undo_refusal(entry, actor, now, window) is None
        ref = moderation.item_ref(row)
        title = row.get("title")
        out.append(MyDecision(entry.id, ref, entry.action, row["at"], str(title) if isinstance(title, str) else "",
                              still, None if still else row.get("latest_actor"),
                              None if still else row.get("latest_at")))
    return out


# ---------------------------------------------------------------- context: the artist's other submissions

DECISION_KINDS = ("approved", "rejected", "pending", "other")


def decision_kind(entity: str, status: object, layout: str) -> str:
    """Whether a submission's status means approved, rejected or waiting, by its entity's rules for the store's
    layout; any other status (a draft, a later stage) is "other"."""
    try:
        r = moderation.rules(entity, layout)
    except moderation.ConfigError:
        return "other"
    if status in r.pending:
        return "pending"
    if status == r.approve or status in {c.status for c in r.approve_if}:
        return "approved"
    if status == r.reject:
        return "rejected"
    return "other"


def artist_counts(rows: Sequence[Mapping[str, Any]], layout: str) -> dict[str, int]:
    """``moderation_artist_counts`` rows (entity, status, items) as counts per kind, and ``total``."""
    counts = dict.fromkeys(DECISION_KINDS, 0)
    for row in rows:
        counts[decision_kind(str(row["entity"]), row["status"], layout)] += int(row["items"])
    return {**counts, "total": sum(counts.values())}
