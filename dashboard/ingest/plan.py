"""The build plan: one description of how a layout turns staged KV rows into the store's tables, rendered through a
dialect (``dialect_duckdb.DUCKDB`` for the file ingest, ``dialect_postgres.postgres_dialect`` for the in-server
sync). Written once here, for both engines:

- **reject** — the rules a record is rejected by (``REJECT_RULES``: a key over PostgreSQL's index limit, a NUL,
  NaN/Infinity, nesting deeper than MAX_DEPTH), so both engines hold the same content;
- **classify** — the layout entry (``pid``) of each key: the first, most specific, whose prefix and pattern match;
- **select** — per entity entry, one query giving each column's raw text (``r_*``) and its coerced value (``c_*``);
- **coerce** — each declared type's coercion (the dialect spells it; NULL where it cannot), and maps of counts
  (``COUNT_MAP_COLUMNS``) reduced to their integer entries;
- **lists, indexes, counters** — ``kv_unmapped``, ``kv_double_encoded``, ``kv_index``, ``kv_counters``;
- **counts** — the ``IngestResult`` numbers (coercion NULLs, wrong shapes, dropped counts, tables).

Staging (reading files into DuckDB, or the KV table inside PostgreSQL) and the swap are the engines' own
(``build.py``, ``pg_build.py``, ``target.py``, ``postgres_load.py``). ``Query`` runs one statement and returns
something with ``fetchone``/``fetchall`` (``con.execute`` for DuckDB, a psycopg cursor's ``execute``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dashboard.ingest.dialect import Dialect, json_path, lit
from dashboard.ingest.layout import Entry, Layout
from dashboard.ingest.readers import MAX_DEPTH, NUL_REASON, TOO_DEEP
from dashboard.ingest.result import IngestResult
from dashboard.store import schema

Query = Callable[[str], Any]
# One entry's load (its table's rows, or its counters), run with a query function and the result to count into.
EntryLoad = Callable[[Query, IngestResult], None]


@dataclass(frozen=True)
class RunLoads:
    """How the entries' loads (pid, load) run, counting into the result: one after another on the build's
    connection (none given), or the DuckDB build's connections at once (``build.loads_side_by_side``).
    ``insertion_order_on``: the runner keeps DuckDB's insertion order on while the loads run (the setting is the
    database's, not a connection's: two loads at once cannot turn it on and off around their own inserts), so an
    insert in PHYSICAL_ORDER only adds its ORDER BY."""

    run: Callable[[Sequence[tuple[int, EntryLoad]], IngestResult], None]
    insertion_order_on: bool = False
# The load steps that are not one entry's (negative, so they sort before the entries' pids): the lists of keys
# (kv_unmapped, kv_double_encoded) and the index entries (kv_index), each over the whole work table.
LISTS, INDEXES = -2, -1

MAX_KEY_BYTES = 2000
LONG_KEY = f"key longer than {MAX_KEY_BYTES} bytes (PostgreSQL cannot index it)"
NONFINITE = "NaN or Infinity, which JSON and PostgreSQL jsonb do not allow"
STRING_RE = r'"(?:[^"\\]|\\.)*"'  # a JSON string (RE2 and PostgreSQL ARE alike)
NUL_RE = r"(?:^|[^\\])(?:\\\\)*\\u0000"  # \u0000 not preceded by an escaping backslash

# JSON columns that are maps of counts ({"RU": 10}): the queries sum their values as integers (json_each … CAST AS
# INTEGER, queries/artist/artist_geography.sql, artist_platforms.sql, artist_concert_referrals.sql). Any table's
# column of that name is coerced so: integer-like values become numbers, others are dropped and counted.
COUNT_MAP_COLUMNS = frozenset({"platform_stats", "geographic_stats", "referral_sources"})


# ---------------------------------------------------------------- reject


def _nul(d: Dialect, k: str, t: str) -> str:
    return f"({d.has_nul_char(k)} OR {d.has_nul_char(t)} OR (strpos({t}, '\\u0000') > 0 AND {d.matches(t, NUL_RE)}))"


def _nonfinite(d: Dialect, _k: str, t: str) -> str:
    outside_strings = f"regexp_replace({t}, {lit(STRING_RE)}, '', 'g')"
    return f"((strpos({t}, 'NaN') > 0 OR strpos({t}, 'Infinity') > 0) AND {d.matches(outside_strings, 'NaN|Infinity')})"


def _deep(d: Dialect, _k: str, t: str) -> str:
    # cheap tests first: long enough, and more than MAX_DEPTH opening brackets at all; then the exact scan
    without = f"replace(replace({t}, '[', ''), '{{', '')"
    brackets = f"{d.byte_length(t)} - {d.byte_length(without)}"
    return f"({d.byte_length(t)} > {2 * MAX_DEPTH} AND {brackets} > {MAX_DEPTH} AND {d.depth_over(t)})"


# Records one engine cannot store are rejected on both, in this order (the first rule that holds gives the reason).
REJECT_RULES: tuple[tuple[str, Callable[[Dialect, str, str], str]], ...] = (
    (LONG_KEY, lambda d, k, _t: f"{d.byte_length(k)} > {MAX_KEY_BYTES}"),
    (NUL_REASON, _nul),
    (NONFINITE, _nonfinite),
    (TOO_DEEP, _deep),
)


def reject_reason(d: Dialect, key: str, text: str) -> str:
    """The reason the record (key, JSON text of its decoded value) is rejected for, or NULL."""
    return "CASE " + " ".join(f"WHEN {rule(d, key, text)} THEN {lit(reason)}" for reason, rule in REJECT_RULES) + " END"


# ---------------------------------------------------------------- classify


# Classification first looks at a key's first CLASSIFY_HEAD characters, then tries only the entries whose prefix
# starts so (and those whose prefix is shorter): a CASE tries its branches one by one, and the deployed layout has
# 128 entries (the classification cost 0.39 s of CPU over the 1M-key medium demo; 0.22 s so).
CLASSIFY_HEAD = 4


def classify(d: Dialect, layout: Layout, key: str = "k") -> str:
    """The pid of the first entry (most specific) whose prefix and pattern match ``key``; NULL for none."""
    def condition(entry: Entry) -> str:
        cond = d.match(entry, key)
        return f"starts_with({key}, {lit(entry.prefix)}) AND {cond}" if entry.prefix else cond

    def first_match(candidates: list[tuple[int, Entry]]) -> str:
        if not candidates:
            return "NULL::INTEGER"
        return "CASE " + " ".join(f"WHEN {condition(e)} THEN {pid}" for pid, e in candidates) + " END"

    entries = list(enumerate(layout.entries))
    short = [(pid, e) for pid, e in entries if len(e.prefix) < CLASSIFY_HEAD]
    heads = list(dict.fromkeys(e.prefix[:CLASSIFY_HEAD] for _pid, e in entries if len(e.prefix) >= CLASSIFY_HEAD))
    if not heads:
        return first_match(short)
    # a head's candidates, in the layout's order: the entries under it, and the shorter prefixes it starts with
    groups = " ".join(
        f"WHEN {lit(head)} THEN "
        + first_match([(pid, e) for pid, e in entries if e.prefix[:CLASSIFY_HEAD] == head
                       or (len(e.prefix) < CLASSIFY_HEAD and head.startswith(e.prefix))])
        for head in heads
    )
    return f"CASE left({key}, {CLASSIFY_HEAD}) {groups} ELSE {first_match(short)} END"


# ---------------------------------------------------------------- select and coerce


def entity_select(d: Dialect, entry: Entry, layout: Layout, pid: int, src: str
                  ) -> tuple[str, list[str], list[str], list[str]]:
    """SELECT producing r_<col> (raw text) for the columns that can fail coercion, c_<col> (coerced) for every
    column of the entry's table and n_<col> (entries dropped) for maps of counts. Returns the SQL, the columns that
    can fail coercion, the columns and the maps of counts. Each level is computed once per row."""
    assert entry.table
    columns = schema.ENTITY_TABLES[entry.table]
    paths: list[str] = []
    raw_exprs: dict[str, str] = {}
    nulls = ", ".join(lit(s) for s in layout.null_segments) or "NULL"
    for col, declared in columns:
        is_json = declared == "JSONB"
        candidates: list[str] = []
        if col in entry.segments:
            seg = d.segment(entry, col)
            value = f"CASE WHEN {seg} IN ({nulls}) THEN NULL ELSE {seg} END"
            candidates.append(d.json_of_text(value) if is_json else value)
        if col in entry.constants:
            candidates.append(d.constant(entry.constants[col], declared))
        if entry.shape == "scalar":
            if col == entry.column:
                text = d.scalar_text("doc")
                candidates.append(d.json_of_text(text) if is_json else text)
        else:
            for name in entry.sources[col]:
                paths.append(json_path(name))
                n = len(paths) - 1
                candidates.append(d.json_field(n, paths[n]) if is_json else d.text_field(n, paths[n]))
        if not is_json:
            candidates = [d.as_text(c) for c in candidates]
        raw_exprs[col] = f"COALESCE({', '.join(candidates)})" if candidates else d.null_of(declared)
    items = ["key", "doc", "shape_ok"]
    if paths and (fields := d.fields(paths)):
        items.append(fields)
    if entry.segments and (segs := d.segments(entry)):
        items.append(segs)
    inner = f"SELECT {', '.join(items)} FROM ({d.rows_of(entry, pid, src)}) src{d.fence}"
    raw_sel = ", ".join(f"{expr} AS r_{col}" for col, expr in raw_exprs.items())
    mid = f"SELECT key, shape_ok, {raw_sel} FROM ({inner}) x{d.fence}"
    out: list[str] = []
    fallible: list[str] = []
    maps: list[str] = []
    for col, declared in columns:
        if declared == "TEXT":
            out.append(f"r_{col} AS c_{col}")
        elif declared == "JSONB":
            out.append(f"{d.json_out(f'r_{col}')} AS c_{col}")
            if col in COUNT_MAP_COLUMNS:
                maps.append(col)
        else:
            out.append(f"{d.coerce(f'r_{col}', declared, col)} AS c_{col}")
            fallible.append(col)
    raw_cols = "".join(f"r_{c}, " for c in fallible)
    select = f"SELECT key, shape_ok, {raw_cols}{', '.join(out)} FROM ({mid}) m"
    if not maps:
        return select, fallible, [c for c, _ in columns], maps
    # maps of counts: one more level, over the stored JSON value; a value that is not an object counts as fallible
    final: list[str] = []
    for col, _ in columns:
        if col in maps:
            kept, dropped = d.count_map(f"c_{col}")
            final.append(f"{kept} AS c_{col}, {dropped} AS n_{col}")
        else:
            final.append(f"c_{col}")
    keep_raw = "".join(f"r_{c}, " for c in fallible)
    counted = f"SELECT key, shape_ok, {keep_raw}{', '.join(f'c_{c} AS r_{c}' for c in maps)}, {', '.join(final)} " \
              f"FROM ({select}{d.fence}) cm"
    return counted, [*fallible, *maps], [c for c, _ in columns], maps


# ---------------------------------------------------------------- load: lists, indexes, counters, entities


def _add(result: IngestResult, name: str, n: int) -> None:
    if n:
        result.coercion_nulls[name] = result.coercion_nulls.get(name, 0) + int(n)


def load_lists(d: Dialect, q: Query, layout: Layout, work: str) -> None:
    """kv_double_encoded, and kv_unmapped: keys no entry matched (by key prefix) and keys of unmodeled entries."""
    q(f"INSERT INTO {d.table('kv_double_encoded')} SELECT key FROM {work} WHERE was_encoded")
    q(f"INSERT INTO {d.table('kv_unmapped')} SELECT key, CASE WHEN strpos(key, ':') > 0 "
      f"THEN split_part(key, ':', 1) || ':*' ELSE key END FROM {work} WHERE pid IS NULL")
    for pid, entry in enumerate(layout.entries):
        if entry.shape == "unmodeled":
            q(f"INSERT INTO {d.table('kv_unmapped')} SELECT key, {lit(entry.pattern)} FROM {work} WHERE pid = {pid}")


def load_indexes(d: Dialect, q: Query, layout: Layout, result: IngestResult, src: str) -> None:
    """Every index entry (an array of ids, or of objects with an id) into kv_index, in one pass."""
    entries = [(pid, e) for pid, e in enumerate(layout.entries) if e.shape == "index"]
    if not entries:
        return
    pids = ", ".join(str(pid) for pid, _ in entries)
    owner = "CASE pid " + " ".join(f"WHEN {pid} THEN {d.owner(e)}" for pid, e in entries) + " END"
    q(f"INSERT INTO {d.table('kv_index')} {d.index_rows(owner, src, pids)}")
    bad = q(f"SELECT count(*) FROM {src} WHERE pid IN ({pids}) AND NOT {d.is_array('value')}").fetchone()
    if bad and bad[0]:
        result.coercion_nulls["kv_index (value not an array)"] = int(bad[0])


def load_counter(d: Dialect, q: Query, entry: Entry, pid: int, result: IngestResult, src: str) -> None:
    q(f"INSERT INTO {d.table('kv_counters')} SELECT key, {d.owner(entry)}, {lit(entry.pattern)}, "
      f"{d.rounded(d.scalar_text('value'))} FROM {src} WHERE pid = {pid}")
    bad = q(f"SELECT count(*) FROM {d.table('kv_counters')} WHERE name = {lit(entry.pattern)} AND value IS NULL"
            ).fetchone()
    _add(result, "kv_counters.value", bad[0] if bad else 0)


# The column an entity table carries while a DuckDB build loads it (``Dialect.flags_failures``): a row's bit i is
# set when its table's i-th fallible column (``fallible_columns``) had a value that did not coerce. A load then
# inserts straight from its select, and the failures are counted from the tables once every load is done
# (``count_flagged``), which also drops the column. Before, each load put its rows in a temporary table, counted
# them there and inserted them from it: on the deployed 1M demo the direct insert takes a fifth less CPU (tracks
# 0.44 → 0.35 CPU-s, donations 0.33 → 0.27, the column's drop included). Entries whose table has maps of counts,
# and arrays (their wrong-shape elements are counted from the extraction), keep the temporary table.
FAILED = "promo_failed"


def fallible_columns(table: str) -> list[str]:
    """The table's columns whose coercion can fail (every declared type but text and JSON), in order."""
    return [c for c, declared in schema.ENTITY_TABLES[table] if declared not in ("TEXT", "JSONB")]


