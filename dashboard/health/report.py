"""The checks' affected records in words, for the page and its CSV: who, what is wrong, by how much, which KV keys,
and the fix. No Streamlit; numbers in the Russian format (``1 250``) via ``dashboard.i18n.formatting``."""

from __future__ import annotations

import collections
import functools
import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from dashboard.health.checks import artist_names, counts, run_checks
from dashboard.i18n.formatting import money, number, signed_number
from dashboard.i18n.translations import t
from dashboard.ingest.layout import Entry, LayoutError, layout_path, load_layout
from dashboard.store.connect import Store
from dashboard.store.queries import run_query

COLUMNS = ("artist", "problem", "by", "keys", "fix")
HIDDEN = ("current_value", "double_encoded", "scalar")  # fix-proposal plumbing, not for people


def _v(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float):
        return None if value != value else value  # NaN
    if isinstance(value, (str, int)):  # most values: no numpy scalar to unwrap
        return value
    return value.item() if hasattr(value, "item") else value


def _text(value: Any) -> str:
    value = _v(value)
    return "—" if value is None else str(value)


def _keys(key: Any, other: Any = None, others: int = 1, lang: str = "ru") -> str:
    parts = [_text(key)]
    if _v(other) is not None:
        parts.append(t("health.more_keys", lang, kv=_text(other), more=others - 1) if others > 1 else _text(other))
    return ", ".join(parts)


Row = Any
Describer = Callable[[Row, str], tuple[str, str, str, str]]  # problem, by, keys, fix


def _coin(row: Row, lang: str) -> tuple[str, str, str, str]:
    problems, fixes = [], []
    scalar = _v(getattr(row, "scalar", None))  # the layout's shape of the balance key (health_report)
    if scalar is None:  # else its current value: e.g. the deployed layout's coins:balance:{u} holds a number
        scalar = not str(_v(getattr(row, "current_value", None)) or "").lstrip().startswith("{")
    if _v(row.balance) is None or row.balance != row.tx_sum:
        problems.append(t("health.problem.balance", lang, recorded=number(row.balance, lang),
                          computed=number(row.tx_sum, lang)))
        fixes.append(t("health.fix.set_value", lang, kv=row.kv_key, value=number(row.tx_sum, lang)) if scalar else
                     t("health.fix.set_field", lang, kv=row.kv_key, field="balance", value=number(row.tx_sum, lang)))
    for field, computed in (("lifetime_earned", row.tx_earned), ("lifetime_spent", row.tx_spent)):
        recorded = _v(getattr(row, field))
        if recorded is not None and recorded != computed:
            problems.append(t(f"health.problem.{field}", lang, recorded=number(recorded, lang),
                              computed=number(computed, lang)))
            fixes.append(t("health.fix.set_field", lang, kv=row.kv_key, field=field, value=number(computed, lang)))
    return ("; ".join(problems), signed_number(row.difference, lang),
            _keys(row.kv_key, row.tx_key, int(row.tx_keys), lang), "; ".join(fixes))


def _dangling(row: Row, lang: str) -> tuple[str, str, str, str]:
    return (t("health.problem.dangling", lang, item=_text(row.item_id), target=row.target), "1",
            _text(row.kv_key), t("health.fix.remove_id", lang, item=_text(row.item_id), kv=row.kv_key))


def _unread(row: Row, lang: str) -> tuple[str, str, str, str]:
    return (t("health.problem.unread", lang, counter=number(row.counter, lang), unread=number(row.unread, lang)),
            signed_number(row.difference, lang), _keys(row.kv_key, row.related_key, 1, lang),
            t("health.fix.set_value", lang, kv=row.kv_key, value=number(row.unread, lang)))


def _orphan_analytics(row: Row, lang: str) -> tuple[str, str, str, str]:
    kind = t(f"health.kind.{row.kind}", lang)
    return (t(f"health.problem.orphan_{row.kind}", lang, parent=_text(row.parent_id)), "—", _text(row.kv_key),
            t("health.fix.orphan_analytics", lang, kv=row.kv_key, kind=kind, parent=_text(row.parent_id)))


def _orphan_message(row: Row, lang: str) -> tuple[str, str, str, str]:
    return (t("health.problem.orphan_message", lang, item=_text(row.item_id), parent=_text(row.parent_id)), "—",
            _text(row.kv_key), t("health.fix.orphan_message", lang, kv=row.kv_key, parent=_text(row.parent_id)))


def _orphan_donation(row: Row, lang: str) -> tuple[str, str, str, str]:
    amount = money(_v(row.amount), _v(row.currency), lang)
    return (t("health.problem.orphan_donation", lang, item=_text(row.item_id), amount=amount,
              artist=_text(row.artist_id)), amount, _text(row.kv_key),
            t("health.fix.orphan_donation", lang, kv=row.kv_key))


def _guest_payment(row: Row, lang: str) -> tuple[str, str, str, str]:
    amount = money(_v(row.amount), _v(row.currency), lang)
    return (t("health.problem.guest_payment", lang, item=_text(row.item_id), amount=amount, type=_text(row.type),
              status=_text(row.status)), amount, _text(row.kv_key),
            t("health.fix.guest_payment", lang, item=_text(row.item_id)))


