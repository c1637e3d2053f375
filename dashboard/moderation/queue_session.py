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

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict

from dashboard.i18n.formatting import moscow_time
from dashboard.i18n.plural import count_of
from dashboard.i18n.translations import t
from dashboard.moderation import config as moderation
from dashboard.moderation import selection as sel
from dashboard.moderation import service
from dashboard.moderation.ports import UnitsOfWork
from dashboard.store.connect import StoreError

PAGE_SIZES = (100, 150, 200)  # items per page of the queue; the queue is paged, filtered and counted in SQL
DEFAULT_PAGE_SIZE = PAGE_SIZES[1]
ITEMS = "mod.items"  # the counted word ("3 элемента")


class ItemInfo(TypedDict):
    """An item as the page showed it: its type, title (at most 80 characters) and artist, for messages."""

    entity: str
    title: str
    artist: str


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

    def remember_shown(self, info: Mapping[str, ItemInfo], statuses: Mapping[str, str]) -> None:
        """What this run shows, for the callbacks of the next run (they run before the page's script)."""
        self.session["mod_info"] = {**self.info, **info}
        self.session["mod_statuses"] = dict(statuses)

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
    def last(self) -> list[str]:
        """The items of the last decision, which "undo" takes back."""
        return list(self._get("mod_last", []))

    @last.setter
    def last(self, refs: Sequence[str]) -> None:
        self.session["mod_last"] = list(refs)


@dataclass(frozen=True)
class Deps:
    """What the callbacks need from outside: the store's units of work, the page's language, who acts (decided
    afresh when called: a callback runs before the page's access check) and how to drop cached query results."""

    units: UnitsOfWork
    lang: str
    acting_actor: Callable[[], str | None]
    invalidate: Callable[[], None] = field(default=lambda: None)

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
    return t("mod.item", lang, title=known["title"], entity=kind, artist=known["artist"])


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


# ---------------------------------------------------------------- callbacks


def on_table_select(state: QueueState, table_key: str) -> None:
    """A tick in the queue table: read against the rows *that table* showed."""
    table_refs = state.table_refs.get(table_key, [])
    state.set_selection(sel.with_rows(state.selection, table_refs, state.table_rows(table_key), state.statuses),
                        redraw=False)


def on_pick(state: QueueState) -> None:
    """The "selected items" box changed: the selection is exactly what it holds."""
    state.set_selection(sel.with_picked(state.selection, state.picked, state.statuses), redraw=True)


def go_to_page(state: QueueState, page: int) -> None:
    """The pager's buttons."""
    state.page = page


def _actor(state: QueueState, deps: Deps) -> str | None:
    actor = deps.acting_actor()
    if actor is None:
        state.error = deps.tr("error.forbidden")
    return actor


def apply_decision(state: QueueState, deps: Deps, action: str, chosen: Mapping[str, str]) -> None:
    """Decide the chosen items, each only if still in the status seen; then nothing is selected."""
    actor = _actor(state, deps)
    if actor is None:
        return
    items = [service.Item(entity, entity_id, source_key, seen)
             for ref, seen in chosen.items() for entity, source_key, entity_id in [sel.split_ref(ref)]]
    reason = chosen_reason(state, deps.lang) if action == "reject" else None
    try:
        outcomes = service.decide(deps.units, items, action, actor, reason=reason, note=state.note)
    except service.ReasonRequired:
        state.error = deps.tr("mod.reason_required")
        return
    except (service.ModerationError, StoreError) as exc:
        state.error = deps.tr("mod.error", message=str(exc))
        return
    info = state.info
    done = [outcome_ref(o) for o in outcomes if o.applied]
    refused = [o for o in outcomes if not o.applied]
    state.report(action, done, [conflict_line(o, info, deps.lang) for o in refused if not changed_on_platform(o)],
                 [conflict_line(o, info, deps.lang) for o in refused if changed_on_platform(o)])
    state.last = done
    state.set_selection({}, redraw=True)
    deps.invalidate()


def on_decide(state: QueueState, deps: Deps, action: str) -> None:
    """The single-item buttons, and the bulk buttons (which ask first, in a dialog listing the items)."""
    chosen = state.selection
    if not chosen:
        return
    if action == "reject" and not chosen_reason(state, deps.lang):
        state.error = deps.tr("mod.reason_required")
        return
    if len(chosen) > 1:
        state.bulk_pending = {"action": action, "items": chosen}
        return
    apply_decision(state, deps, action, chosen)


def confirm_bulk(state: QueueState, deps: Deps, action: str, chosen: Mapping[str, str]) -> None:
    """The bulk dialog's "yes": the decision on the items the dialog listed."""
    state.bulk_pending = None
    apply_decision(state, deps, action, chosen)


def cancel_bulk(state: QueueState) -> None:
    state.bulk_pending = None


def on_undo(state: QueueState, deps: Deps) -> None:
    """Undo the last decision's items, each only while it is still in the status that decision set."""
    actor = _actor(state, deps)
    if actor is None:
        return
    info = state.info
    done: list[str] = []
    failed: list[str] = []
    changed: list[str] = []
    for ref in state.last:
        entity, source_key, entity_id = sel.split_ref(ref)
        try:
            out = service.undo(deps.units, service.Item(entity, entity_id, source_key), actor)
        except (service.ModerationError, StoreError) as exc:
            failed.append(f"{item_text(ref, info, deps.lang)}: {exc}")
            continue
        if out.applied:
            done.append(ref)
        else:
            (changed if changed_on_platform(out) else failed).append(conflict_line(out, info, deps.lang))
    state.report("undo", done, failed, changed)
    state.last = []
    state.set_selection({}, redraw=True)
    deps.invalidate()


def reconcile(state: QueueState, statuses: Mapping[str, str],
              last_decision: Callable[[str], dict[str, Any] | None]) -> None:
    """Items someone else decided meanwhile leave the selection, each with a note saying who decided and when
    (``last_decision(ref)``: the item's latest audit-log entry, or None)."""
    kept, left = sel.reconcile(state.selection, statuses)
    if left:
        state.set_selection(kept, redraw=True)
        state.left_notes = [*state.left_notes, *((ref, last_decision(ref)) for ref in left)]