def flagged_tables(d: Dialect) -> list[str]:
    """The entity tables that carry FAILED while a counted build loads them (none on an engine that does not)."""
    if not d.flags_failures:
        return []
    return [t for t, cols in schema.ENTITY_TABLES.items()
            if not any(c in COUNT_MAP_COLUMNS for c, _ in cols) and len(fallible_columns(t)) <= 30]


def count_flagged(d: Dialect, q: Query, result: IngestResult) -> None:
    """The failed coercions flagged in FAILED, counted per table and column; then the column is dropped."""
    for table in flagged_tables(d):
        fallible = fallible_columns(table)
        if fallible:
            bits = ", ".join(f"count(*) FILTER (WHERE {FAILED} & {1 << i} <> 0)" for i in range(len(fallible)))
            counts = q(f"SELECT {bits} FROM {d.table(table)} WHERE {FAILED} IS NOT NULL").fetchone()
            for col, n in zip(fallible, counts, strict=True):
                _add(result, f"{table}.{col}", n)
        q(f"ALTER TABLE {d.table(table)} DROP COLUMN {FAILED}")


def load_entity(d: Dialect, q: Query, entry: Entry, layout: Layout, pid: int, result: IngestResult,
                src: str, count: bool = True, insertion_order_on: bool = False) -> None:
    """The entry's rows, extracted once (raw and coerced side by side), counted, then inserted (``count`` False:
    inserted straight from the select, nothing counted, in no particular order: a delta build of a few keys)."""
    assert entry.table
    select, fallible, columns, maps = entity_select(d, entry, layout, pid, src)
    target = ", ".join(f'"{c}"' for c in [*columns, schema.SOURCE_KEY])
    values = ", ".join([*(f"c_{c}" for c in columns), "key"])
    if not count:
        q(f"INSERT INTO {d.table(entry.table)} ({target}) SELECT {values} FROM ({select}) AS promo_entity_rows "
          "WHERE shape_ok")
        return
    order = schema.PHYSICAL_ORDER.get(entry.table)
    # written in (owner, date) order so that zone maps prune per-artist reads
    order_by = f" ORDER BY {', '.join(f'c_{c}' for c in order)}" if order and d.ordered_inserts else ""
    if entry.shape != "array" and entry.table in flagged_tables(d):
        bits = " + ".join(f"CASE WHEN r_{c} IS NOT NULL AND c_{c} IS NULL THEN {1 << i} ELSE 0 END"
                          for i, c in enumerate(fallible))
        q(f"INSERT INTO {d.table(entry.table)} ({target}, {FAILED}) SELECT {values}, "
          f"{f'NULLIF({bits}, 0)' if fallible else 'NULL'} FROM ({select}) AS promo_entity_rows WHERE shape_ok"
          f"{order_by}")
        # the shape is the value's first character: counted without parsing the documents again
        bad = q(f"SELECT count(*) FROM ({d.rows_of(entry, pid, src)}) AS r WHERE NOT shape_ok").fetchone()
        _add(result, f"{entry.table} (wrong shape, row skipped)", bad[0] if bad else 0)
        return
    q(f"CREATE TEMP TABLE promo_entity_rows AS {select}")
    checks = [f"count(*) FILTER (WHERE shape_ok AND r_{c} IS NOT NULL AND c_{c} IS NULL)" for c in fallible]
    checks += [f"COALESCE(sum(n_{c}) FILTER (WHERE shape_ok), 0)" for c in maps]
    counts = q(f"SELECT {', '.join([*checks, 'count(*) FILTER (WHERE NOT shape_ok)'])} FROM promo_entity_rows"
               ).fetchone()
    for col, n in zip(fallible, counts[:len(fallible)], strict=True):
        _add(result, f"{entry.table}.{col}", n)
    for col, n in zip(maps, counts[len(fallible):-1], strict=True):
        _add(result, f"{entry.table}.{col} (count not an integer, dropped from the map)", n)
    q(f"INSERT INTO {d.table(entry.table)} ({target}) SELECT {values} FROM promo_entity_rows WHERE shape_ok"
      f"{order_by}")
    q("DROP TABLE promo_entity_rows")
    bad = int(counts[-1])
    if entry.shape == "array":
        more = q(f"SELECT count(*) FROM {src} WHERE pid = {pid} AND NOT {d.is_array('value')}").fetchone()
        bad += int(more[0]) if more else 0
    _add(result, f"{entry.table} (wrong shape, row skipped)", bad)