def _missing(row: Row, lang: str) -> tuple[str, str, str, str]:
    return (t("health.problem.missing", lang, table=row.table_name, field=row.field, item=_text(row.item_id)), "—",
            _text(row.kv_key), t("health.fix.missing", lang, field=row.field, kv=row.kv_key))


DESCRIBERS: dict[str, Describer] = {
    "coin_balance_drift": _coin,
    "dangling_list_ids": _dangling,
    "unread_counter_drift": _unread,
    "orphan_analytics": _orphan_analytics,
    "orphan_messages": _orphan_message,
    "orphan_donations": _orphan_donation,
    "guest_payments": _guest_payment,
    "missing_required_fields": _missing,
}


def describe(name: str, frame: pd.DataFrame, lang: str, names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per affected record: artist (display name, else id), problem, by, keys, fix (all text)."""
    names = names or {}
    rows = []
    # rows as named tuples of Python values, made column by column (itertuples walked the Arrow-backed text columns
    # one element at a time: a third of the describing)
    shape = collections.namedtuple("Row", list(frame.columns), rename=True)  # type: ignore[misc]
    for row in map(shape._make, zip(*(frame[c].tolist() for c in frame.columns), strict=True)):
        owner = _v(row.artist_id)
        rows.append((names.get(owner, owner) if owner is not None else "—", *DESCRIBERS[name](row, lang)))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def export_frame(name: str, frame: pd.DataFrame, lang: str, names: dict[str, str] | None = None,
                 described: pd.DataFrame | None = None) -> pd.DataFrame:
    """The CSV: the described columns (headers in ``lang``) followed by the query's own columns (``described``:
    ``describe``'s result for ``frame``, when already made)."""
    if described is None:
        described = describe(name, frame, lang, names)
    headed = described.rename(columns=lambda c: t(f"health.col.{c}", lang))
    raw = frame.drop(columns=[c for c in HIDDEN if c in frame.columns]).reset_index(drop=True)
    return pd.concat([headed, raw], axis=1)


@functools.lru_cache(maxsize=8)
def _compiled_entries(layout_spec: str, _mtime_ns: int) -> list[tuple[re.Pattern[str], Entry]]:
    """The layout's entries with their compiled patterns, read again when the file changes."""
    return [(re.compile(e.regex), e) for e in load_layout(layout_spec).entries]


def scalar_balances(layout_spec: str, keys: pd.Series) -> pd.Series:
    """For each coin balance key: True when its layout entry stores a bare number (the deployed layout's
    ``coins:balance:{user_id}``), False when an object with a ``balance`` field, None when no coins_balance entry
    matches or the layout cannot be read. The first matching entry wins, as at ingest."""
    try:
        entries = _compiled_entries(layout_spec, layout_path(layout_spec).stat().st_mtime_ns)
    except (LayoutError, OSError):
        return pd.Series([None] * len(keys), index=keys.index, dtype=object)

    def shape(key: Any) -> bool | None:
        if not isinstance(key, str):
            return None
        entry = next((e for regex, e in entries if key.startswith(e.prefix) and regex.fullmatch(key)), None)
        return entry.shape == "scalar" if entry is not None and entry.table == "coins_balance" else None

    return pd.Series([shape(k) for k in keys], index=keys.index, dtype=object)


def health_report(store: Store, lang: str, max_rows: int) -> dict[str, dict[str, Any]]:
    """What the Data health page shows of the findings, in ``lang``: each check's count (``found``), its first
    ``max_rows`` findings in words (``shown``) and its whole CSV frame (``export``), for the checks that found
    something. The page caches it per store version, so a rerun neither runs the checks nor formats thousands of
    findings again. The keys' current values (for ``check --fixes``) are not read: the coin fix's wording needs
    only whether the balance is a bare number, which the store's layout says (reading the values of a few hundred
    keys spread over kv_store cost 100 ms at 1M keys, a block each)."""
    def run(name: str, **params: Any) -> pd.DataFrame:
        return run_query(store, name, **params)

    results = run_checks(store, runner=run, values=False)
    coins = results["coin_balance_drift"]
    if len(coins):
        last = run("last_ingest")
        layout = str(last["layout"].iloc[0]) if len(last) and last["layout"].iloc[0] else "seed"
        results["coin_balance_drift"] = coins.assign(scalar=scalar_balances(layout, coins["kv_key"]))
    names = artist_names(run, results)  # only the artists named in the findings, never the whole list
    found = {n: f for n, f in results.items() if len(f)}
    described = {n: describe(n, f, lang, names) for n, f in found.items()}  # once, for the page and the CSV
    return {"found": dict(counts(results)),
            "shown": {n: d.head(max_rows) for n, d in described.items()},
            "export": {n: export_frame(n, found[n], lang, names, d) for n, d in described.items()},
            "rows": found,  # each check's own rows: with the language and the names, all its words come from them
            "names": {n: _names_in(f, names) for n, f in found.items()}}


def _names_in(frame: pd.DataFrame, names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """The (artist id, name) pairs that ``frame``'s findings are worded with."""
    if "artist_id" not in frame.columns:
        return ()
    return tuple(sorted((a, names[a]) for a in set(frame["artist_id"]) if isinstance(a, str) and a in names))
