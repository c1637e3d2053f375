"""What a moderator has selected in the queue: items, never row positions.

A selection maps an item's reference (``config.item_ref``: entity, source key, id) to the status the moderator saw
when picking it. It is plain data (kept in the page's session state) and these functions are the only way it
changes. An item stays selected only while it is still in the queue with the status seen; a decision is applied
only to items in the status seen (``service.Item.seen``), so a stale selection can never decide another item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from dashboard.moderation.config import item_refs

Selection = dict[str, str]  # item ref -> status seen


def queue_statuses(queue: pd.DataFrame) -> dict[str, str]:
    """Every queue item's reference with its current status."""
    if queue.empty:
        return {}
    return dict(zip(item_refs(queue), queue["status"].astype(str), strict=True))


def reconcile(selection: Mapping[str, str], statuses: Mapping[str, str]) -> tuple[Selection, list[str]]:
    """The items still in the queue with the status seen, and the references of those that left (decided by
    someone else meanwhile, or changed status)."""
    kept = {ref: seen for ref, seen in selection.items() if statuses.get(ref) == seen}
    return kept, [ref for ref in selection if ref not in kept]


def with_rows(selection: Mapping[str, str], table_refs: Sequence[str], rows: Iterable[int],
              statuses: Mapping[str, str]) -> Selection:
    """The selection after the table's ticks: ``rows`` are positions in ``table_refs``, the items that table
    showed (in that order). Items of that table not ticked leave; ticked ones join with the status the table showed;
    selected items the table did not show (filtered out) stay."""
    shown = set(table_refs)
    ticked = [table_refs[i] for i in rows if 0 <= i < len(table_refs)]
    kept = {ref: seen for ref, seen in selection.items() if ref not in shown}
    kept |= {ref: selection.get(ref) or statuses[ref] for ref in ticked if ref in statuses}
    return kept


def with_picked(selection: Mapping[str, str], picked: Iterable[str], statuses: Mapping[str, str]) -> Selection:
    """The selection after the "selected items" box: exactly the picked items (keeping the status seen of those
    already selected)."""
    return {ref: selection.get(ref) or statuses[ref] for ref in picked if ref in selection or ref in statuses}


def rows_of(selection: Mapping[str, str], table_refs: Sequence[str]) -> list[int]:
    """Positions of the selected items in a table showing ``table_refs`` (to tick them when it is drawn anew)."""
    return [i for i, ref in enumerate(table_refs) if ref in selection]


def split_ref(ref: str) -> tuple[str, str, str]:
    """(entity, source_key, entity_id) of an item reference."""
    entity, source_key, entity_id = ref.split("\t")
    return entity, source_key, entity_id
