"""The build in PostgreSQL's SQL dialect: the KV table of the same database → a ``promo_load_*`` schema, on the server.

``sync`` uses it when the store is the platform's own database: nothing is read out, the whole build is
``INSERT … SELECT`` from the KV table. It produces the tables ``build.build`` produces on DuckDB, with the same
content and the same ``IngestResult`` numbers, from the same layout objects; the pure pieces (``lit``,
``json_path``, the reject reasons and limits) are ``build.py``'s. What DuckDB does that PostgreSQL 15 does not is
done by small functions created in the load schema (dropped with it):

- ``TRY_CAST``: numbers, decimals, timestamps, dates and times are checked against the grammar DuckDB accepts
  (regular expressions) and then cast; a value that could still fail (30 February) is cast in a function with an
  EXCEPTION block, which only such values reach.
- Double-encoded values: a JSON string holding a JSON object or array is decoded when DuckDB's reader would decode
  it. DuckDB also reads ``NaN``/``Infinity``, ``\\u0000`` and trailing commas, which jsonb refuses: such a string
  is decoded (trailing commas) or rejected with ingest's reason (NUL, NaN), as ingest does.
- Nesting deeper than ``MAX_DEPTH``: the same cheap count of brackets first, then an exact scan (strings skipped).

Layout regexes are RE2 (DuckDB); each is used here as ``^(?:regex)$`` in PostgreSQL's ARE dialect, captures by
position (``regexp_match``). The layouts' placeholders (``[^:]+``, ``[^_:]+``) mean the same in both, which a test
checks on every key of the fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from psycopg import Cursor

from dashboard.ingest.build import (
    _FALSE,
    _TRUE,
    LONG_KEY,
    MAX_KEY_BYTES,
    NONFINITE,
    json_path,
    lit,
)
from dashboard.ingest.layout import _PLACEHOLDER, Entry, Layout
from dashboard.ingest.readers import MAX_DEPTH, NUL_REASON, RAW_CAP, TOO_DEEP
from dashboard.ingest.result import IngestResult
from dashboard.store import schema

Say = Callable[[str], None]
WORK = "promo_work"  # a temporary table: one row per source row, decoded, checked and classified
_DECIMAL = re.compile(r"DECIMAL\((\d+),(\d+)\)")
_VARCHAR = re.compile(r"VARCHAR\((\d+)\)")
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")

# DuckDB's number grammar for TRY_CAST(… AS DOUBLE/DECIMAL): optional sign, digits with single underscores,
# optional fraction and exponent, surrounding whitespace
NUMBER_RE = r"^\s*[+-]?([0-9](_?[0-9])*(\.([0-9](_?[0-9])*)?)?|\.[0-9](_?[0-9])*)([eE][+-]?[0-9]+)?\s*$"
PLAIN_INT_RE = r"^-?[0-9]{1,9}$"
EPOCH_RE = r"^-?[0-9]{1,16}(\.[0-9]+)?$"  # build.coerce: '-?\d{1,16}(\.\d+)?' (RE2's \d is ASCII)
# values that are valid for both engines with the same meaning: cast at once, no EXCEPTION block
_DAY = r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])"
_CLOCK = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
SAFE_TS_RE = rf"^{_DAY}([T ]{_CLOCK}(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?)?$"
SAFE_DATE_RE = rf"^{_DAY}$"
SAFE_TIME_RE = rf"^{_CLOCK}$"
# what DuckDB's timestamp, date and time casts accept at all (the rest is NULL there)
TS_RE = (r"^[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?"
         r"(Z| ?UTC|[+-][0-9]{2}(:?[0-9]{2})?)?)?$")
DATE_RE = r"^\s*[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}\s*$"
TIME_RE = r"^[0-9]{1,2}:[0-9]{1,2}(:[0-5][0-9](\.[0-9]+)?)?([+-][0-9]{2}(:?[0-9]{2})?)?$"
NUL_RE = r"(^|[^\\])(\\\\)*\\u0000"  # build.HOSTILE_MACROS nul_json: \u0000 not preceded by an escaping backslash
STRING_RE = r'"(?:[^"\\]|\\.)*"'


def helper_functions(fn: Callable[[str], str]) -> list[str]:
    """CREATE FUNCTION statements for the helpers, each named through ``fn`` (schema-qualified)."""
    return [
        f"""CREATE FUNCTION {fn('num')}(t text) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $f$
            SELECT CASE WHEN t ~ {lit(NUMBER_RE)} AND NOT t ~ '[eE][+-]?[0-9]{{5,}}'
              THEN replace(t, '_', '')::numeric END $f$""",
        f"""CREATE FUNCTION {fn('float')}(t text) RETURNS float8 LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
            DECLARE u text := lower(btrim(t, E' \\t\\n\\r\\f\\v'));
            BEGIN
              IF u IN ('nan', '+nan', '-nan', 'inf', '+inf', '-inf', 'infinity', '+infinity', '-infinity') THEN
                RETURN replace(u, '+', '')::float8;
              END IF;
              IF t !~ {lit(NUMBER_RE)} THEN RETURN NULL; END IF;
              BEGIN
                RETURN replace(u, '_', '')::float8;
              EXCEPTION WHEN numeric_value_out_of_range OR invalid_text_representation THEN
                RETURN CASE WHEN u ~ 'e-' THEN 0::float8 WHEN left(u, 1) = '-' THEN '-Infinity'::float8
                            ELSE 'Infinity'::float8 END;
              END;
            END $f$""",
        f"""CREATE FUNCTION {fn('integer')}(t text, lo float8, hi float8) RETURNS bigint
            LANGUAGE plpgsql IMMUTABLE STRICT
            PARALLEL SAFE AS $f$
            DECLARE f float8 := {fn('float')}(t);
            BEGIN
              IF f = trunc(f) AND f >= lo AND f <= hi THEN RETURN f::bigint; END IF;
              RETURN NULL;
            END $f$""",
        f"""CREATE FUNCTION {fn('rounded')}(t text) RETURNS bigint
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
            DECLARE f float8 := {fn('float')}(t);
            BEGIN
              IF f > -9223372036854775808::float8 AND f < 9223372036854775807::float8 THEN RETURN f::bigint; END IF;
              RETURN NULL;
            END $f$""",
        f"""CREATE FUNCTION {fn('decimal')}(t text, p int, s int) RETURNS numeric LANGUAGE plpgsql IMMUTABLE STRICT
            PARALLEL SAFE AS $f$
            DECLARE n numeric := {fn('num')}(t);
            BEGIN
              IF n IS NULL OR n = 'NaN'::numeric THEN RETURN NULL; END IF;
              n := round(n, s);
              IF abs(n) < 10::numeric ^ (p - s) THEN RETURN n; END IF;
              RETURN NULL;
            END $f$""",
        f"""CREATE FUNCTION {fn('ts')}(t text) RETURNS timestamptz LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $f$
            BEGIN
              IF t = 'epoch' THEN RETURN 'epoch'::timestamptz; END IF;
              IF lower(t) IN ('infinity', '+infinity', 'inf', '+inf') THEN RETURN 'infinity'::timestamptz; END IF;
              IF lower(t) IN ('-infinity', '-inf') THEN RETURN '-infinity'::timestamptz; END IF;
              IF t !~ {lit(TS_RE)} THEN RETURN NULL; END IF;
              RETURN regexp_replace(t, '(\\.[0-9]{{6}})[0-9]+', '\\1')::timestamptz;
            EXCEPTION WHEN others THEN RETURN NULL;
            END $f$""",
        f"""CREATE FUNCTION {fn('date')}(t text) RETURNS date LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $f$
            BEGIN
              IF t = 'epoch' THEN RETURN '1970-01-01'::date; END IF;
              IF t !~ {lit(DATE_RE)} THEN RETURN NULL; END IF;
              RETURN btrim(t)::date;
            EXCEPTION WHEN others THEN RETURN NULL;
            END $f$""",
        # DuckDB's TIME cast also takes a timestamp (its clock time, the offset dropped) and H:M
        f"""CREATE FUNCTION {fn('time')}(t text) RETURNS time LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
            DECLARE clock text;
            BEGIN
              IF t ~ '^24:00(:00(\\.0+)?)?$' THEN RETURN '24:00:00'::time; END IF;
              IF t = 'epoch' THEN RETURN '00:00:00'::time; END IF;
              IF t ~ {lit(TS_RE)} THEN
                PERFORM substring(t from '^[0-9]{{4}}[-/][0-9]{{1,2}}[-/][0-9]{{1,2}}')::date;
                clock := COALESCE(substring(t from '[T ]([0-9]{{1,2}}:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]+)?)?)'), '00:00');
              ELSIF t ~ {lit(TIME_RE)} THEN
                clock := regexp_replace(t, '[+-][0-9]{{2}}(:?[0-9]{{2}})?$', '');
              ELSE
                RETURN NULL;
              END IF;
              RETURN regexp_replace(clock, '(\\.[0-9]{{6}})[0-9]+', '\\1')::time;
            EXCEPTION WHEN others THEN RETURN NULL;
            END $f$""",
        f"""CREATE FUNCTION {fn('try_jsonb')}(t text) RETURNS jsonb
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$
            BEGIN RETURN t::jsonb; EXCEPTION WHEN others THEN RETURN NULL; END $f$""",
        # the exact nesting test of build.json_depth_over: strings out, then only the brackets are scanned
        f"""CREATE FUNCTION {fn('depth_over')}(t text, lim int) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT
            PARALLEL SAFE AS $f$
            DECLARE b bytea := convert_to(regexp_replace(regexp_replace(t, {lit(STRING_RE)}, '', 'g'),
                                                         '[^][{{}}]', '', 'g'), 'UTF8');
                    d int := 0; c int;
            BEGIN
              FOR i IN 0 .. length(b) - 1 LOOP
                c := get_byte(b, i);
                IF c = 91 OR c = 123 THEN d := d + 1; IF d > lim THEN RETURN TRUE; END IF;
                ELSE d := d - 1; END IF;
              END LOOP;
              RETURN FALSE;
            END $f$""",
        f"""CREATE TYPE {fn('decoded')} AS (value jsonb, reason text)""",
        # a JSON string holding JSON text, as DuckDB's reader sees it: NULL when DuckDB would not decode it (the
        # string stays a string); otherwise the decoded value, or the reason ingest rejects it for
        f"""CREATE FUNCTION {fn('decode')}(s text) RETURNS {fn('decoded')}
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
            AS $f$
            DECLARE lenient text; v jsonb;
            BEGIN
              BEGIN
                RETURN ROW(s::jsonb, NULL)::{fn('decoded')};
              EXCEPTION WHEN others THEN NULL;
              END;
              -- what DuckDB reads and jsonb does not: \\u0000 in strings, NaN/Infinity and trailing commas outside
              SELECT string_agg(CASE WHEN m[1] IS NOT NULL THEN replace(m[1], '\\u0000', '\\u0001')
                                     ELSE regexp_replace(regexp_replace(m[2], '-?(NaN|Infinity)', '0', 'g'),
                                                         ',(\\s*[]}}])', '\\1', 'g') END, '' ORDER BY n)
                INTO lenient
                FROM regexp_matches(s, '({STRING_RE})|([^"]+)', 'g') WITH ORDINALITY AS r(m, n);
              BEGIN
                v := lenient::jsonb;
              EXCEPTION WHEN others THEN RETURN NULL;
              END;
              IF s ~ {lit(NUL_RE)} THEN RETURN ROW(NULL, {lit(NUL_REASON)})::{fn('decoded')}; END IF;
              IF regexp_replace(s, {lit(STRING_RE)}, '', 'g') ~ 'NaN|Infinity' THEN
                RETURN ROW(NULL, {lit(NONFINITE)})::{fn('decoded')};
              END IF;
              RETURN ROW(v, NULL)::{fn('decoded')};
            END $f$""",
    ]


# ---------------------------------------------------------------- classification and extraction


def pg_regex(entry: Entry) -> str:
    """The entry's RE2 pattern as an anchored PostgreSQL ARE (the same text: the layouts use no RE2-only syntax;
    no (?:…) wrapper, which doubles the cost of captures: the placeholders' own regexes have no top-level |)."""
    return "^" + entry.regex + "$"


