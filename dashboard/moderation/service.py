"""The only write path: moderation decisions, each one user action in one database transaction.

``decide`` (one item or a bulk selection), ``undo`` and ``find_items`` compose the pure ``rules`` with the
``unit_of_work``. A decision (approve, reject, or undo of the last decision) on an item:

1. updates the entity row with a single conditional UPDATE (``… AND status = :seen``): if the item is no longer in
   the status the moderator saw, nothing changes and the outcome says who decided it and when ("already approved
   by X at T"), or what it is and what was expected ("is draft, not pending");
2. rewrites the raw KV value under the row's ``source_key`` (the status fields set by ``rules.with_status``);
3. appends a ``moderation_log`` row and records every KV key it changed in ``kv_changes`` (for export-changes);
4. applies the side effects the rules return, in the same transaction, after every entity row and in key order:
   the id lists an item enters or leaves (``concerts:public:promoted``, ``news:public:promoted``,
   ``banners:active:list``: KV value and ``kv_index``), and the artist's notification (seed layout: a
   ``notifications`` row plus ``notifications:{u}:list``/``:unread``; deployed: a ``notification:{u}:{id}`` key).

Services take their units of work (``ports.UnitsOfWork``): the caller builds the store's default ones with
``unit_of_work.store_units(store)``; tests pass an in-memory fake. The platform write-back is a port too
(``ports.PlatformPort``): on a store built by ``sync`` every KV write also goes to the platform's table in the
same action (``dashboard.sync.platform``): the item's value by compare-and-set on the value the sync read (an
item changed on the platform since is refused as a conflict, "changed on the platform since …", and refreshed
from it), side effects merged into the platform's current values. An unreachable or read-only platform refuses
the action.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.i18n.formatting import moscow_time
from dashboard.moderation import config as moderation
from dashboard.moderation import rules
from dashboard.moderation.ports import UnitOfWork, UnitsOfWork
from dashboard.moderation.unit_of_work import checked_names, store_units
from dashboard.store.connect import Store
from dashboard.sync.platform import PlatformConflict

MAX_REASON = 2000


class ModerationError(Exception):
    """A decision that cannot be made as asked; the message is one line for the user."""


class ReasonRequired(ModerationError, ValueError):
    """A rejection without a reason."""


class BadRequest(ModerationError, ValueError):
    """Unknown entity or action, empty actor, ambiguous id."""


class NotFound(ModerationError):
    """No such item (or no decision to undo)."""


class NotUndoable(ModerationError):
    """An undo of one's own decision that is not allowed: someone else's decision, or older than the window."""


@dataclass(frozen=True)
class Item:
    """One moderated row: the entity (table), its id and the KV key it came from; ``seen`` is the status the
    moderator saw (None: the current status, for the command line)."""

    entity: str
    entity_id: str
    source_key: str
    seen: str | None = None


@dataclass
class Outcome:
    """What happened to one item. Not applied: ``kind`` is ``conflict`` (``current_status`` is what the item is,
    ``expected`` what the action needed, ``decided_by``/``decided_at`` who made it so, when known) or ``not_found``."""

    item: Item
    applied: bool
    action: str
    message: str
    from_status: str | None = None
    to_status: str | None = None
    current_status: str | None = None
    decided_by: str | None = None
    decided_at: Any = None
    log_id: str | None = None
    kind: str = "applied"  # applied | conflict | not_found
    changed_keys: list[str] = field(default_factory=list)
    expected: tuple[str, ...] = ()
    platform_since: str | None = None  # a conflict with the platform: the time of the sync it changed after


@dataclass
class _Effects:
    """Side effects of the action's decisions, applied after every entity row, in key order."""

    lists: list[tuple[rules.ListChange, str]] = field(default_factory=list)  # (change, log_id)
    notices: list[tuple[rules.Notice, str, str]] = field(default_factory=list)  # (notice, style, log_id)


def _entity_rules(entity: str, layout: str) -> moderation.EntityRules:
    try:
        return checked_names(moderation.rules(entity, layout))
    except moderation.ConfigError as exc:
        raise BadRequest(str(exc)) from None


def _not_found(item: Item, action: str) -> Outcome:
    return Outcome(item, False, action, f"{item.entity} {item.entity_id}: not found", kind="not_found")


def _moved_row(uow: UnitOfWork, r: moderation.EntityRules, item: Item) -> tuple[Item, dict[str, Any] | None]:
    """The item's row; for an item that moves between arrays and is no longer under the key seen, its one row of
    that id wherever it is now (with the item at that key), so a late decision is a conflict, not "not found"."""
    row = uow.read_row(r, item.source_key, item.entity_id)
    if row is None and r.moves:
        found = uow.find_rows(r, item.entity_id)
        if len(found) == 1:
            here = Item(item.entity, item.entity_id, found[0][0], item.seen)
            return here, uow.read_row(r, here.source_key, item.entity_id)
    return item, row


