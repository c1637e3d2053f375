"""The moderation rules as pure functions: no database, no clock, no randomness.

Given an entity's configured rules (``config.EntityRules``) and what the unit of work read, these functions say
which status an action sets, whether an item may be decided or undone, why a decision is refused, the KV value with
its status fields set, and the side effects as data: which id lists gain or lose an id, and which notification the
artist gets (its key and value in the store's layout). ``service`` applies them through ``unit_of_work``.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from dashboard.i18n.formatting import moscow_time
from dashboard.i18n.translations import quoted
from dashboard.moderation.config import EntityRules

Action = Literal["approve", "reject", "undo"]
DECISIONS: tuple[str, ...] = ("approve", "reject")
PAST_TENSE = {"approve": "approved", "reject": "rejected", "undo": "undone"}


# ---------------------------------------------------------------- transitions


def target_status(r: EntityRules, action: str) -> str:
    """The status a decision sets (approve → ``r.approve``, reject → ``r.reject``)."""
    return r.target(action)


def decision_status(r: EntityRules, action: str, row: dict[str, Any]) -> str:
    """The status a decision sets on this row: approval's conditional status when the row meets its condition
    (a free publish order is published at once), else the entity's target for the action."""
    if action == "approve":
        for cond in r.approve_if:
            if _equal(row.get(cond.column), cond.equals):
                return cond.status
    return target_status(r, action)


def _equal(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, int | float) and not isinstance(wanted, bool):
        try:
            return value is not None and float(value) == float(wanted)
        except (TypeError, ValueError):
            return False
    return value == wanted


def decision_fields(r: EntityRules, action: str, to_status: str | None, at: dt.datetime) -> dict[str, Any]:
    """The fields a decision writes besides the status, the updated-at, reason and decision-time fields: the
    action's fixed values (a rejected track test's ``payment_status`` refunded) and its stamps (``approved_at``;
    ``publishedAt`` of a publish order published at once). Stamps are ``at`` (a datetime)."""
    effect = r.effect(action)
    fields: dict[str, Any] = dict(effect.set)
    stamps = list(effect.stamp)
    if action == "approve":
        stamps += [s for cond in r.approve_if if cond.status == to_status for s in cond.stamp]
    fields.update(dict.fromkeys(stamps, at))
    return fields


def undo_fields(r: EntityRules, undone_action: str) -> dict[str, Any]:
    """What undoing a decision writes back into the fields it set: the ``restore`` value, else null (stamps)."""
    restore = dict(r.restore)
    effect = r.effect(undone_action)
    names = [name for name, _ in effect.set] + list(effect.stamp)
    if undone_action == "approve":
        names += [s for cond in r.approve_if for s in cond.stamp]
    return {name: restore.get(name) for name in dict.fromkeys(names)}