def match_pg(entry: Entry, key: str) -> str:
    """Does ``key`` fully match the entry's regex? For a pattern of colon-separated tokens with default placeholders
    (see split_segments) that is: as many colons, each literal token equal, each placeholder token non-empty —
    exact, and several times cheaper than PostgreSQL's regex; else the regex."""
    if split_segments(entry) is None:
        return f"{key} ~ {lit(pg_regex(entry))}"
    tokens = entry.pattern.split(":")
    conds = [f"length({key}) - length(replace({key}, ':', '')) = {len(tokens) - 1}"]
    for n, token in enumerate(tokens, start=1):
        part = f"split_part({key}, ':', {n})"
        conds.append(f"{part} <> ''" if _PLACEHOLDER.fullmatch(token) else f"{part} = {lit(token)}")
    return "(" + " AND ".join(conds) + ")"


def classify_pg(layout: Layout, key: str = "k") -> str:
    """build.classify_sql in PostgreSQL: the first entry (most specific) whose prefix and regex match."""
    branches = []
    for pid, entry in enumerate(layout.entries):
        cond = match_pg(entry, key)
        if entry.prefix:
            cond = f"starts_with({key}, {lit(entry.prefix)}) AND {cond}"
        branches.append(f"WHEN {cond} THEN {pid}")
    return "CASE " + " ".join(branches) + " END" if branches else "NULL::integer"