def _refused(uow: UnitOfWork, item: Item, action: str, row: dict[str, Any] | None,
             expected: tuple[str, ...]) -> Outcome:
    if row is None:
        row = _moved_row(uow, _entity_rules(item.entity, uow.layout), item)[1]
    if row is None:
        return _not_found(item, action)
    r = _entity_rules(item.entity, uow.layout)
    last = uow.latest_log(item.entity, item.entity_id, rules.home_key(r, item.source_key))
    why = rules.refusal(row["status"], expected, last,
                        row.get("moderator"), row.get("moderated_at"))
    return Outcome(item, False, action, rules.refusal_message(item.entity, item.entity_id, why),
                   current_status=why.current, decided_by=why.decided_by, decided_at=why.decided_at,
                   kind="conflict", expected=why.expected)


def _changed_on_platform(item: Item, action: str, since: str | None, current: Any = None) -> Outcome:
    status = current.get("status") if isinstance(current, dict) else None
    when = moscow_time(since, "MSK", "en") if since else "the last sync"
    return Outcome(item, False, action, f"{item.entity} {item.entity_id}: changed on the platform since "
                   f"{when}; refreshed from it, nothing written", current_status=status,
                   kind="conflict", platform_since=since or "")


def _platform_moved(uow: UnitOfWork, item: Item) -> tuple[bool, Any]:
    """Has the platform's value of the item's key changed since the sync (the store's copy)? Never, unsynced."""
    return uow.platform.changed(item.source_key, lambda: uow.kv_get(item.source_key)[1])


def _apply(uow: UnitOfWork, r: moderation.EntityRules, item: Item, action: str, seen: str | None,
           to_status: str | None, actor: str, reason: str | None, note: str | None, batch_id: str | None,
           row: dict[str, Any], effects: _Effects, undone_action: str | None = None) -> Outcome:
    """The entity row, its KV value and the log row; side effects are collected in ``effects``. The decision's own
    fields (``rules.decision_fields``; an undo: ``rules.undo_fields`` of the decision it undoes) go into both."""
    fields = (rules.undo_fields(r, undone_action) if action == "undo" and undone_action
              else rules.decision_fields(r, action, to_status, uow.at) if action in rules.DECISIONS else {})
    moved_to = rules.move_key(r, to_status) if to_status is not None else None
    moved_to = moved_to if moved_to != item.source_key else None
    if not uow.update_status(r, item.source_key, item.entity_id, seen, to_status, actor, reason, fields,
                             move_to=moved_to):
        return _refused(uow, item, action, uow.read_row(r, item.source_key, item.entity_id), (seen,) if seen else ())
    log_id = uuid.uuid4().hex
    exists, value = uow.kv_get(item.source_key)
    if exists and to_status is not None:
        new = rules.with_status(value, r, item.entity_id, to_status, uow.at, reason, clear_decision=action == "undo",
                                fields=fields)
        moved = rules.element(new, item.entity_id) if moved_to else None
        if moved is not None and moved_to is not None:
            # the item leaves its array for the front of its new status's array (the AI news agent's approve)
            uow.kv_set(item.source_key, rules.without(value, item.entity_id), True, log_id)
            uow.platform.replace(item.source_key, value, lambda current: rules.without(current, item.entity_id))
            there, target = uow.kv_get(moved_to)
            uow.kv_set(moved_to, rules.put_first(target, moved), there, log_id)
            uow.platform.merge(moved_to, lambda current: rules.put_first(current, moved))
        elif new is not None:
            uow.kv_set(item.source_key, new, True, log_id)
            uow.platform.replace(item.source_key, value, lambda current: rules.with_status(
                current, r, item.entity_id, to_status, uow.at, reason, clear_decision=action == "undo",
                fields=fields))
    uow.append_log(log_id, actor, action, item.entity, item.entity_id, rules.home_key(r, item.source_key), seen,
                   to_status, reason, note, batch_id)
    effects.lists += [(change, log_id) for change in rules.list_changes(r, item.entity_id, seen, to_status, row)]
    notice = rules.notice_for(r, action, item.entity_id, to_status, row, reason, log_id)
    if notice is not None:
        effects.notices.append((notice, r.notification, log_id))
    return Outcome(item, True, action, rules.applied_message(item.entity, item.entity_id, action, seen, to_status),
                   from_status=seen, to_status=to_status, current_status=to_status, decided_by=actor,
                   decided_at=uow.at, log_id=log_id)


