"""Numbers that lose digits on the way in (issue 27 item 11).

The build parses JSON with DuckDB, which holds a number with a fraction or an exponent as a double: a number
written with more digits than a double keeps (``0.1000000000000000055511151231257827``) comes out as ``0.1`` in
``kv_store`` on both engines. Integers keep every digit (DuckDB keeps those beyond 64 bits as text), and so does a
number of 15 significant digits or fewer. The change cannot be seen after the parse, so the raw text is checked:
a cheap pattern finds the candidates, and each candidate's numbers are compared exactly (``Decimal``).

The pattern is a decimal point followed by 7 digits or more: a number of 16 significant digits or more has that,
or 10 digits or more before its point (values of ten billion or more with a fraction, which a double holds to
6 decimals or fewer anyway) or an exponent without a point; those rare forms are not looked for.
"""

from __future__ import annotations

import gzip
import re
import zlib
from decimal import Decimal, InvalidOperation

import duckdb

from dashboard.ingest.readers import SourceFile

SUSPECT = r"\.[0-9]{7}"  # the same pattern in Python and in DuckDB (RE2)
_SUSPECT = re.compile(SUSPECT.encode())
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_NUMBER_BYTES = re.compile(_NUMBER.pattern.encode())
CHUNK = 4 << 20
CARRY = 64  # the end of a chunk after its last line break, at most, carried to the next


def changes_value(token: str) -> bool:
    """True when the JSON number ``token`` reads back as a different value through a double."""
    if not any(c in token for c in ".eE"):
        return False  # integers keep every digit
    try:
        as_double = float(token)
        if repr(as_double) == token:
            return False  # the shortest form of a double, as JavaScript writes numbers
        if as_double in (float("inf"), float("-inf")):
            return False  # kept as text by DuckDB
        return Decimal(token) != Decimal(repr(as_double))
    except (ValueError, InvalidOperation):
        return False


def rounds_numbers(text: str) -> bool:
    """True when a number in the JSON ``text`` (outside strings) loses digits as a double."""
    if not _SUSPECT.search(text.encode("utf-8", "surrogateescape")):
        return False
    bare = _STRING.sub('""', text)
    return any(changes_value(m.group()) for m in _NUMBER.finditer(bare))


def file_has_rounding(src: SourceFile) -> bool:
    """Whether the file may hold a number that loses digits (strings are not told apart here: a lookalike inside
    a string counts too). The fast path (build.fast_stage) leaves such a file to the record-by-record reader,
    where each record is checked and the keys are reported. Numbers that keep their value as doubles, such as
    JavaScript's ``0.30000000000000004``, do not count. The file is read in chunks (a gzipped one
    unpacked) at about 0.6 ms per MB with no such candidates, plus about 7 µs per distinct candidate."""
    if src.size == 0:
        return False
    try:
        seen: set[bytes] = set()
        opener = gzip.open if src.gzipped else open
        # read in chunks, never mapped whole: the pages of a mapped file count in the process's resident memory
        # (a 4.6 GB snapshot showed as 4.6 GB peak RSS); into one buffer, the end of the last chunk moved to its
        # front (a new 4 MB object per chunk, and joining it to the end of the last, was half of this check's CPU)
        buf = bytearray(CARRY + CHUNK)
        view = memoryview(buf)
        kept = 0
        with opener(src.path, "rb") as fh:
            while n := fh.readinto(view[kept:kept + CHUNK]):
                end = kept + n
                cut = max(buf.rfind(b"\n", 0, end) + 1, end - CARRY)  # a number is never cut in two
                if _has_rounding(view[:cut], seen):
                    return True
                kept = end - cut
                buf[:kept] = buf[cut:end]
        return _has_rounding(view[:kept], seen)
    except (OSError, EOFError, ValueError, zlib.error):
        return True  # the record-by-record reader says what is wrong with the file


def _has_rounding(data: bytes | memoryview, seen: set[bytes]) -> bool:
    for m in _SUSPECT.finditer(data):
        before = bytes(data[max(0, m.start() - 24):m.start()])
        token = _NUMBER_BYTES.match(data, m.start() - len(before) + len(before.rstrip(b"-0123456789")))
        if token is None or token.group() in seen:
            continue  # values repeat: each is checked once
        if len(seen) > 100_000:
            seen.clear()
        seen.add(token.group())
        if changes_value(token.group().decode()):
            return True
    return False


def rounded_keys(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Keys of the records staged for one file (tables ``stage`` and ``parsed`` of build.careful_stage) with a
    number that loses digits, in record order."""
    candidates = con.execute(
        "SELECT record_no, COALESCE(value, raw) FROM stage WHERE reason IS NULL "
        f"AND regexp_matches(COALESCE(value, raw), '{SUSPECT}')"
    ).fetchall()
    changed = [record_no for record_no, text in candidates if rounds_numbers(text)]
    if not changed:
        return []
    return [r[0] for r in con.execute(
        "SELECT k FROM parsed WHERE reason IS NULL AND list_contains(?, record_no) ORDER BY record_no", [changed]
    ).fetchall()]
