"""The naive pandas peer that ``bench ingest`` compares against.

What a data engineer would write first: ``json.loads`` per line, the same layout's patterns matched with ``re``,
one list of dicts per entity table turned into a DataFrame (types coerced with pandas), and everything persisted
into a DuckDB file. It does the same job as ``dashboard.ingest`` minus the reject/unmapped bookkeeping.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.ingest.layout import Layout, load_layout
from dashboard.store import schema


def _field(doc: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if "." in name or "[" in name:
            continue
        if doc.get(name) is not None:
            return doc[name]
    return None


def _frame(table: str, records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records)
    for col, declared in schema.ENTITY_TABLES[table]:
        if col not in frame:
            frame[col] = None
        if declared in ("INTEGER", "BIGINT") or declared.startswith("DECIMAL"):
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
        elif declared == "TIMESTAMPTZ":
            frame[col] = pd.to_datetime(frame[col], errors="coerce", utc=True, format="mixed")
        elif declared == "JSONB":
            frame[col] = frame[col].map(lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
        elif declared == "BOOLEAN":
            frame[col] = frame[col].map(lambda v: None if v is None else str(v).lower() in ("true", "1", "yes"))
        else:
            frame[col] = frame[col].map(lambda v: None if v is None else str(v))
    return frame[[c for c, _ in schema.ENTITY_TABLES[table]] + ["source_key"]]


def pandas_ingest(path: Path, db: Path, layout_spec: str = "seed") -> int:
    layout: Layout = load_layout(layout_spec)
    compiled = [(re.compile(e.regex), e) for e in layout.entries]
    kv: dict[str, str] = {}
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    with open(path, encoding="utf-8-sig") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            key, value = rec.get("key"), rec.get("value")
            if not isinstance(key, str) or not key:
                continue
            if isinstance(value, str):
                try:
                    inner = json.loads(value)
                    if isinstance(inner, dict | list):
                        value = inner
                except json.JSONDecodeError:
                    pass
            kv[key] = json.dumps(value, ensure_ascii=False)
            for regex, entry in compiled:
                m = regex.fullmatch(key)
                if not m:
                    continue
                if entry.table:
                    segs = dict(zip(entry.segments, m.groups(), strict=True))
                    docs = value if entry.shape == "array" and isinstance(value, list) else [value]
                    for doc in docs:
                        if not isinstance(doc, dict):
                            continue
                        row = {col: segs.get(col) or _field(doc, entry.sources[col]) for col in entry.sources}
                        row["source_key"] = key
                        rows[entry.table].append(row)
                break
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    kv_frame = pd.DataFrame({"key": list(kv), "value": list(kv.values())})
    con.register("kv_frame", kv_frame)
    con.execute("CREATE TABLE kv_store AS SELECT key, CAST(value AS JSON) AS value FROM kv_frame")
    for table, records in rows.items():
        frame = _frame(table, records)
        con.register("entity_frame", frame)
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM entity_frame")
        con.unregister("entity_frame")
    con.close()
    return len(kv)