def _edit_lists(changes: list[rules.ListChange]) -> Any:
    def edit(value: Any) -> Any:
        for change in changes:
            value = rules.edit_list(value, change.op, change.entity_id).items
        return value
    return edit


def _apply_lists(uow: UnitOfWork, effects: _Effects) -> None:
    for key in sorted({change.key for change, _ in effects.lists}):
        exists, value = uow.kv_get(key)
        uow.platform.merge(key, _edit_lists([c for c, _ in effects.lists if c.key == key]))
        for change, log_id in (e for e in effects.lists if e[0].key == key):
            edit = rules.edit_list(value, change.op, change.entity_id)
            if not edit.changed:
                continue
            for position in sorted(edit.removed_at, reverse=True):
                uow.index_remove(key, position)
            if edit.added_at is not None:
                uow.index_add(key, edit.added_at, change.entity_id)
            value = edit.items
            uow.kv_set(key, value, exists, log_id)
            exists = True


def _apply_notices(uow: UnitOfWork, effects: _Effects) -> None:
    for notice, style, log_id in sorted(effects.notices, key=lambda e: e[0].user_id):
        write = rules.notice_write(notice, style, uuid.uuid4().hex, uow.at)
        if write.own_key:
            uow.kv_set(write.key, write.value, False, log_id)
            uow.platform.merge(write.key, lambda _current, v=write.value: v)
        else:
            exists, current = uow.kv_get(write.key)
            uow.kv_set(write.key, rules.prepend_notice(current, write.value), exists, log_id)
            uow.platform.merge(write.key, lambda current, v=write.value: rules.prepend_notice(current, v))
        uow.insert_notification(write.notice_id, notice.user_id, notice.type, notice.title, notice.content,
                                notice.link, notice.metadata, write.key)
        if write.unread_key:
            exists, unread = uow.kv_get(write.unread_key)
            count = rules.unread_after(unread)
            uow.kv_set(write.unread_key, count, exists, log_id)
            uow.platform.merge(write.unread_key, rules.unread_after)
            uow.set_counter(write.unread_key, notice.user_id, count)


def _finish(uow: UnitOfWork, effects: _Effects, outcomes: list[Outcome]) -> None:
    _apply_lists(uow, effects)
    _apply_notices(uow, effects)
    keys = uow.record_changes()
    for o in outcomes:
        if o.log_id:
            o.changed_keys.extend(keys.get(o.log_id, []))


def _clean_reason(action: str, reason: str | None) -> str | None:
    text = (reason or "").strip()
    if action == "reject" and not text:
        raise ReasonRequired("a rejection needs a reason (a canned reason or free text)")
    if len(text) > MAX_REASON:
        raise BadRequest(f"the reason is longer than {MAX_REASON} characters")
    return text or None


def _clean_actor(actor: str) -> str:
    actor = (actor or "").strip()
    if not actor:
        raise BadRequest("the actor (who decides) is required")
    return actor


def _units(uows: UnitsOfWork | Store) -> UnitsOfWork:
    """The units of work to use: as given, or a store's default ones (``unit_of_work.store_units``)."""
    return store_units(uows) if isinstance(uows, Store) else uows


def _with_note(note: str | None, extra: str | None) -> str | None:
    """The log row's note: the moderator's own note and, after it, what the caller adds for this item."""
    parts = [p for p in ((note or "").strip(), (extra or "").strip()) if p]
    return " · ".join(parts) or None


