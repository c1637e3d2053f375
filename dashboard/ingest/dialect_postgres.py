"""The PostgreSQL dialect of the build plan (``plan.py``), and the helper functions it needs in the load schema.

What DuckDB does that PostgreSQL 15 does not is done by small functions created in the load schema (dropped with
it):

- ``TRY_CAST``: numbers, decimals, timestamps, dates and times are checked against the grammar DuckDB accepts
  (regular expressions) and then cast; a value that could still fail (30 February) is cast in a function with an
  EXCEPTION block, which only such values reach.
- Double-encoded values: a JSON string holding a JSON object or array is decoded when DuckDB's reader would decode
  it. DuckDB also reads ``NaN``/``Infinity``, ``\\u0000`` and trailing commas, which jsonb refuses: such a string is
  decoded leniently and marked, and the plan's reject rules (written once, ``plan.reject_reason``) then read its
  text, as they read DuckDB's.
- Nesting deeper than ``MAX_DEPTH``: an exact scan (strings skipped), behind the plan's cheap count of brackets.

Layout regexes are RE2 (DuckDB); each is used here as ``^regex$`` in PostgreSQL's ARE dialect, captures by
position (``regexp_match``). The layouts' placeholders (``[^:]+``, ``[^_:]+``) mean the same in both, which a test
checks on every key of the fixtures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from dashboard.ingest.dialect import FALSE_WORDS, INTEGER_MAP_RE, TRUE_WORDS, Dialect, lit
from dashboard.ingest.layout import _PLACEHOLDER, Entry
from dashboard.ingest.readers import MAX_DEPTH

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
        f"""CREATE TYPE {fn('decoded')} AS (value jsonb, lenient boolean)""",
        # a JSON string holding JSON text, as DuckDB's reader sees it: NULL when DuckDB would not decode it (the
        # string stays a string); otherwise the decoded value, and whether it needed a lenient reading (then the
        # plan's reject rules read the string: NUL and NaN/Infinity are rejected there, as on DuckDB)
        f"""CREATE FUNCTION {fn('decode')}(s text) RETURNS {fn('decoded')}
            LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
            AS $f$
            DECLARE lenient text; v jsonb;
            BEGIN
              BEGIN
                RETURN ROW(s::jsonb, FALSE)::{fn('decoded')};
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
              RETURN ROW(v, TRUE)::{fn('decoded')};
            END $f$""",
    ]


# ---------------------------------------------------------------- classification and extraction


def pg_regex(entry: Entry) -> str:
    """The entry's RE2 pattern as an anchored PostgreSQL ARE (the same text: the layouts use no RE2-only syntax;
    no (?:…) wrapper, which doubles the cost of captures: the placeholders' own regexes have no top-level |)."""
    return "^" + entry.regex + "$"


def match(entry: Entry, key: str) -> str:
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


def segments(entry: Entry) -> str | None:
    if not entry.segments:
        return None
    split = split_segments(entry)
    if split is not None:
        return f"ARRAY[{', '.join(split)}] AS s"
    return f"regexp_match(key, {lit(pg_regex(entry))}) AS s"


def owner(entry: Entry) -> str:
    """Segment 1 of a key the entry's regex matched."""
    if not entry.segments:
        return "NULL"
    split = split_segments(entry)
    return split[0] if split is not None else f"(regexp_match(key, {lit(pg_regex(entry))}))[1]"


def coerce(raw: str, declared: str, column: str, fn: Callable[[str], str]) -> str:
    """The plan's coercion: the text ``raw`` as the column's type, NULL where DuckDB's TRY_CAST gives NULL."""
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
        return f"CASE WHEN {low} IN {TRUE_WORDS} THEN TRUE WHEN {low} IN {FALSE_WORDS} THEN FALSE END"
    if declared == "TIMESTAMPTZ":
        return timestamptz(raw, fn)
    if declared == "DATE":
        return (f"CASE WHEN length({raw}) = 10 THEN (CASE WHEN {raw} ~ {lit(SAFE_DATE_RE)} THEN {raw}::date "
                f"ELSE {fn('date')}({raw}) END) ELSE ({timestamptz(raw, fn, epoch=False)})::date END")
    if declared == "TIME":
        return f"CASE WHEN {raw} ~ {lit(SAFE_TIME_RE)} THEN {raw}::time ELSE {fn('time')}({raw}) END"
    raise ValueError(f"no coercion for {declared}")


def timestamptz(raw: str, fn: Callable[[str], str], epoch: bool = True) -> str:
    """The plan's TIMESTAMPTZ (numbers are epoch seconds or milliseconds), or with ``epoch=False`` DuckDB's
    TRY_CAST(… AS TIMESTAMPTZ) alone."""
    number = f"{raw}::float8"
    seconds = f"to_timestamp(CASE WHEN abs({number}) >= 1e11 THEN {number} / 1000.0 ELSE {number} END)"
    numeric = f"WHEN {raw} ~ {lit(EPOCH_RE)} THEN {seconds} " if epoch else ""
    return f"CASE {numeric}WHEN {raw} ~ {lit(SAFE_TS_RE)} THEN {raw}::timestamptz ELSE {fn('ts')}({raw}) END"


