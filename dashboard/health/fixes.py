"""Fix proposals: the KV ``set`` operations that would repair what a check found, in the ``export-changes`` format.

Only checks with a safe fix get operations: a coin balance (and its lifetime totals) set to what the transactions
add up to, a list with the ids that have no record removed, an unread counter set to the unread notifications.
Orphans, guest payments and empty required fields need a person's judgement (delete? restore? whose payment?), so
they get none. Nothing is applied: the file is for review (see README, "Data health"). A value the platform stored
as a JSON string holding JSON is written back the same way, and a number stored as a string (the deployed
``coins:balance:{u}`` = ``"430"``) stays a string.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.health.checks import Results

Op = dict[str, Any]


def _plain(value: Any) -> Any:
    """A pandas/numpy scalar as a plain Python one (for json)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _like(current: Any, number: int) -> Any:
    """``number`` in the shape the key holds now: a string stays a string."""
    return str(number) if isinstance(current, str) else number


def _set(key: str, value: Any, double_encoded: Any) -> Op:
    if _plain(double_encoded):
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return {"op": "set", "key": key, "value": value}


def _current(text: Any) -> Any:
    return json.loads(text) if isinstance(text, str) else None


def coin_balance_ops(frame: pd.DataFrame) -> Iterator[Op]:
    for row in frame.itertuples(index=False):
        current = _current(row.current_value)
        if not row.kv_key or current is None:
            continue
        if isinstance(current, dict):
            if "balance" not in current:
                continue  # the balance sits under a field we cannot name safely
            value = dict(current)
            value["balance"] = int(row.tx_sum)
            if _plain(row.lifetime_earned) is not None and "lifetime_earned" in value:
                value["lifetime_earned"] = int(row.tx_earned)
            if _plain(row.lifetime_spent) is not None and "lifetime_spent" in value:
                value["lifetime_spent"] = int(row.tx_spent)
        elif isinstance(current, (int, float, str)):
            value = _like(current, int(row.tx_sum))
        else:
            continue
        yield _set(row.kv_key, value, row.double_encoded)


def _item_id(element: Any) -> Any:
    return element.get("id") if isinstance(element, dict) else element


def dangling_list_ops(frame: pd.DataFrame) -> Iterator[Op]:
    for key, rows in frame.groupby("kv_key", sort=False):
        current = _current(rows["current_value"].iloc[0])
        if not isinstance(current, list):
            continue
        ghosts = {_plain(i) for i in rows["item_id"]}
        kept = [e for e in current if (None if _item_id(e) is None else str(_item_id(e))) not in ghosts]
        yield _set(str(key), kept, rows["double_encoded"].iloc[0])


def unread_counter_ops(frame: pd.DataFrame) -> Iterator[Op]:
    for row in frame.itertuples(index=False):
        current = _current(row.current_value)
        if not row.kv_key or isinstance(current, (dict, list)):
            continue
        yield _set(row.kv_key, _like(current, int(row.unread)), row.double_encoded)


PROPOSERS = {
    "coin_balance_drift": coin_balance_ops,
    "dangling_list_ids": dangling_list_ops,
    "unread_counter_drift": unread_counter_ops,
}


def fix_operations(results: Results) -> list[Op]:
    """Every proposed operation, check by check; one operation per key."""
    ops: list[Op] = []
    for name, propose in PROPOSERS.items():
        if name in results and not results[name].empty:
            ops += list(propose(results[name]))
    return ops


def write_fixes(out: Path, ops: list[Op]) -> None:
    """One JSON object a line, written atomically (as ``export-changes`` does)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for op in ops:
            fh.write(json.dumps(op, ensure_ascii=False) + "\n")
    tmp.replace(out)