def pg_path(name: str) -> str:
    """A layout field path (``a.b``, ``list[0]``) as a PostgreSQL path literal, through build.json_path."""
    parts = [a or b for a, b in _PATH_PART.findall(json_path(name))]
    return lit("{" + ",".join(parts) + "}")


def split_segments(entry: Entry) -> list[str] | None:
    """The entry's segments as ``split_part(key, ':', n)`` when that is exact: every placeholder is the default
    ``[^:]+`` and sits between colons (or at an end), so for a key the regex matched, each segment is one
    colon-separated token. PostgreSQL's regexp_match with captures costs ~20 µs a key; split_part ~1 µs.
    None when the pattern needs the regex (``banner_ad_{user_id:[^_:]+}_{id}``)."""
    tokens: list[str] = []
    pos = 0
    for m in _PLACEHOLDER.finditer(entry.pattern):
        before, after_start = entry.pattern[pos:m.start()], m.end()
        after = entry.pattern[after_start:]
        if m.group(2) is not None or (before and not before.endswith(":")) or (after and not after.startswith(":")):
            return None
        tokens.append(f"split_part(key, ':', {entry.pattern[:m.start()].count(':') + 1})")
        pos = m.end()
    return tokens


def segment_pg(entry: Entry, n: int) -> str:
    """Segment ``n`` (1-based) of a key the entry's regex matched."""
    split = split_segments(entry)
    return split[n - 1] if split is not None else f"(regexp_match(key, {lit(pg_regex(entry))}))[{n}]"