def rows_of(entry: Entry, pid: int, src: str) -> str:
    """The rows an entry reads: (key, doc, shape_ok)."""
    if entry.shape == "array":
        return (f"SELECT w.key, e.doc, jsonb_typeof(e.doc) = 'object' AS shape_ok FROM {src} w "
                f"CROSS JOIN LATERAL jsonb_array_elements(w.value) AS e(doc) "
                f"WHERE w.pid = {pid} AND jsonb_typeof(w.value) = 'array'")
    if entry.shape == "scalar":
        return (f"SELECT key, value AS doc, jsonb_typeof(value) NOT IN ('object', 'array') AS shape_ok "
                f"FROM {src} WHERE pid = {pid}")
    return f"SELECT key, value AS doc, jsonb_typeof(value) = 'object' AS shape_ok FROM {src} WHERE pid = {pid}"


def jsonb_value(x: str, fn: Callable[[str], str]) -> str:
    """The plan's JSON column rule: an object or array as it is, a string holding JSON parsed, any other scalar as
    a JSON string of its text."""
    return (f"CASE WHEN jsonb_typeof({x}) IN ('object', 'array') THEN {x} "
            f"WHEN jsonb_typeof({x}) = 'string' AND left({x} #>> '{{}}', 1) IN ('{{', '[') "
            f"THEN {fn('try_jsonb')}({x} #>> '{{}}') "
            f"WHEN jsonb_typeof({x}) = 'string' THEN {x} ELSE to_jsonb({x} #>> '{{}}') END")


def constant(value: Any, declared: str) -> str:
    if declared == "JSONB":
        return lit(json.dumps(value, ensure_ascii=False)) + "::jsonb"
    return lit(str(value).lower() if isinstance(value, bool) else value) + "::text"


def count_map(x: str, fn: Callable[[str], str]) -> tuple[str, str]:
    """A JSON object of counts with every value an integer (issue 27 item 10): integer-like values become numbers,
    the others are dropped. Returns (the map, how many entries were dropped); not an object: NULL, 0."""
    n = coerce("e.value", "INTEGER", "count", fn)
    kept = (f"COALESCE((SELECT jsonb_object_agg(e.key, c.n) FROM jsonb_each_text({x}) e "
            f"CROSS JOIN LATERAL (SELECT {n} AS n) c WHERE c.n IS NOT NULL), '{{}}'::jsonb)")
    dropped = f"(SELECT count(*) FROM jsonb_each_text({x}) e WHERE ({n}) IS NULL)"
    is_map = f"jsonb_typeof({x}) = 'object'"
    clean = f"{x}::text ~ {lit('^' + INTEGER_MAP_RE + '$')}"  # the usual case: nothing to do
    return (f"CASE WHEN {clean} THEN {x} WHEN {is_map} THEN {kept} END",
            f"CASE WHEN {clean} THEN 0 WHEN {is_map} THEN {dropped} ELSE 0 END")


def index_rows(owner_case: str, src: str, pids: str) -> str:
    """kv_index's rows in list-key order: stored that way, a range of one key prefix (data health reads one per kind
    of list) is a few pages, and the planner reads it by the prefix index instead of the whole table."""
    return ("SELECT key, " + owner_case + ", (e.n - 1)::integer, "
            "CASE WHEN jsonb_typeof(e.v) = 'object' THEN e.v ->> 'id' ELSE e.v #>> '{}' END "
            f"FROM {src} CROSS JOIN LATERAL jsonb_array_elements(value) WITH ORDINALITY AS e(v, n) "
            f"WHERE pid IN ({pids}) AND jsonb_typeof(value) = 'array' ORDER BY key, e.n")


def postgres_dialect(target: str) -> Dialect:
    """The dialect for a build into the load schema ``target`` (a quoted identifier, already created); the helper
    functions (``helper_functions``) are created there as ``promo_*``."""
    def fn(name: str) -> str:
        return f"{target}.promo_{name}"

    return Dialect(
        name="postgresql",
        table=lambda table: f"{target}.{table}",
        fence=" OFFSET 0",
        match=match,
        segments=segments,
        segment=lambda entry, col: f"s[{entry.segments.index(col) + 1}]",
        owner=owner,
        rows_of=rows_of,
        is_array=lambda x: f"jsonb_typeof({x}) = 'array'",
        fields=lambda _paths: None,
        text_field=lambda _n, path: f"(doc #>> {path_literal_of(path)})",
        # a JSON null is no value (DuckDB's json_extract_string gives NULL for it)
        json_field=lambda _n, path: f"NULLIF(doc #> {path_literal_of(path)}, 'null'::jsonb)",
        scalar_text=lambda x: f"({x} #>> '{{}}')",
        json_of_text=lambda x: f"to_jsonb({x})",
        as_text=lambda x: x,
        json_out=lambda x: jsonb_value(x, fn),
        constant=constant,
        null_of=lambda declared: "NULL::jsonb" if declared == "JSONB" else "NULL::text",
        coerce=lambda raw, declared, column: coerce(raw, declared, column, fn),
        rounded=lambda x: f"{fn('rounded')}({x})",
        count_map=lambda x: count_map(x, fn),
        index_rows=index_rows,
        byte_length=lambda x: f"octet_length({x})",
        has_nul_char=lambda _x: "FALSE",  # PostgreSQL text cannot hold one
        matches=lambda x, pattern: f"{x} ~ {lit(pattern)}",
        depth_over=lambda x: f"{fn('depth_over')}({x}, {MAX_DEPTH})",
        ordered_inserts=False,
    )


def path_literal_of(jsonpath: str) -> str:
    """A JSONPath made by the plan (``$.a.b``, ``$.list[0]``) as a PostgreSQL path literal."""
    parts = [a or b for a, b in _PATH_PART.findall(jsonpath)]
    return lit("{" + ",".join(parts) + "}")
