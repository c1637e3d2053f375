"""export-changes: the KV keys moderation actions changed, as ``{"op": "set", "key": …, "value": …}`` lines.

Each key appears once, with its FINAL value in ``kv_store``. Keys the platform stored as a JSON string holding
JSON (``kv_double_encoded``) are written back the same way, so applying the lines to the platform's table
(``UPDATE/INSERT kv_store_84730125 SET value = <value> WHERE key = <key>``) reproduces the decisions.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dashboard.i18n.formatting import MOSCOW
from dashboard.moderation.unit_of_work import require_moderation_tables
from dashboard.store.connect import Store
from dashboard.store.queries import read_engine

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def parse_since(text: str | None) -> dt.datetime:
    """An ISO date or time (``2026-11-01``, ``2026-11-01T12:00``, with or without offset; naive means Moscow)."""
    if not text:
        return EPOCH
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"--since {text!r}: not an ISO date or time (e.g. 2026-11-01 or 2026-11-01T12:00+03:00)") \
            from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=MOSCOW)
    return value


def changed_values(store: Store, since: dt.datetime = EPOCH) -> Iterator[dict[str, Any]]:
    """One ``set`` operation per key changed at or after ``since``, in the order of its first change. A store
    without the moderation tables (made by an older version) is a one-line StoreError: re-ingest it."""
    sql = (
        'SELECT c.key, CAST(s.value AS TEXT) AS value, MAX(CASE WHEN d.key IS NULL THEN 0 ELSE 1 END) AS encoded, '
        'MIN(c."at") AS first_at '
        "FROM kv_changes AS c "
        "JOIN kv_store AS s ON s.key = c.key "
        "LEFT JOIN kv_double_encoded AS d ON d.key = c.key "
        'WHERE c."at" >= :since '
        "GROUP BY c.key, CAST(s.value AS TEXT) "
        "ORDER BY first_at, c.key"
    )
    with read_engine(store).connect() as conn:
        require_moderation_tables(conn, store)
        for key, text, encoded, _first in conn.execute(sa.text(sql), {"since": since}):
            value = json.loads(text) if text is not None else None
            if encoded:
                value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            yield {"op": "set", "key": key, "value": value}


def export_changes(store: Store, out: Path, since: dt.datetime = EPOCH) -> int:
    """Write the lines to ``out`` (atomically); returns how many keys."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for op in changed_values(store, since):
            fh.write(json.dumps(op, ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(out)
    return count


def apply_changes(snapshot: list[dict[str, Any]], ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The platform side of the file, for tests and dry runs: ``snapshot`` (``{"key", "value"}`` records) with every
    ``set`` applied (replacing a key's value, or appending the key)."""
    out = [dict(r) for r in snapshot]
    where = {r["key"]: i for i, r in enumerate(out)}
    for op in ops:
        if op.get("op") != "set":
            raise ValueError(f"unknown op {op.get('op')!r}")
        if op["key"] in where:
            out[where[op["key"]]]["value"] = op["value"]
        else:
            where[op["key"]] = len(out)
            out.append({"key": op["key"], "value": op["value"]})
    return out