def owner_pg(entry: Entry) -> str:
    return segment_pg(entry, 1) if entry.segments else "NULL"


def coerce_pg(raw: str, declared: str, column: str, fn: Callable[[str], str]) -> str:
    """build.coerce in PostgreSQL: the text ``raw`` as the column's type, NULL where DuckDB's TRY_CAST gives NULL."""
    if declared == "TEXT":
        return raw
    if m := _VARCHAR.fullmatch(declared):
        return f"CASE WHEN length({raw}) <= {m.group(1)} THEN {raw} END"
    if declared in ("INTEGER", "BIGINT"):
        lo, hi = ("-2147483648", "2147483647") if declared == "INTEGER" else ("-9223372036854775808",
                                                                               "9223372036854775807")
        as_int = (f"CASE WHEN {raw} ~ {lit(PLAIN_INT_RE)} THEN {raw}::{declared} "
                  f"ELSE {fn('integer')}({raw}, {lo}, {hi})::{declared} END")
        if column != "duration":
            return as_int
        part = lambda n: f"split_part({raw}, ':', {n})::integer"  # noqa: E731
        clock = (f"CASE WHEN {raw} ~ '^[0-9]{{1,4}}:[0-9]{{2}}$' THEN {part(1)} * 60 + {part(2)} "
                 f"ELSE {part(1)} * 3600 + {part(2)} * 60 + {part(3)} END")
        return f"CASE WHEN {raw} ~ '^[0-9]{{1,4}}:[0-9]{{2}}(:[0-9]{{2}})?$' THEN {clock} ELSE {as_int} END"
    if m := _DECIMAL.fullmatch(declared):
        p, s = int(m.group(1)), int(m.group(2))
        safe = rf"^-?[0-9]{{1,{p - s}}}(\.[0-9]{{1,{s}}})?$"
        return (f"CASE WHEN {raw} ~ {lit(safe)} THEN {raw}::numeric({p},{s}) "
                f"ELSE {fn('decimal')}({raw}, {p}, {s})::numeric({p},{s}) END")
    if declared == "BOOLEAN":
        low = f"lower(trim({raw}))"
        return f"CASE WHEN {low} IN {_TRUE} THEN TRUE WHEN {low} IN {_FALSE} THEN FALSE END"
    if declared == "TIMESTAMPTZ":
        return timestamptz_pg(raw, fn)
    if declared == "DATE":
        return (f"CASE WHEN length({raw}) = 10 THEN (CASE WHEN {raw} ~ {lit(SAFE_DATE_RE)} THEN {raw}::date "
                f"ELSE {fn('date')}({raw}) END) ELSE ({timestamptz_pg(raw, fn, epoch=False)})::date END")
    if declared == "TIME":
        return f"CASE WHEN {raw} ~ {lit(SAFE_TIME_RE)} THEN {raw}::time ELSE {fn('time')}({raw}) END"
    raise ValueError(f"no coercion for {declared}")