def column_name(field_name: str) -> str:
    """The snake_case column of a KV field (``publishedAt`` → ``published_at``; snake_case stays)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in field_name).lstrip("_")


def move_key(r: EntityRules, status: str) -> str | None:
    """The key of the array holding an item in ``status``, for an entity whose items move between arrays (the AI
    news agent's ``news:articles:{status}``); None for the others."""
    return r.moves.replace("{status}", status) if r.moves else None


def home_key(r: EntityRules, source_key: str) -> str:
    """The key the audit log files an item under: its own key, or for an item that moves between arrays the key of
    the pending array (where the moderator saw it), whichever array holds it now."""
    return move_key(r, r.pending[0]) or source_key if r.moves else source_key


def element(value: Any, entity_id: str) -> dict[str, Any] | None:
    """The element with this id of an array value (None: not there)."""
    if not isinstance(value, list):
        return None
    return next((e for e in value if isinstance(e, dict) and str(e.get("id")) == entity_id), None)


def without(value: Any, entity_id: str) -> list[Any]:
    """The array without the element of this id (a value that is not an array is read as empty)."""
    items = value if isinstance(value, list) else []
    return [e for e in items if not (isinstance(e, dict) and str(e.get("id")) == entity_id)]


def put_first(value: Any, item: dict[str, Any]) -> list[Any]:
    """The array with ``item`` first (once: an element of the same id is replaced), as the agent's approve does."""
    return [copy.deepcopy(item), *without(value, str(item.get("id")))]


def decidable_statuses(r: EntityRules, action: str, allow_reversal: bool = False) -> tuple[str, ...]:
    """The statuses from which ``action`` may be taken: the pending ones, plus (reversal) the other decision's."""
    allowed = list(r.pending)
    if allow_reversal:
        other = r.reject if action == "approve" else r.approve
        if other not in allowed and other != target_status(r, action):
            allowed.append(other)
    return tuple(allowed)


def can_decide(r: EntityRules, action: str, status: str | None, allow_reversal: bool = False) -> bool:
    return status is not None and status in decidable_statuses(r, action, allow_reversal)


@dataclass(frozen=True)
class LogEntry:
    """The parts of a ``moderation_log`` row the rules look at."""

    id: str
    at: Any
    actor: str
    action: str
    from_status: str | None
    to_status: str | None


@dataclass(frozen=True)
class UndoPlan:
    """What undoing ``last`` does: from the status it set back to the status before it."""

    undone: LogEntry
    from_status: str | None
    to_status: str | None


def undo_plan(last: LogEntry) -> UndoPlan | None:
    """None when the latest action is itself an undo (there is nothing left to undo)."""
    if last.action == "undo":
        return None
    return UndoPlan(last, from_status=last.to_status, to_status=last.from_status)


UNDO_WINDOW = dt.timedelta(hours=1)  # a moderator may undo any of their own decisions this recent


def own_undo_refusal(entry: LogEntry, actor: str, now: dt.datetime, window: dt.timedelta = UNDO_WINDOW) -> str | None:
    """Why ``actor`` may not undo the decision ``entry`` as their own (None: they may): it is not a decision, it is
    someone else's, or it is older than ``window``. Whether anyone decided the item since is the service's check
    (the item's latest log entry must still be ``entry``)."""
    if entry.action not in DECISIONS:
        return f"{entry.action} is not a decision"
    if entry.actor != actor:
        return f"the decision is {entry.actor}'s, not {actor}'s"
    at = entry.at if isinstance(entry.at, dt.datetime) else None
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    if at is None or at < now - window:
        return f"the decision is older than {int(window.total_seconds() // 60)} minutes"
    return None


def decided_since_message(entity: str, entity_id: str, latest: LogEntry) -> str:
    return (f"{entity} {entity_id}: decided since by {latest.actor} at {moscow_time(latest.at, 'MSK')} "
            f"({PAST_TENSE.get(latest.action, latest.action)}); nothing was undone")


# ---------------------------------------------------------------- refusals


@dataclass(frozen=True)
class Refusal:
    """Why an item was not changed: its current status, the status(es) the action needed, and who decided it."""

    current: str | None
    expected: tuple[str, ...]
    decided_by: str | None = None
    decided_at: Any = None


def refusal(current: str | None, expected: tuple[str, ...], last: LogEntry | None, moderator: str | None,
            moderated_at: Any) -> Refusal:
    """The refusal for an item found in ``current`` when the action needed one of ``expected``. The decider is the
    latest logged action when it set the current status, else the row's last moderator (if any)."""
    by, at = moderator, moderated_at
    if last is not None and last.to_status == current:
        by, at = last.actor, last.at
    return Refusal(current, expected, by or None, at if by else None)


def status_words(statuses: tuple[str, ...]) -> str:
    return " or ".join(statuses) if statuses else "pending"


def refusal_message(entity: str, entity_id: str, why: Refusal) -> str:
    """One line: ``already approved by X at T``, or ``is draft, not pending`` when nobody decided it."""
    if why.decided_by:
        return (f"{entity} {entity_id}: already {why.current} by {why.decided_by} at "
                f"{moscow_time(why.decided_at, 'MSK', 'en')}")
    return f"{entity} {entity_id}: is {why.current or 'without status'}, not {status_words(why.expected)}"


def already_undone_message(entity: str, entity_id: str, last: LogEntry) -> str:
    return f"{entity} {entity_id}: already undone by {last.actor} at {moscow_time(last.at, 'MSK', 'en')}"


def applied_message(entity: str, entity_id: str, action: str, from_status: str | None, to_status: str | None) -> str:
    return f"{entity} {entity_id}: {PAST_TENSE[action]} ({from_status} → {to_status})"


# ---------------------------------------------------------------- the KV value


def kv_timestamp(at: dt.datetime) -> str:
    """A decision time as the platform writes it in JSON: UTC, milliseconds, ``Z``."""
    return at.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def with_status(value: Any, r: EntityRules, entity_id: str, to_status: str, at: dt.datetime,
                reason: str | None = None, clear_decision: bool = False,
                fields: dict[str, Any] | None = None) -> Any | None:
    """A copy of the KV value with the item's status set (the object, or the element with the item's id in an array):
    every configured status field present (else the first one), the updated-at fields present, and the decision's
    reason/time fields (cleared again by an undo), and ``fields`` (``decision_fields``: set, added when absent; with
    ``clear_decision``, ``undo_fields``: set only where present). None when the value holds no such item."""
    new = copy.deepcopy(value)
    target = new
    if isinstance(new, list):
        target = next((e for e in new if isinstance(e, dict) and str(e.get("id")) == entity_id), None)
    if not isinstance(target, dict):
        return None
    stamp = kv_timestamp(at)
    present = [f for f in r.status_fields if f in target]
    for name in present or list(r.status_fields[:1]):
        target[name] = to_status
    for name in r.updated_fields:
        if name in target:
            target[name] = stamp
    if clear_decision:
        for name in (r.reason_field, r.decided_at_field):
            if name and name in target:
                target[name] = None
    else:
        if r.reason_field and reason:
            target[r.reason_field] = reason
        if r.decided_at_field:
            target[r.decided_at_field] = stamp
    for name, field_value in (fields or {}).items():
        if clear_decision and name not in target:
            continue
        target[name] = kv_timestamp(field_value) if isinstance(field_value, dt.datetime) else field_value
    return new


# ---------------------------------------------------------------- side effects: id lists


@dataclass(frozen=True)
class ListChange:
    """Add or remove an id in a global id list (``concerts:public:promoted``)."""

    key: str
    op: Literal["add", "remove"]
    entity_id: str


def list_changes(r: EntityRules, entity_id: str, from_status: str | None, to_status: str | None,
                 row: dict[str, Any]) -> list[ListChange]:
    """The lists an item enters (it reaches the list's status and the ``when`` column is true) or leaves."""
    out: list[ListChange] = []
    for rule in r.lists:
        eligible = not rule.when or bool(row.get(rule.when))
        if to_status == rule.status and from_status != rule.status and eligible:
            out.append(ListChange(rule.key, "add", entity_id))
        elif from_status == rule.status and to_status != rule.status:
            out.append(ListChange(rule.key, "remove", entity_id))
    return out


@dataclass(frozen=True)
class ListEdit:
    """The list after a change, and the positions (of the list before it) that changed; empty: nothing to do."""

    items: list[Any]
    added_at: int | None = None
    removed_at: tuple[int, ...] = ()

    @property
    def changed(self) -> bool:
        return self.added_at is not None or bool(self.removed_at)


def positions_of(items: list[Any], entity_id: str) -> list[int]:
    """Where ``entity_id`` is in a list of ids (or of objects with an ``id``)."""
    return [i for i, e in enumerate(items) if str(e.get("id") if isinstance(e, dict) else e) == entity_id]


def edit_list(value: Any, op: str, entity_id: str) -> ListEdit:
    """Add (at the end, once) or remove (every occurrence) an id; idempotent. A value that is not a list is read as
    an empty list."""
    items = list(value) if isinstance(value, list) else []
    found = positions_of(items, entity_id)
    if op == "add":
        if found:
            return ListEdit(items)
        return ListEdit([*items, entity_id], added_at=len(items))
    if op == "remove":
        if not found:
            return ListEdit(items)
        return ListEdit([e for i, e in enumerate(items) if i not in set(found)], removed_at=tuple(found))
    raise ValueError(f"unknown list operation {op!r}")


# ---------------------------------------------------------------- side effects: the artist's notification


@dataclass(frozen=True)
class Notice:
    """What the artist is told about a decision (layout-independent)."""

    user_id: str
    type: str
    title: str
    content: str
    link: str
    metadata: dict[str, Any]


def notice_for(r: EntityRules, action: str, entity_id: str, to_status: str | None, row: dict[str, Any],
               reason: str | None, log_id: str) -> Notice | None:
    """The notification of an approval or rejection; None for an undo or an item without an owner."""
    if action not in DECISIONS or not row.get("user_id") or r.notification == "none":
        return None
    subject = str(row.get("title") or entity_id)
    return Notice(
        user_id=str(row["user_id"]), type="moderation", title=r.notify.get(action, action),
        content=quoted(subject) + (f": {reason}" if reason else ""), link=r.link,
        metadata={"entity": r.entity, "entity_id": entity_id, "status": to_status, "moderation_log_id": log_id},
    )


@dataclass(frozen=True)
class NoticeWrite:
    """How a notice lands in the KV in a layout. ``own_key``: ``key`` is set to ``value`` (deployed:
    ``notification:{u}:{id}``); else ``value`` is put first in the list at ``key`` (seed: ``notifications:{u}:list``)
    and the counter at ``unread_key`` goes up by one."""

    notice_id: str
    key: str
    value: dict[str, Any]
    own_key: bool
    unread_key: str | None = None


def notice_write(notice: Notice, style: str, notice_id: str, at: dt.datetime) -> NoticeWrite:
    stamp = kv_timestamp(at)
    u = notice.user_id
    if style == "key":
        value = {"id": notice_id, "userId": u, "type": notice.type, "title": notice.title, "message": notice.content,
                 "link": notice.link, "read": False, "createdAt": stamp, "metadata": notice.metadata}
        return NoticeWrite(notice_id, f"notification:{u}:{notice_id}", value, own_key=True)
    if style == "list":
        value = {"id": notice_id, "user_id": u, "type": notice.type, "title": notice.title,
                 "content": notice.content, "link": notice.link, "metadata": notice.metadata, "is_read": False,
                 "read_at": None, "created_at": stamp}
        return NoticeWrite(notice_id, f"notifications:{u}:list", value, own_key=False,
                           unread_key=f"notifications:{u}:unread")
    raise ValueError(f"unknown notification style {style!r} (list or key)")


UNREAD_COUNTER_PATTERN = "notifications:{user_id}:unread"


def prepend_notice(current: Any, value: dict[str, Any]) -> list[Any]:
    """The user's notification list with ``value`` first (a value that is not a list is read as empty)."""
    return [value, *(current if isinstance(current, list) else [])]


def unread_after(current: Any) -> int:
    """The unread counter after one more notification (a missing or unreadable counter counts as 0)."""
    try:
        return int(current or 0) + 1
    except (TypeError, ValueError):
        return 1
