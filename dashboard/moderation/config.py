"""Moderation rules from the catalogue (``dashboard/moderated_entities.json``) and the queue's plain computations.

Which statuses wait for a decision, and which statuses approval and rejection set, are configured per entity
and per key layout (``seed`` is the documented layout, ``deployed`` the one the platform's code writes).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.moderated_entities import (
    CATALOGUE_FILE,
    LAYOUTS,
    CatalogueError,
    check_moderation_section,
    load_catalogue,
)
from dashboard.store import schema

CONFIG_FILE = CATALOGUE_FILE
ACTIONS = ("approve", "reject", "undo")
SLA_AMBER_HOURS = 24
SLA_RED_HOURS = 72
# The SLA age bands, youngest first: under 24 h, 24–72 h, over 72 h. The rule itself (which item is in which band)
# is queries/shared/banded_pending.sql, bound with sla_bounds(now); a test checks that file against these names.
AGE_BANDS = ("lt24", "24to72", "gt72")
UNDER_24H, FROM_24_TO_72H, OVER_72H = AGE_BANDS
NOTIFICATION_STYLES = ("list", "key", "none")


ConfigError = CatalogueError  # the moderation configuration (the catalogue) cannot be used


@dataclass(frozen=True)
class ListRule:
    """A global id list (``concerts:public:promoted``) holding items in ``status`` (and with column ``when`` true)."""

    key: str
    status: str
    when: str | None = None


@dataclass(frozen=True)
class Effect:
    """What a decision writes besides the status: fields set to fixed values, fields stamped with its time."""

    set: tuple[tuple[str, Any], ...] = ()
    stamp: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApproveIf:
    """Approval sets ``status`` (and stamps ``stamp``) instead when the entity column ``column`` equals ``equals``."""

    column: str
    equals: Any
    status: str
    stamp: tuple[str, ...] = ()


@dataclass(frozen=True)
class EntityRules:
    entity: str
    table: str
    title_column: str
    link: str
    notify: dict[str, str]
    pending: tuple[str, ...]
    approve: str
    reject: str
    status_fields: tuple[str, ...]
    updated_fields: tuple[str, ...]
    lists: tuple[ListRule, ...]
    notification: str
    reason_field: str | None = None
    decided_at_field: str | None = None
    owner_column: str | None = "user_id"
    moves: str | None = None
    effects: tuple[tuple[str, Effect], ...] = ()
    restore: tuple[tuple[str, Any], ...] = ()
    approve_if: tuple[ApproveIf, ...] = ()

    def effect(self, action: str) -> Effect:
        """The fields a decision (approve/reject) writes besides the status; none for other actions."""
        return dict(self.effects).get(action, Effect())

    @property
    def row_columns(self) -> tuple[str, ...]:
        """The entity columns the rules read from the row (approve_if's conditions)."""
        return tuple(dict.fromkeys(c.column for c in self.approve_if))

    def target(self, action: str) -> str:
        if action == "approve":
            return self.approve
        if action == "reject":
            return self.reject
        raise ValueError(f"no target status for action {action!r}")


@dataclass(frozen=True)
class Reason:
    code: str
    ru: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.ru


@functools.cache
def load_config(path: Path = CONFIG_FILE) -> dict[str, Any]:
    """The catalogue, its tables and title columns checked against the schema (they end up in SQL text)."""
    doc = load_catalogue(path)
    for entity, raw in doc["entities"].items():
        # table and title column end up in SQL text: only the entity tables of the schema and their columns
        table = raw.get("table")
        if table not in schema.ENTITY_TABLES:
            raise ConfigError(f"{path}: {entity}: table must be an entity table of the schema, not {table!r}")
        columns = {c for c, _ in schema.entity_columns(table)}
        if raw.get("title_column", "title") not in columns:
            raise ConfigError(f"{path}: {entity}: {table} has no column {raw.get('title_column')!r}")
        if raw.get("owner_column", "user_id") not in {*columns, None}:
            raise ConfigError(f"{path}: {entity}: {table} has no column {raw.get('owner_column')!r}")
        for layout, per in raw["layouts"].items():
            moves = per.get("moves")
            if moves is not None and (not isinstance(moves, str) or moves.count("{status}") != 1
                                      or len(per["pending"]) != 1):
                raise ConfigError(f"{path}: {entity}/{layout}: 'moves' is a key with one {{status}} (and the "
                                  "entity one pending status)")
            for cond in per.get("approve_if", []):
                if not isinstance(cond, dict) or cond.get("column") not in columns or not cond.get("status"):
                    raise ConfigError(f"{path}: {entity}/{layout}: approve_if needs a column of {table} and a status")
            if per.get("notification", "list") not in NOTIFICATION_STYLES:
                raise ConfigError(f"{path}: {entity}/{layout}: notification must be one of "
                                  f"{', '.join(NOTIFICATION_STYLES)}")
    return doc


def entities() -> tuple[str, ...]:
    return tuple(load_config()["entities"])


def layout_name(layout: str | None) -> str:
    """The rule set of an ingest run's layout: ``seed``/``deployed``, or the path of a custom layout file (whose
    rules are its ``moderation`` section's, see ``layout_rules``)."""
    if not layout:
        return "seed"
    return layout


def layout_rules(layout: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """(what they are, in one line; each entity's raw rules) for the store's layout. A custom layout file takes its
    ``moderation`` section; without one it gets the rules it is named after (``deployed.json``) or else seed's."""
    entity_docs = load_config()["entities"]
    if layout in LAYOUTS:
        return f"moderation rules: {layout}", {e: raw["layouts"][layout] for e, raw in entity_docs.items()}
    path = Path(layout)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"moderation rules: cannot read the store's layout file {path} ({exc})") from None
    named_after = path.stem if path.stem in LAYOUTS else "seed"
    if not isinstance(doc, dict) or "moderation" not in doc:
        return (f"moderation rules: {named_after} (the layout file {path.name} has no 'moderation' section)",
                {e: raw["layouts"][named_after] for e, raw in entity_docs.items()})
    section = check_moderation_section(doc["moderation"], f"layout {path}")
    base = section.get("rules", named_after)
    own = section.get("entities", {})
    out = {e: {**raw["layouts"][base], **own.get(e, {})} for e, raw in entity_docs.items()}
    mine = f", its own statuses for {', '.join(own)}" if own else ""
    return f"moderation rules: from the layout file {path.name} ({base}{mine})", out


@functools.cache
def _rule_set(layout: str) -> dict[str, dict[str, Any]]:
    return layout_rules(layout)[1]


@functools.cache
def rules(entity: str, layout: str = "seed") -> EntityRules:
    doc = load_config()["entities"]
    if entity not in doc:
        raise ConfigError(f"unknown entity {entity!r} (one of {', '.join(doc)})")
    raw = doc[entity]
    per = _rule_set(layout_name(layout))[entity]
    return EntityRules(
        entity=entity,
        table=raw["table"],
        title_column=raw.get("title_column", "title"),
        link=raw.get("link", ""),
        notify=dict(raw.get("notify", {})),
        pending=tuple(per["pending"]),
        approve=per["approve"],
        reject=per["reject"],
        status_fields=tuple(per.get("status_fields") or ("status",)),
        updated_fields=tuple(per.get("updated_fields") or ()),
        lists=tuple(ListRule(r["key"], r["status"], r.get("when")) for r in per.get("lists", [])),
        notification=per.get("notification", "list"),
        reason_field=per.get("reason_field"),
        decided_at_field=per.get("decided_at_field"),
        owner_column=raw.get("owner_column", "user_id"),
        moves=per.get("moves"),
        effects=tuple((action, Effect(tuple((per.get("effects") or {}).get(action, {}).get("set", {}).items()),
                                      tuple((per.get("effects") or {}).get(action, {}).get("stamp", []))))
                      for action in ("approve", "reject") if action in (per.get("effects") or {})),
        restore=tuple((per.get("restore") or {}).items()),
        approve_if=tuple(ApproveIf(c["column"], c.get("equals"), c["status"], tuple(c.get("stamp", [])))
                         for c in per.get("approve_if", [])),
    )


def reasons() -> tuple[Reason, ...]:
    return tuple(Reason(r["code"], r["ru"], r["en"]) for r in load_config().get("reasons", []))


def pending_params(layout: str) -> dict[str, str]:
    """The one bound parameter of ``queries/shared/pending.sql`` for the store's layout: every entity's pending
    statuses as delimited text, ``,tracks:pending,banner_ads:pending_moderation,…,``. One parameter for all
    entities, so a new moderated entity changes no query header."""
    pairs = [f"{e}:{status}" for e in entities() for status in rules(e, layout).pending]
    return {"pending_statuses": "," + ",".join(pairs) + ","}


# ---------------------------------------------------------------- queue computations (no Streamlit)


def age_hours(created_at: pd.Series, now: dt.datetime) -> pd.Series:
    """Hours each item has waited (0 for a missing or future creation time)."""
    created = pd.to_datetime(created_at, utc=True, errors="coerce")
    hours = (pd.Timestamp(now).tz_convert("UTC") - created).dt.total_seconds() / 3600
    return hours.fillna(0).clip(lower=0)


def sla_bounds(now: dt.datetime) -> dict[str, dt.datetime]:
    """The SLA bands' bounds for ``pending_summary``/``pending_page`` as of ``now``'s minute (so a rerun within the
    minute hits the query cache): created before ``red_before`` is over 72 h, before ``amber_before`` over 24 h."""
    minute = now.replace(second=0, microsecond=0)
    return {"red_before": minute - dt.timedelta(hours=SLA_RED_HOURS),
            "amber_before": minute - dt.timedelta(hours=SLA_AMBER_HOURS)}


def is_web_link(value: object) -> bool:
    """True only for an http(s) URL: anything else (``javascript:``, ``data:``, relative) is shown as text."""
    if not isinstance(value, str):
        return False
    low = value.strip().lower()
    return (low.startswith("http://") or low.startswith("https://")) and len(low) > len("https://") and \
        not any(c in value for c in "\n\r\t\"'<> ")


def item_refs(queue: pd.DataFrame) -> list[str]:
    """``item_ref`` of every queue row, vectorized."""
    parts = [queue[c].astype(str) for c in ("entity", "source_key", "entity_id")]
    return list(parts[0] + "\t" + parts[1] + "\t" + parts[2])


def item_ref(row: dict[str, Any] | pd.Series) -> str:
    """A stable reference of a queue row: entity, source key and id (source keys never contain a tab)."""
    return f"{row.get('entity')}\t{row.get('source_key')}\t{row.get('entity_id')}"