def timestamptz_pg(raw: str, fn: Callable[[str], str], epoch: bool = True) -> str:
    """build.coerce's TIMESTAMPTZ (numbers are epoch seconds or milliseconds), or with ``epoch=False`` DuckDB's
    TRY_CAST(… AS TIMESTAMPTZ) alone."""
    number = f"{raw}::float8"
    seconds = f"to_timestamp(CASE WHEN abs({number}) >= 1e11 THEN {number} / 1000.0 ELSE {number} END)"
    numeric = f"WHEN {raw} ~ {lit(EPOCH_RE)} THEN {seconds} " if epoch else ""
    return f"CASE {numeric}WHEN {raw} ~ {lit(SAFE_TS_RE)} THEN {raw}::timestamptz ELSE {fn('ts')}({raw}) END"


def entry_source_pg(entry: Entry, pid: int) -> str:
    """The rows an entry reads: (key, doc, shape_ok), as build.entry_source_sql."""
    if entry.shape == "array":
        return (f"SELECT w.key, e.doc, jsonb_typeof(e.doc) = 'object' AS shape_ok FROM {WORK} w "
                f"CROSS JOIN LATERAL jsonb_array_elements(w.value) AS e(doc) "
                f"WHERE w.pid = {pid} AND jsonb_typeof(w.value) = 'array'")
    if entry.shape == "scalar":
        return (f"SELECT key, value AS doc, jsonb_typeof(value) NOT IN ('object', 'array') AS shape_ok "
                f"FROM {WORK} WHERE pid = {pid}")
    return f"SELECT key, value AS doc, jsonb_typeof(value) = 'object' AS shape_ok FROM {WORK} WHERE pid = {pid}"


def jsonb_value(x: str, fn: Callable[[str], str]) -> str:
    """build.entity_select's JSON column rule: an object or array as it is, a string holding JSON parsed, any other
    scalar as a JSON string of its text."""
    return (f"CASE WHEN jsonb_typeof({x}) IN ('object', 'array') THEN {x} "
            f"WHEN jsonb_typeof({x}) = 'string' AND left({x} #>> '{{}}', 1) IN ('{{', '[') "
            f"THEN {fn('try_jsonb')}({x} #>> '{{}}') "
            f"WHEN jsonb_typeof({x}) = 'string' THEN {x} ELSE to_jsonb({x} #>> '{{}}') END")


def constant_pg(value: object, declared: str) -> str:
    if declared == "JSONB":
        import json

        return lit(json.dumps(value, ensure_ascii=False)) + "::jsonb"
    return lit(str(value).lower() if isinstance(value, bool) else value) + "::text"


def entity_select_pg(entry: Entry, layout: Layout, pid: int, fn: Callable[[str], str]
                     ) -> tuple[str, list[str], list[str]]:
    """build.entity_select in PostgreSQL: r_<col> (raw text) for the columns that can fail coercion, c_<col> for
    every column. Returns the SQL, the fallible columns and the columns. Each level is fenced (OFFSET 0), so the key's
    regex and each document path are evaluated once per row."""
    assert entry.table
    columns = schema.ENTITY_TABLES[entry.table]
    nulls = ", ".join(lit(s) for s in layout.null_segments) or "NULL"
    raw_exprs: dict[str, str] = {}
    for col, declared in columns:
        candidates: list[str] = []
        if col in entry.segments:
            seg = f"s[{entry.segments.index(col) + 1}]"
            seg_value = f"CASE WHEN {seg} IN ({nulls}) THEN NULL ELSE {seg} END"
            candidates.append(f"to_jsonb({seg_value})" if declared == "JSONB" else seg_value)
        if col in entry.constants:
            candidates.append(constant_pg(entry.constants[col], declared))
        if entry.shape == "scalar":
            if col == entry.column:
                candidates.append("to_jsonb(doc #>> '{}')" if declared == "JSONB" else "doc #>> '{}'")
        else:
            for name in entry.sources[col]:
                path = pg_path(name)
                # a JSON null is no value (DuckDB's json_extract_string gives NULL for it)
                candidates.append(f"NULLIF(doc #> {path}, 'null'::jsonb)" if declared == "JSONB"
                                  else f"(doc #>> {path})")
        empty = "NULL::jsonb" if declared == "JSONB" else "NULL::text"
        raw_exprs[col] = f"COALESCE({', '.join(candidates)})" if candidates else empty
    split = split_segments(entry)
    if not entry.segments:
        segs = "NULL::text[] AS s"
    elif split is not None:
        segs = f"ARRAY[{', '.join(split)}] AS s"
    else:
        segs = f"regexp_match(key, {lit(pg_regex(entry))}) AS s"
    inner = f"SELECT key, doc, shape_ok, {segs} FROM ({entry_source_pg(entry, pid)}) src OFFSET 0"
    raw_sel = ", ".join(f"{expr} AS r_{col}" for col, expr in raw_exprs.items())
    mid = f"SELECT key, shape_ok, {raw_sel} FROM ({inner}) x OFFSET 0"
    out: list[str] = []
    fallible: list[str] = []
    for col, declared in columns:
        if declared == "TEXT":
            out.append(f"r_{col} AS c_{col}")
        elif declared == "JSONB":
            out.append(f"{jsonb_value(f'r_{col}', fn)} AS c_{col}")
        else:
            out.append(f"{coerce_pg(f'r_{col}', declared, col, fn)} AS c_{col}")
            fallible.append(col)
    raw_cols = "".join(f"r_{c}, " for c in fallible)
    return f"SELECT key, shape_ok, {raw_cols}{', '.join(out)} FROM ({mid}) m", fallible, [c for c, _ in columns]


