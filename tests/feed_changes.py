"""Random platform changes for the incremental sync's tests: every kind a platform table sees, from the deployed
fixture's own keys and values (seeded, so a failure repeats).

- new keys of every layout entry (a fixture key of the entry with a new id, or the entry's pattern filled in);
- updates of a field (numbers, text, dates, statuses, NULL, a value of the wrong type), a value replaced by another
  key's value of the same entry, deletes, deleted keys inserted again, the same key changed twice in a transaction;
- values written double-encoded (a JSON string holding JSON) and decoded back, a key whose value changes type
  (object → array → number → string → null), keys no layout knows;
- hostile values ingest rejects (nested too deep, NaN or \\u0000 inside a double-encoded string, a key over 2,000
  bytes, a value over ``PROMO_MAX_VALUE_BYTES``, a blank key).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from dashboard.ingest.layout import load_layout
from tests.sync_platform import TABLE, libpq

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([^{}]+))?\}")
TOO_LARGE_BYTES = 40_000  # PROMO_MAX_VALUE_BYTES the tests run with, so a "too large" value is cheap to make


def _strict(text: str) -> Any:
    """json.loads without NaN/Infinity (jsonb refuses them): ValueError instead."""
    def refuse(name: str) -> Any:
        raise ValueError(name)
    return json.loads(text, parse_constant=refuse)


def _fill(pattern: str, rng: random.Random) -> str:
    """A key of the pattern with made-up segments (a custom placeholder regex of alternatives takes the first)."""
    def one(m: re.Match[str]) -> str:
        custom = m.group(2)
        if custom and "|" in custom:
            return custom.split("|")[rng.randrange(len(custom.split("|")))]
        return f"r{rng.randrange(10**6)}"
    return _PLACEHOLDER.sub(one, pattern)


def _made_value(shape: str, rng: random.Random, new_id: str) -> Any:
    obj = {"id": new_id, "title": f"Новое {new_id}", "status": rng.choice(["pending", "approved", "active"]),
           "amount": rng.choice([100, "250.50", "abc", None]), "createdAt": "2026-11-20T10:00:00.000Z",
           "userId": "u-feed", "plays": rng.randrange(1000)}
    if shape == "array":
        return [obj, {**obj, "id": new_id + "b"}]
    if shape == "index":
        return [new_id, {"id": new_id + "x"}]
    if shape in ("scalar", "counter"):
        return rng.choice([rng.randrange(1000), str(rng.randrange(1000)), 1.5])
    return obj


@dataclass
class Platform:
    """The platform table and what the generator knows of it (its keys by layout entry)."""

    url: str
    rng: random.Random
    by_entry: dict[int, list[str]] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)  # key -> the jsonb value (as Python), for live keys
    deleted: list[str] = field(default_factory=list)
    made: int = 0
    kinds: Counter[str] = field(default_factory=Counter)  # what the changes were, for the tests to check

    @classmethod
    def of(cls, url: str, fixture: Path, seed: int) -> Platform:
        p = cls(libpq(url), random.Random(seed))
        layout = load_layout("deployed")
        regexes = [(n, re.compile(e.regex)) for n, e in enumerate(layout.entries)]
        for line in fixture.open(encoding="utf-8"):
            rec = json.loads(line)
            p.values[rec["key"]] = rec["value"]
            entry = next((n for n, rx in regexes if rx.fullmatch(rec["key"])), -1)
            p.by_entry.setdefault(entry, []).append(rec["key"])
        return p

    # ------------------------------------------------------------ statements

    def _set(self, key: str, value: Any) -> tuple[str, list[Any]]:
        self.values[key] = value
        if key in self.deleted:
            self.deleted.remove(key)
        return (f"INSERT INTO {TABLE} (key, value) VALUES (%s, %s::jsonb) "
                "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [key, json.dumps(value, ensure_ascii=False)])

    def _delete(self, key: str) -> tuple[str, list[Any]]:
        self.values.pop(key, None)
        self.deleted.append(key)
        return f"DELETE FROM {TABLE} WHERE key = %s", [key]

    def new_key_of(self, entry: int) -> tuple[str, list[Any]]:
        layout = load_layout("deployed")
        self.made += 1
        new_id = f"feed{self.made}"
        keys = [k for k in self.by_entry.get(entry, []) if k in self.values]
        e = layout.entries[entry]
        if keys:
            template = self.rng.choice(keys)
            value = json.loads(json.dumps(self.values[template]))
            key = re.sub(r"[^:_]+$", new_id, template) if re.search(r"[^:_]+$", template) else template + new_id
            if not re.fullmatch(e.regex, key):
                key = _fill(e.pattern, self.rng)
            if isinstance(value, dict) and "id" in value:
                value["id"] = new_id
        else:
            key = _fill(e.pattern, self.rng)
            value = _made_value(e.shape, self.rng, new_id)
        self.by_entry.setdefault(entry, []).append(key)
        self.kinds["new key"] += 1
        return self._set(key, value)

    def change(self) -> tuple[str, list[Any]]:
        """One random change (a statement and its parameters)."""
        rng = self.rng
        live = sorted(self.values)
        kind = rng.choices(["field", "copy", "delete", "insert", "again", "encode", "retype", "unknown", "hostile"],
                           [30, 8, 10, 14, 5, 10, 8, 4, 6])[0]
        if kind == "again" and self.deleted:
            key = rng.choice(self.deleted)
            self.kinds["deleted key again"] += 1
            return self._set(key, {"id": key.rsplit(":", 1)[-1], "status": "pending", "title": "Снова"})
        if kind == "insert" or not live:
            return self.new_key_of(rng.choice(sorted(k for k in self.by_entry if k >= 0)))
        key = rng.choice(live)
        value = self.values[key]
        if kind == "delete":
            self.kinds["delete"] += 1
            return self._delete(key)
        if kind == "copy":
            entry = next((n for n, ks in self.by_entry.items() if key in ks), -1)
            other = rng.choice([k for k in self.by_entry.get(entry, [key]) if k in self.values] or [key])
            return self._set(key, json.loads(json.dumps(self.values[other])))
        if kind == "encode":
            if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
                try:
                    decoded = _strict(value)
                    self.kinds["decoded back"] += 1
                    return self._set(key, decoded)
                except ValueError:
                    pass
            self.kinds["double-encoded"] += 1
            return self._set(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        if kind == "retype":
            retyped = rng.choice([[value], 42, "просто текст", None, {"wrapped": value}, [], {}])
            if type(retyped) is not type(value):
                self.kinds["type changed"] += 1
            return self._set(key, retyped)
        if kind == "unknown":
            self.made += 1
            return self._set(f"zz_unknown:{self.made}", {"n": self.made})
        if kind == "hostile":
            self.made += 1
            self.kinds["hostile"] += 1
            return rng.choice([
                lambda: self._set(f"deep:{self.made}", json.loads("[" * 600 + "]" * 600)),
                lambda: self._set(key, '{"plays": NaN, "id": "x"}'),
                lambda: self._set(key, '{"title": "nul \\u0000 inside"}'),
                lambda: self._set("k" * 2100 + str(self.made), {"id": "long"}),
                lambda: self._set(f"big:{self.made}", {"blob": "x" * (TOO_LARGE_BYTES + 100)}),
                lambda: self._set(" ", {"id": "blank"}),
                lambda: self._set(key, '{"trailing": 1,}'),
            ])()
        # a field changed
        target = value
        if isinstance(target, str) and target.lstrip()[:1] == "{":
            try:
                target = _strict(target)
            except ValueError:
                return self._set(key, {"id": "was-bad"})
        if isinstance(target, list) and target and isinstance(target[0], dict):
            target = json.loads(json.dumps(target))
            item = rng.choice(target)
            item[rng.choice(sorted(item) or ["id"])] = rng.choice([7, "8", "2026-11-21", None, "нет", True, [1]])
            return self._set(key, target)
        if isinstance(target, dict):
            target = json.loads(json.dumps(target))
            name = rng.choice(sorted(target) or ["status"])
            target[name] = rng.choice([rng.randrange(10**6), "12.50", "2026-11-21T08:00:00Z", "pending", None,
                                       "1:30", {"RU": 3, "x": "y"}, 1e20, "да"])
            if isinstance(value, str):  # it was double-encoded: it stays so
                return self._set(key, json.dumps(target, ensure_ascii=False, separators=(",", ":")))
            return self._set(key, target)
        return self._set(key, rng.choice([rng.randrange(100), str(rng.randrange(100)), "x"]))

    def run(self, statements: list[tuple[str, list[Any]]]) -> None:
        """The statements in one platform transaction."""
        with psycopg.connect(self.url) as conn, conn.transaction():
            for statement, params in statements:
                conn.execute(statement, params)  # type: ignore[arg-type]