def in_turn(loads: Sequence[tuple[int, EntryLoad]], result: IngestResult, q: Query | None = None) -> None:
    """Run the loads one after another on ``q``."""
    assert q is not None
    for _pid, run in loads:
        run(q, result)


def entry_loads(d: Dialect, layout: Layout, src_of: Callable[[int], str], pids: set[int] | None = None,
                count: bool = True, insertion_order_on: bool = False) -> list[tuple[int, EntryLoad]]:
    """Each counter and entity entry's load, in the layout's order (see ``load`` and ``RunLoads``)."""
    loads: list[tuple[int, EntryLoad]] = []
    for pid, entry in enumerate(layout.entries):
        if pids is not None and pid not in pids:
            continue
        if entry.shape == "counter":
            loads.append((pid, lambda q, r, e=entry, p=pid: load_counter(d, q, e, p, r, src_of(p))))
        elif entry.table:
            loads.append((pid, lambda q, r, e=entry, p=pid: load_entity(
                d, q, e, layout, p, r, src_of(p), count=count, insertion_order_on=insertion_order_on)))
    return loads


def load(d: Dialect, q: Query, layout: Layout, result: IngestResult, work: str,
         src_of: Callable[[int], str], pids: set[int] | None = None, count: bool = True,
         run_loads: RunLoads | None = None, lists: bool = True) -> None:
    """The plan's load steps over the work table (one row per distinct key, decoded, classified: key, value, pid,
    was_encoded); ``src_of(pid)`` is the table an entry reads (the work table or a copy of part of it). ``pids``:
    the entries the work table has keys of, when known: the others' statements are skipped (an entry without keys
    makes no rows and counts nothing either way; a small snapshot has keys of few entries, and each statement costs
    tens of milliseconds to plan). ``count`` False: a delta build, which counts nothing (``load_entity``).
    ``run_loads``: how the entries' loads run (default: one after another on ``q``). ``lists`` False: the caller
    has loaded the lists of keys already (``load_lists``: the DuckDB build runs them beside its sort of the small
    entries)."""
    index_pids = [pid for pid, e in enumerate(layout.entries) if e.shape == "index"]
    index_src = src_of(index_pids[0]) if index_pids else work
    loads: list[tuple[int, EntryLoad]] = [
        *([(LISTS, lambda q, _r: load_lists(d, q, layout, work))] if lists else []),
        (INDEXES, lambda q, r: load_indexes(d, q, layout, r, index_src)),
        *entry_loads(d, layout, src_of, pids, count, run_loads is not None and run_loads.insertion_order_on),
    ]
    if run_loads is None:
        in_turn(loads, result, q)
    else:
        run_loads.run(loads, result)
    if count:
        count_flagged(d, q, result)


