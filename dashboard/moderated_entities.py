"""The catalogue of moderated entities: the one place an entity is declared as moderated (the ground floor).

``moderated_entities.json`` lists each entity with its table, its title column, its link and notification texts,
and per key layout the statuses that wait for a decision and the statuses approval and rejection set. Everything
else reads it from here: the schema (which tables get the decision columns), the layout check (a custom layout's
``moderation`` section), the moderation rules (``dashboard.moderation.config``), and the test that holds
``queries/shared/pending_base.sql`` to one branch per entity. This module imports nothing of ours.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

CATALOGUE_FILE = Path(__file__).resolve().parent / "moderated_entities.json"
LAYOUTS = ("seed", "deployed")
STATUS_TEXT = re.compile(r"[A-Za-z0-9_-]{1,40}")
SECTION_KEYS = {"rules", "entities"}
ENTITY_KEYS = {"pending", "approve", "reject"}


class CatalogueError(ValueError):
    """The catalogue, or a layout's moderation section, cannot be used; the message is one line."""


@functools.cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Any]:
    """The catalogue document, its shape checked (tables and columns are checked against the schema by
    ``dashboard.moderation.config``, which may import the schema)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogueError(f"{path}: cannot read moderation config ({exc})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("entities"), dict) or not doc["entities"]:
        raise CatalogueError(f"{path}: 'entities' must be a non-empty object")
    for entity, raw in doc["entities"].items():
        if not isinstance(raw, dict) or not isinstance(raw.get("table"), str):
            raise CatalogueError(f"{path}: {entity}: needs a 'table'")
        layouts = raw.get("layouts")
        if not isinstance(layouts, dict):
            raise CatalogueError(f"{path}: {entity}: needs 'layouts' ({', '.join(LAYOUTS)})")
        for layout in LAYOUTS:
            rules = layouts.get(layout)
            if isinstance(rules, str):
                # an entity only one layout writes: the other layout names it and takes the same rules
                same = layouts.get(rules)
                if rules == layout or rules not in LAYOUTS or not isinstance(same, dict):
                    raise CatalogueError(f"{path}: {entity}/{layout}: {rules!r} must name another layout's rules")
                layouts[layout] = rules = dict(same)
            if not isinstance(rules, dict) or not rules.get("pending") or not rules.get("approve") or \
                    not rules.get("reject"):
                raise CatalogueError(f"{path}: {entity}/{layout} needs pending, approve and reject")
    return doc


def entity_names() -> tuple[str, ...]:
    """Every moderated entity, in catalogue order (the queue's order of types)."""
    return tuple(load_catalogue()["entities"])


def moderated_tables() -> tuple[str, ...]:
    """The tables of the moderated entities (each gets the last decision's columns), in catalogue order. An
    unreadable catalogue gives none here: it reports its own error, in one line, where the rules are used."""
    try:
        entities = load_catalogue()["entities"]
    except CatalogueError:
        return ()
    return tuple(dict.fromkeys(raw["table"] for raw in entities.values()))


def check_moderation_section(section: Any, where: str) -> dict[str, Any]:
    """A layout file's ``moderation`` section, validated: ``{"rules": "seed"|"deployed", "entities": {ENTITY:
    {"pending": [STATUS, …], "approve": STATUS, "reject": STATUS}}}`` (every key optional; ``rules`` is the rule set
    the entities not named here keep, and the rest of a named entity's rules: lists, status fields, notifications)."""
    if not isinstance(section, dict) or set(section) - SECTION_KEYS:
        raise CatalogueError(f"{where}: 'moderation' must be an object with 'rules' and/or 'entities'")
    if section.get("rules", "seed") not in LAYOUTS:
        raise CatalogueError(f"{where}: moderation 'rules' must be one of {', '.join(LAYOUTS)}")
    named = section.get("entities", {})
    if not isinstance(named, dict):
        raise CatalogueError(f"{where}: moderation 'entities' must be an object of entity -> statuses")
    known = entity_names()
    for entity, raw in named.items():
        if entity not in known:
            raise CatalogueError(f"{where}: moderation of unknown entity {entity!r} (one of {', '.join(known)})")
        if not isinstance(raw, dict) or not raw or set(raw) - ENTITY_KEYS:
            raise CatalogueError(f"{where}: moderation of {entity} takes 'pending', 'approve' and 'reject'")
        pending = raw.get("pending", [])
        if not isinstance(pending, list) or ("pending" in raw and not pending):
            raise CatalogueError(f"{where}: moderation of {entity}: 'pending' needs a list of at least one status")
        statuses = [*pending, *(raw[k] for k in ("approve", "reject") if k in raw)]
        for status in statuses:
            if not isinstance(status, str) or not STATUS_TEXT.fullmatch(status):
                raise CatalogueError(
                    f"{where}: moderation of {entity}: bad status {status!r} (letters, digits, _ and -)")
    return section