# ---------------------------------------------------------------- the build


def stage_sql(source: str, layout: Layout, fn: Callable[[str], str]) -> str:
    """One statement that reads the whole source table: every row decoded, checked (ingest's reasons, in ingest's
    order) and classified, into the temporary work table."""
    encoded = ("jsonb_typeof(value) = 'string' AND left(ltrim(value #>> '{}', E' \\t\\n\\r'), 1) IN ('{', '[')")
    read = (f"SELECT row_number() OVER () AS record_no, key AS k, value AS v, "
            f"CASE WHEN {encoded} THEN {fn('decode')}(value #>> '{{}}') END AS d "
            f"FROM {source} WHERE key IS NOT NULL OFFSET 0")
    decoded = f"SELECT record_no, k, v, d, CASE WHEN d IS NULL THEN v ELSE (d).value END AS dv FROM ({read}) r OFFSET 0"
    # the text the nesting test reads, only for values big enough to nest that deep: every level of a jsonb
    # container takes at least 8 bytes (its header and its entry in the parent), so MAX_DEPTH levels need 4 KB;
    # a value stored compressed is always looked at
    texted = (f"SELECT record_no, k, v, d, dv, CASE WHEN v IS NOT NULL AND (d).reason IS NULL "
              f"AND octet_length(k) <= {MAX_KEY_BYTES} AND jsonb_typeof(dv) IN ('object', 'array') "
              f"AND (pg_column_size(dv) > {4 * MAX_DEPTH} OR pg_column_compression(dv) IS NOT NULL) "
              f"THEN dv::text END AS t FROM ({decoded}) r OFFSET 0")
    reason = (
        "CASE WHEN trim(k) = '' THEN 'empty key' WHEN v IS NULL THEN 'missing value' "
        f"WHEN octet_length(k) > {MAX_KEY_BYTES} THEN {lit(LONG_KEY)} "
        "WHEN (d).reason IS NOT NULL THEN (d).reason "
        f"WHEN octet_length(t) > {2 * MAX_DEPTH} "
        f"AND octet_length(t) - octet_length(replace(replace(t, '[', ''), '{{', '')) > {MAX_DEPTH} "
        f"AND {fn('depth_over')}(t, {MAX_DEPTH}) THEN {lit(TOO_DEEP)} END"
    )
    checked = f"SELECT record_no, k, v, d, dv, {reason} AS reason FROM ({texted}) c OFFSET 0"
    raw = ("""'{"key":' || to_json(k)::text || CASE WHEN v IS NULL THEN '}' ELSE ',"value":' || v::text || '}' END""")
    body = (f"SELECT record_no, k AS key, CASE WHEN reason IS NULL THEN dv END AS value, "
            f"reason IS NULL AND (d).value IS NOT NULL AS was_encoded, reason, "
            f"CASE WHEN reason IS NOT NULL THEN left({raw}, {RAW_CAP}) END AS raw, "
            f"CASE WHEN reason IS NULL THEN {classify_pg(layout, 'k')} END AS pid FROM ({checked}) x")
    return f"CREATE TEMP TABLE {WORK} ON COMMIT DROP AS {body}"