def decide(uows: UnitsOfWork | Store, items: Sequence[Item], action: str, actor: str, reason: str | None = None,
           note: str | None = None, batch_id: str | None = None, allow_reversal: bool = False,
           now: dt.datetime | None = None, item_notes: Mapping[Item, str] | None = None) -> list[Outcome]:
    """Approve or reject ``items`` in one transaction. Each item applies only if it is still in the status the
    moderator saw (``Item.seen``; None: its current status, which must be pending). Items that lost a race are
    returned as conflicts and change nothing. ``allow_reversal`` also accepts an item in the other decision's
    status (reject after approve). Outcomes come back in the order of ``items``. ``uows``: the units of work
    (``unit_of_work.store_units(store)``, or a fake in tests); a store stands for its default ones.
    ``item_notes``: text logged with one item's decision after ``note`` (the queue logs there that another
    moderator had the item open: claims never block a decision)."""
    units = _units(uows)
    if action not in rules.DECISIONS:
        raise BadRequest(f"unknown action {action!r}: approve or reject (undo has its own function)")
    actor = _clean_actor(actor)
    reason = _clean_reason(action, reason)
    if not items:
        return []
    if len(items) > 1 and batch_id is None:
        batch_id = uuid.uuid4().hex
    ordered = sorted(items, key=lambda i: (i.entity, i.source_key, i.entity_id))
    stale: list[str] = []
    since: str | None = None
    try:
        with units.begin(now or dt.datetime.now(dt.UTC)) as uow:
            since = uow.platform.snapshot_at
            effects = _Effects()
            outcomes: list[Outcome] = []
            for item in ordered:
                r = _entity_rules(item.entity, uow.layout)
                row = _moved_row(uow, r, item)[1]
                if row is None:
                    outcomes.append(_not_found(item, action))
                    continue
                seen = item.seen if item.seen is not None else row["status"]
                if not rules.can_decide(r, action, seen, allow_reversal):
                    outcomes.append(_refused(uow, item, action, row,
                                             rules.decidable_statuses(r, action, allow_reversal)))
                    continue
                moved, current = _platform_moved(uow, item)
                if moved:
                    stale.append(item.source_key)
                    outcomes.append(_changed_on_platform(item, action, since, current))
                    continue
                outcomes.append(_apply(uow, r, item, action, seen, rules.decision_status(r, action, row), actor, reason,
                                       _with_note(note, (item_notes or {}).get(item)), batch_id, row, effects))
            _finish(uow, effects, outcomes)
    except PlatformConflict as exc:
        # the platform wrote between our check and our compare-and-set: the whole action is undone on both sides
        units.refresh([*stale, exc.key])
        return [_changed_on_platform(i, action, since) if i.source_key == exc.key else
                Outcome(i, False, action, f"{i.entity} {i.entity_id}: not applied (another item of the selection "
                        "changed on the platform; nothing was written)", kind="conflict") for i in items]
    units.refresh(stale)
    order = {id(i): n for n, i in enumerate(items)}
    return sorted(outcomes, key=lambda o: order.get(id(o.item), 0))


def undo(uows: UnitsOfWork | Store, item: Item, actor: str, note: str | None = None,
         now: dt.datetime | None = None, decision: str | None = None,
         own_within: dt.timedelta | None = None) -> Outcome:
    """Undo the item's latest decision: a new logged action that restores the status before it. Applies only if the
    item is still in the status that decision set. Raises NotFound when there is no decision to undo.

    ``decision``: the log id of the decision to undo; if anyone decided (or undid) the item since, it is a conflict
    naming them, and nothing changes. ``own_within``: that decision must also be ``actor``'s own and at most this old
    (``rules.own_undo_refusal``), else NotUndoable."""
    units = _units(uows)
    actor = _clean_actor(actor)
    since: str | None = None
    at = now or dt.datetime.now(dt.UTC)
    try:
        with units.begin(at) as uow:
            since = uow.platform.snapshot_at
            r = _entity_rules(item.entity, uow.layout)
            item, row = _moved_row(uow, r, item)
            if row is None:
                raise NotFound(f"{item.entity} {item.entity_id}: not found")
            last = uow.latest_log(item.entity, item.entity_id, rules.home_key(r, item.source_key))
            if last is None:
                raise NotFound(f"{item.entity} {item.entity_id}: no decision to undo")
            if decision is not None and last.id != decision:
                return Outcome(item, False, "undo", rules.decided_since_message(item.entity, item.entity_id, last),
                               current_status=row["status"], decided_by=last.actor, decided_at=last.at,
                               kind="conflict")
            if decision is not None and own_within is not None:
                why = rules.own_undo_refusal(last, actor, at, own_within)
                if why is not None:
                    raise NotUndoable(f"{item.entity} {item.entity_id}: {why}")
            plan = rules.undo_plan(last)
            if plan is None:
                return Outcome(item, False, "undo", rules.already_undone_message(item.entity, item.entity_id, last),
                               current_status=row["status"], decided_by=last.actor, decided_at=last.at,
                               kind="conflict")
            moved, _current = _platform_moved(uow, item)
            if moved:
                raise PlatformConflict(item.source_key, _current)
            effects = _Effects()
            outcome = _apply(uow, r, item, "undo", plan.from_status, plan.to_status, actor, None,
                             note or f"undo of {last.id}", None, row, effects, undone_action=last.action)
            _finish(uow, effects, [outcome])
    except PlatformConflict as exc:
        units.refresh([exc.key])
        return _changed_on_platform(item, "undo", since, exc.current)
    return outcome


def find_items(uows: UnitsOfWork | Store, entity: str, entity_id: str) -> list[Item]:
    """The rows of ``entity`` with this id (one per KV key holding it); ``seen`` is None (the current status)."""
    with _units(uows).reading() as uow:
        r = _entity_rules(entity, uow.layout)
        return [Item(entity, entity_id, sk, None) for sk, _status in uow.find_rows(r, entity_id)]