def count_results(d: Dialect, q: Query, result: IngestResult) -> None:
    """Keys loaded and unmapped, by pattern and by reject reason, and every replaceable table's rows."""
    def one(sql: str) -> int:
        row = q(sql).fetchone()
        return int(row[0]) if row else 0

    result.rows_loaded = one(f"SELECT count(*) FROM {d.table('kv_store')}")
    result.rows_unmapped = one(f"SELECT count(*) FROM {d.table('kv_unmapped')}")
    rows = q(f"SELECT pattern, count(*) FROM {d.table('kv_unmapped')} GROUP BY pattern").fetchall()
    result.unmapped_by_pattern = dict(sorted(((str(p), int(n)) for p, n in rows), key=lambda kv: (-kv[1], kv[0])))
    rows = q(f"SELECT reason, count(*) FROM {d.table('kv_rejects')} GROUP BY reason").fetchall()
    result.rejects_by_reason = dict(sorted(((str(r), int(n)) for r, n in rows), key=lambda kv: (-kv[1], kv[0])))
    # every table's rows in one statement (a statement per table cost tens of milliseconds each to plan); the
    # rollups are built after the count, from the tables counted here
    tables = [t for t in schema.replaceable_tables() if t not in schema.ROLLUP_TABLES]
    union = " UNION ALL ".join(f"SELECT {n}, count(*) FROM {d.table(t)}" for n, t in enumerate(tables))
    counted = dict(q(union).fetchall())
    for n, table in enumerate(tables):
        result.table_counts[table] = int(counted[n])