def build_in_schema(cur: Cursor, target: str, source: str, layout: Layout, result: IngestResult, label: str,
                    say: Say) -> None:
    """The whole build, in the current transaction: the source table (``schema.table``, quoted) → the replaceable
    tables in the schema ``target`` (quoted identifier, already created), with ``result`` filled as build.build
    fills it. ``label`` is the source as kv_rejects.file names it."""
    def fn(name: str) -> str:
        return f"{target}.promo_{name}"

    def t(table: str) -> str:
        return f"{target}.{table}"

    for statement in helper_functions(fn):
        cur.execute(statement.encode())
    for table in schema.replaceable_tables():
        cur.execute(schema.create_table_sql(table, "postgresql", name=t(table)).encode())
    unique = unique_key(cur, source)
    cur.execute(stage_sql(source, layout, fn).encode())
    read, valid = cur.execute(f"SELECT count(*), count(*) FILTER (WHERE reason IS NULL) FROM {WORK}".encode()
                              ).fetchone()  # type: ignore[misc]
    result.rows_read += int(read)
    result.rows_rejected += int(read) - int(valid)
    cur.execute(f"INSERT INTO {t('kv_rejects')} SELECT %s, %s, record_no, raw, reason FROM {WORK} "
                "WHERE reason IS NOT NULL ORDER BY record_no".encode(), [result.run_id, label])
    if not unique:
        # the last occurrence of a key (in the table's physical order) wins, as in ingest's record order
        cur.execute(f"DELETE FROM {WORK} w USING (SELECT key, max(record_no) AS last FROM {WORK} "
                    "WHERE reason IS NULL GROUP BY key HAVING count(*) > 1) d "
                    "WHERE w.reason IS NULL AND w.key = d.key AND w.record_no < d.last".encode())
        result.duplicates += max(cur.rowcount, 0)
    if int(read) != int(valid):
        cur.execute(f"DELETE FROM {WORK} WHERE reason IS NOT NULL".encode())
    cur.execute(f"CREATE INDEX ON {WORK} (pid)".encode())
    cur.execute(f"ANALYZE {WORK}".encode())
    cur.execute(f"INSERT INTO {t('kv_store')} SELECT key, value FROM {WORK}".encode())
    cur.execute(f"INSERT INTO {t('kv_double_encoded')} SELECT key FROM {WORK} WHERE was_encoded".encode())
    cur.execute(f"INSERT INTO {t('kv_unmapped')} SELECT key, CASE WHEN strpos(key, ':') > 0 "
                f"THEN split_part(key, ':', 1) || ':*' ELSE key END FROM {WORK} WHERE pid IS NULL".encode())
    for pid, entry in enumerate(layout.entries):
        if entry.shape == "unmodeled":
            cur.execute(f"INSERT INTO {t('kv_unmapped')} SELECT key, {lit(entry.pattern)} FROM {WORK} "
                        f"WHERE pid = {pid}".encode())
    load_indexes_pg(cur, layout, result, t)
    for pid, entry in enumerate(layout.entries):
        if entry.shape == "counter":
            load_counter_pg(cur, entry, pid, result, t, fn)
        elif entry.table:
            load_entity_pg(cur, entry, layout, pid, result, t, fn)
    result.rows_loaded = int(cur.execute(f"SELECT count(*) FROM {t('kv_store')}".encode()).fetchone()[0])  # type: ignore[index]
    result.rows_unmapped = int(cur.execute(f"SELECT count(*) FROM {t('kv_unmapped')}".encode()).fetchone()[0])  # type: ignore[index]
    rows = cur.execute(f"SELECT pattern, count(*) FROM {t('kv_unmapped')} GROUP BY pattern".encode()).fetchall()
    result.unmapped_by_pattern = dict(sorted(((str(p), int(n)) for p, n in rows), key=lambda kv: (-kv[1], kv[0])))
    rows = cur.execute(f"SELECT reason, count(*) FROM {t('kv_rejects')} GROUP BY reason".encode()).fetchall()
    result.rejects_by_reason = dict(sorted(((str(r), int(n)) for r, n in rows), key=lambda kv: (-kv[1], kv[0])))
    for table in schema.replaceable_tables():
        result.table_counts[table] = int(cur.execute(f"SELECT count(*) FROM {t(table)}".encode()).fetchone()[0])  # type: ignore[index]
    cur.execute(f"DROP TABLE {WORK}".encode())
    for name in ("decode", "depth_over", "try_jsonb", "time", "date", "ts", "decimal", "rounded", "integer",
                 "float", "num"):
        cur.execute(f"DROP FUNCTION {fn(name)}".encode())
    cur.execute(f"DROP TYPE {fn('decoded')}".encode())


def unique_key(cur: Cursor, source: str) -> bool:
    """Does a unique index (a primary key) on the key column alone make duplicates impossible?"""
    row = cur.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
        "AND a.attnum = i.indkey[0] WHERE i.indrelid = %s::regclass AND i.indisunique AND i.indnkeyatts = 1 "
        "AND i.indpred IS NULL AND a.attname = 'key')", [source]).fetchone()
    return bool(row and row[0])


def load_indexes_pg(cur: Cursor, layout: Layout, result: IngestResult, t: Callable[[str], str]) -> None:
    """build.load_indexes: every index entry (an array of ids, or of objects with an id) into kv_index."""
    entries = [(pid, e) for pid, e in enumerate(layout.entries) if e.shape == "index"]
    if not entries:
        return
    pids = ", ".join(str(pid) for pid, _ in entries)
    owner = "CASE pid " + " ".join(f"WHEN {pid} THEN {owner_pg(e)}" for pid, e in entries) + " END"
    cur.execute(
        f"INSERT INTO {t('kv_index')} SELECT key, {owner}, (e.n - 1)::integer, "
        "CASE WHEN jsonb_typeof(e.v) = 'object' THEN e.v ->> 'id' ELSE e.v #>> '{}' END "
        f"FROM {WORK} CROSS JOIN LATERAL jsonb_array_elements(value) WITH ORDINALITY AS e(v, n) "
        f"WHERE pid IN ({pids}) AND jsonb_typeof(value) = 'array'".encode())
    bad = cur.execute(f"SELECT count(*) FROM {WORK} WHERE pid IN ({pids}) AND jsonb_typeof(value) <> 'array'"
                      .encode()).fetchone()
    if bad and bad[0]:
        result.coercion_nulls["kv_index (value not an array)"] = int(bad[0])


def load_counter_pg(cur: Cursor, entry: Entry, pid: int, result: IngestResult, t: Callable[[str], str],
                    fn: Callable[[str], str]) -> None:
    cur.execute(f"INSERT INTO {t('kv_counters')} SELECT key, {owner_pg(entry)}, {lit(entry.pattern)}, "
                f"{fn('rounded')}(value #>> '{{}}') FROM {WORK} WHERE pid = {pid}".encode())
    bad = cur.execute(f"SELECT count(*) FROM {t('kv_counters')} WHERE name = {lit(entry.pattern)} AND value IS NULL"
                      .encode()).fetchone()
    if bad and bad[0]:
        result.coercion_nulls["kv_counters.value"] = result.coercion_nulls.get("kv_counters.value", 0) + int(bad[0])


def load_entity_pg(cur: Cursor, entry: Entry, layout: Layout, pid: int, result: IngestResult,
                   t: Callable[[str], str], fn: Callable[[str], str]) -> None:
    """build.load_entity: the entry's rows, extracted once (raw and coerced side by side), counted, inserted."""
    assert entry.table
    select, fallible, columns = entity_select_pg(entry, layout, pid, fn)
    target = ", ".join(f'"{c}"' for c in [*columns, schema.SOURCE_KEY])
    values = ", ".join([*(f"c_{c}" for c in columns), "key"])
    checks = [f"count(*) FILTER (WHERE shape_ok AND r_{c} IS NOT NULL AND c_{c} IS NULL)" for c in fallible]
    statement = (f"WITH rows AS MATERIALIZED ({select}), "
                 f"ins AS (INSERT INTO {t(entry.table)} ({target}) SELECT {values} FROM rows WHERE shape_ok) "
                 f"SELECT {', '.join([*checks, 'count(*) FILTER (WHERE NOT shape_ok)'])} FROM rows")
    counts = cur.execute(statement.encode()).fetchone()
    assert counts is not None
    for col, n in zip(fallible, counts[:-1], strict=True):
        if n:
            name = f"{entry.table}.{col}"
            result.coercion_nulls[name] = result.coercion_nulls.get(name, 0) + int(n)
    bad = int(counts[-1])
    if entry.shape == "array":
        more = cur.execute(f"SELECT count(*) FROM {WORK} WHERE pid = {pid} AND jsonb_typeof(value) <> 'array'"
                           .encode()).fetchone()
        bad += int(more[0]) if more else 0
    if bad:
        name = f"{entry.table} (wrong shape, row skipped)"
        result.coercion_nulls[name] = result.coercion_nulls.get(name, 0) + bad
