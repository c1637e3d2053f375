"""Streaming readers for KV snapshot files: NDJSON, a JSON array, CSV (key,value) and Parquet, each maybe gzipped.

Each reader yields batches of records as column lists, so memory stays flat whatever the file's size. A record
is (record_no, raw, key, value): NDJSON and JSON-array records carry only ``raw`` (the object's text; the store
parses it in SQL), CSV records carry ``key`` and ``value`` (JSON text) and ``raw`` for reject reports. Records
that cannot even be split out of the file carry a ``reason``. Parquet is read by DuckDB itself.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import re
import shutil
import tempfile
import zlib
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

BATCH_RECORDS = 50_000
BATCH_BYTES = 32 * 1024 * 1024
RAW_CAP = 10_000
FORMATS = ("ndjson", "json", "csv", "parquet")
_GZIP_MAGIC = b"\x1f\x8b"
_PARQUET_MAGIC = b"PAR1"
_BOM = "\ufeff"
_SURROGATE = re.compile("[\udc80-\udcff]")
MAX_DEPTH = 512
INVALID_UTF8 = "invalid UTF-8"
TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
# NUL is checked in SQL, after decoding (build.HOSTILE_MACROS)
NUL_REASON = "contains \\u0000, which PostgreSQL jsonb cannot store"
# One record too large to load is rejected with its size, and the rest of the file loads (issue 27). One setting
# for every path: the file readers, the sync's read-out and the in-server build.
MAX_VALUE_ENV = "PROMO_MAX_VALUE_BYTES"
DEFAULT_MAX_VALUE_BYTES = 32 * 1024 * 1024


def max_value_bytes() -> int:
    """The largest record (its key and value text, in bytes) an ingest loads; ``PROMO_MAX_VALUE_BYTES``."""
    raw = os.environ.get(MAX_VALUE_ENV, "").strip()
    try:
        limit = int(raw) if raw else DEFAULT_MAX_VALUE_BYTES
    except ValueError:
        raise InputError(f"{MAX_VALUE_ENV}={raw!r} is not a number of bytes") from None
    if limit < 1:
        raise InputError(f"{MAX_VALUE_ENV}={raw!r} must be a positive number of bytes")
    return limit


TOO_LARGE_FORMAT = "record of {:,} bytes is over the {:,}-byte limit (" + MAX_VALUE_ENV + ")"  # also DuckDB's format


def too_large_reason(size: int, limit: int) -> str:
    """The reject reason of a record over the limit: its size and the setting that decides it."""
    return TOO_LARGE_FORMAT.format(size, limit)


TRUNCATED = "the compressed data ends early (the file is truncated)"


class InputError(Exception):
    """A fatal problem with an input file; the message is one line for the user."""


@dataclass
class Batch:
    record_no: list[int] = field(default_factory=list)
    raw: list[str | None] = field(default_factory=list)
    key: list[str | None] = field(default_factory=list)
    value: list[str | None] = field(default_factory=list)
    reason: list[str | None] = field(default_factory=list)
    size: int = 0
    # what the reader noticed about the file's structure that is not a record (a stray bracket, an array that is
    # never closed): for the ingest summary
    notes: list[str] = field(default_factory=list)

    def add(self, record_no: int, raw: str | None, key: str | None = None, value: str | None = None,
            reason: str | None = None) -> None:
        self.record_no.append(record_no)
        self.raw.append(raw)
        self.key.append(key)
        self.value.append(value)
        self.reason.append(reason)
        self.size += len(raw or "") + len(value or "")

    def full(self) -> bool:
        return len(self.record_no) >= BATCH_RECORDS or self.size >= BATCH_BYTES

    def __len__(self) -> int:
        return len(self.record_no)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    format: str
    gzipped: bool
    size: int


ProgressFn = Callable[[int], None]


def detect(path: Path) -> SourceFile:
    """Name the file's format from its content, with the extension as a tie-breaker."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    with open(path, "rb") as fh:
        gzipped = fh.read(2) == _GZIP_MAGIC
    try:
        with _open_binary(path, gzipped) as fh:
            head = fh.read(4096)
    except EOFError:  # a gzip file cut within its first block: said as a longer cut is (read_batches)
        raise InputError(f"{path}: {TRUNCATED}; nothing was loaded") from None
    except (OSError, zlib.error) as exc:
        raise InputError(f"{path}: cannot read ({exc}); nothing was loaded") from None
    name = path.name.lower().removesuffix(".gz")
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if head.startswith(_PARQUET_MAGIC):
        fmt = "parquet"
    else:
        text = head.decode("utf-8", errors="replace").lstrip(_BOM).lstrip()
        first_line = text.split("\n", 1)[0].strip().strip('"').lower()
        if ext in ("ndjson", "jsonl") or (text.startswith("{") and ext != "json"):
            fmt = "ndjson"
        elif text.startswith("["):
            fmt = "json"
        elif text.startswith("{"):
            fmt = "ndjson"
        elif ext == "csv" or first_line.replace('"', "").replace(" ", "").startswith("key,value"):
            fmt = "csv"
        elif not text:
            fmt = {"json": "json", "csv": "csv", "parquet": "parquet"}.get(ext, "ndjson")
        else:
            raise InputError(f"{path}: unknown format (expected NDJSON, a JSON array, CSV key,value or Parquet)")
    return SourceFile(path=path, format=fmt, gzipped=gzipped, size=path.stat().st_size)


def _open_binary(path: Path, gzipped: bool) -> IO[bytes]:
    return gzip.open(path, "rb") if gzipped else open(path, "rb")


def _cap(text: str) -> str:
    return text if len(text) <= RAW_CAP else text[:RAW_CAP]


def read_batches(src: SourceFile, progress: ProgressFn | None = None) -> Iterator[Batch]:
    """Batches of records from a text-format file (not Parquet). A file that cannot be read to its end (a gzip
    stream cut short, corrupt compressed data) is refused whole: the records lost in it cannot be counted."""
    readers = {"ndjson": _ndjson, "json": _json_array, "csv": _csv}
    if src.format not in readers:
        raise InputError(f"{src.path}: {src.format} is not a text format")
    limit = max_value_bytes()
    try:
        with _open_binary(src.path, src.gzipped) as fh:
            yield from readers[src.format](fh, progress, limit)
    except InputError as exc:
        raise InputError(f"{src.path}: {exc}; nothing was loaded") from None
    except EOFError:
        raise InputError(f"{src.path}: {TRUNCATED}; nothing was loaded, since the records lost in the cut cannot "
                         "be counted") from None
    except (OSError, zlib.error) as exc:
        raise InputError(f"{src.path}: read failed ({exc}); nothing was loaded") from None


def _ndjson(fh: IO[bytes], progress: ProgressFn | None, limit: int) -> Iterator[Batch]:
    """One record per line. A line over the size limit is rejected with its size and never held whole."""
    batch = Batch()
    cap = limit + 3  # the record, CR LF, and one byte to tell "over the limit" apart
    line_no = 0
    while True:
        line = fh.readline(cap)
        if not line:
            break
        line_no += 1
        if len(line) == cap and not line.endswith(b"\n"):
            size, head = _drain_line(fh, line)
            batch.add(line_no, _cap(head.decode("utf-8", errors="replace")), reason=too_large_reason(size, limit))
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            batch.add(line_no, _cap(line.decode("utf-8", errors="replace")), reason=INVALID_UTF8)
            continue
        if line_no == 1:
            text = text.lstrip(_BOM)
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        if len(text) * 4 > limit and len(text.encode("utf-8")) > limit:
            batch.add(line_no, _cap(text), reason=too_large_reason(len(text.encode("utf-8")), limit))
            continue
        _add_record(batch, line_no, text)
        if batch.full():
            if progress:
                progress(fh.tell() if hasattr(fh, "tell") else 0)
            yield batch
            batch = Batch()
    if batch:
        yield batch


def _drain_line(fh: IO[bytes], head: bytes) -> tuple[int, bytes]:
    """Read past the rest of an over-long line; its size (without the line end) and its first bytes."""
    size = len(head)
    tail = head
    while not tail.endswith(b"\n"):
        tail = fh.readline(1 << 20)
        if not tail:
            break
        size += len(tail)
    size -= 2 if tail.endswith(b"\r\n") else 1 if tail.endswith(b"\n") else 0
    return size, head[: RAW_CAP * 4]


def _shown(text: str) -> str:
    """Text decoded with surrogateescape, made storable: invalid bytes shown as U+FFFD (only in reject reports)."""
    return _cap(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


# ---------------------------------------------------------------- big records

# A record over 1 MB is split into its key and its value's text here, as a CSV row is: the SQL stage then parses
# the value once instead of the whole record many times (a 30 MB record would need more than the build's memory).
SPLIT_ABOVE = 1 << 20
_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_VALUE_TOKEN = re.compile(r'["{}\[\]]')
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def _add_record(batch: Batch, record_no: int, text: str) -> None:
    split = _split_record(text) if len(text) > SPLIT_ABOVE else None
    if split is None:
        batch.add(record_no, text)
    else:
        batch.add(record_no, _cap(text), key=split[0], value=split[1])


def _split_record(text: str) -> tuple[str, str] | None:
    """The key and the value's text of a ``{"key": …, "value": …}`` record, without building the value (its end
    is found by a bracket scan; the SQL stage checks it is JSON). None for anything unusual (no key or value, a
    key that is not a string, a name twice, other syntax): such a record takes the ordinary path."""
    try:
        i = _WS.match(text).end()
        if text[i] != "{":
            return None
        i, names, key, value = i + 1, set(), None, None
        while True:
            i = _WS.match(text, i).end()
            if text[i] != '"':
                return None
            name, i = _DECODER.raw_decode(text, i)
            if name in names:
                return None
            names.add(name)
            i = _WS.match(text, i).end()
            if text[i] != ":":
                return None
            start = i = _WS.match(text, i + 1).end()
            if name == "value" and text[i] in "{[":
                i = _value_end(text, i)
                if i is None:
                    return None
                value = text[start:i]
            else:
                decoded, i = _DECODER.raw_decode(text, i)
                if name == "key":
                    if not isinstance(decoded, str):
                        return None
                    key = decoded
                elif name == "value":
                    value = text[start:i]
            i = _WS.match(text, i).end()
            if text[i] == ",":
                i += 1
                continue
            if text[i] != "}" or text[i + 1:].strip(" \t\r\n"):
                return None
            return (key, value) if key is not None and value is not None else None
    except (ValueError, IndexError, RecursionError):
        return None


def _value_end(text: str, i: int) -> int | None:
    """Where the object or array starting at ``i`` ends (strings skipped, brackets counted)."""
    depth = 0
    while True:
        m = _VALUE_TOKEN.search(text, i)
        if m is None:
            return None
        j = m.start()
        if text[j] == '"':
            s = _JSON_STRING.match(text, j)
            if s is None:
                return None
            i = s.end()
            continue
        depth += 1 if text[j] in "{[" else -1
        i = j + 1
        if depth == 0:
            return i


# ---------------------------------------------------------------- JSON array

_STRING_AT = rb'"[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*(")?'  # a string, closed (group 1) or stopped by a line break
_TOKEN_IN = re.compile(_STRING_AT + rb"|[{}\[\]\n]")  # inside an element's brackets
_TOKEN_TOP = re.compile(_STRING_AT + rb"|[{}\[\],\n]")  # outside them (a scalar element ends at a comma)
_TOKEN_LINE = re.compile(_STRING_AT + rb"|\n")  # a broken element that ends with its line
_QUOTE, _BACKSLASH, _NEWLINE, _COMMA = ord('"'), ord("\\"), ord("\n"), ord(",")
_LBRACE, _RBRACE, _LBRACKET = ord("{"), ord("}"), ord("[")
_STRING_BODY = re.compile(rb'[^"\\\n\r]*(?:\\[^\n\r][^"\\\n\r]*)*')  # to the closing quote or a line break
_SKIP = re.compile(rb"[ \t\r\n,]*")
_BLANK = re.compile(rb"[ \t\r\n]*")
_INDENT = re.compile(rb"[ \t]*")
_LINE_TAIL = re.compile(rb"[ \t,\]]*(?:\r?\n|\Z)")  # nothing else on the line after an element
_LINE_LEAD = re.compile(rb"[ \t\[,]*")
# what a swallowed record looks like: a {"key": or {"value": after a string that never closed
_RECORD_START = re.compile(rb'\{\s*"(?:key|value)"\s*:')
MALFORMED = "malformed JSON"
CHUNK = 1 << 20


@dataclass
class _Feed:
    """The part of a file being scanned: ``data`` holds the bytes from ``base`` (the file offset of data[0])."""

    fh: IO[bytes]
    data: bytes = b""
    eof: bool = False

    def more(self, keep_from: int) -> int:
        """Drop data before ``keep_from`` and read another chunk; returns how far positions moved."""
        chunk = self.fh.read(CHUNK)
        self.eof = not chunk
        self.data = self.data[keep_from:] + chunk
        return keep_from


@dataclass
class _Element:
    """One array element found by the scanner: its bytes (or, over the size limit, only its head), its size and
    the reason it is malformed, if it is."""

    raw: bytes
    size: int
    broken: bool
    depth: int
    whole: bool = True


def _array_items(fh: IO[bytes], limit: int) -> Iterator[_Element | str]:
    """The elements of a top-level JSON array, and notes (str) about its structure, without parsing.

    Strings and nesting are tracked (no recursion, any depth), so a malformed element costs only itself:
    - a raw line break cannot occur inside a JSON string: a string that reaches one is broken there, and the scan
      goes on from the line break (so a string that never closes takes only the rest of its line);
    - a closing bracket of the wrong kind closes up to its own kind; one that belongs to no open bracket ends the
      element before it;
    - inside an element that started a line, a line starting with ``{`` no further right than the element's own
      start begins the next element (indented files: always; files of one element per line: at the element's first
      line break; after a broken string: always);
    - an object's ``{`` directly inside the element's object (not after a ``:``) begins the next element.
    A ``]`` or ``}`` between elements is noted and skipped (records after an early ``]`` are read, not dropped).
    Where the elements cannot be told apart (a string that never closes on a line shared with further records,
    or at the end of the file), the file is refused: InputError."""
    feed = _Feed(fh)
    feed.more(0)
    if feed.data.startswith(b"\xef\xbb\xbf"):
        feed.data = feed.data[3:]
    p = _BLANK.match(feed.data).end()
    if feed.data[p:p + 1] != b"[":
        raise InputError("not a JSON array")
    p += 1
    count = 0
    closed = False
    while True:
        p = _SKIP.match(feed.data, p).end()
        if p >= len(feed.data):
            if feed.eof:
                break
            line = feed.data.rfind(b"\n", 0, p) + 1
            p -= feed.more(line if p - line < CHUNK else p)
            continue
        c = feed.data[p]
        if c in b"]}":
            q = _BLANK.match(feed.data, p + 1).end()
            if q >= len(feed.data) and not feed.eof:
                p -= feed.more(p)
                continue
            if c == ord("]") and q >= len(feed.data):
                closed = True
                p = q
                continue
            if c == ord("]"):
                yield f"a ] after record {count:,} closes the array early; the records after it were read too"
                if feed.data[q:q + 1] == b"[":  # a second array right after the first
                    q += 1
            else:
                yield f"a stray }} after record {count:,} was skipped"
                q = p + 1
            p = q
            continue
        line = feed.data.rfind(b"\n", 0, p) + 1
        lead = _LINE_LEAD.match(feed.data, line).end()
        at_line_start = lead >= p and b"[" not in feed.data[line:p]  # only blanks or , before it on its line
        indented = at_line_start and p > line and not feed.data[line:p].strip(b" \t")
        element, p = _scan_element(feed, p, p - line, at_line_start, indented, limit, count + 1)
        count += 1
        own_line = at_line_start and _LINE_TAIL.match(feed.data, p) is not None
        if (not own_line and element.whole and _RECORD_START.search(element.raw, 1)
                and not _valid_json(element.raw)):
            raise InputError(f"record {count:,} is malformed and holds what look like further records on the same "
                             "line, so they cannot be told apart")
        yield element
    if not closed:
        yield f"the array is not closed (no final ] after record {count:,}); every record before the end was read"


def _scan_element(feed: _Feed, start: int, col: int, at_line_start: bool, indented: bool, limit: int,
                  record_no: int) -> tuple[_Element, int]:
    """Scan one element from ``start``; returns it and the position after it. One regex step per string or
    bracket (commas count only between elements; a colon is looked back for). Once an element that starts its
    own line is known to be broken, its lines decide where it ends, not its brackets: the end of its line (one
    element per line), or its closing ``}`` at its own indentation (an indented file)."""
    stack = bytearray()
    max_depth = 0
    broken = False
    breaks = 0
    i = start
    in_string = False  # only when a buffer ended inside a string: resume it after reading more
    by_lines = False  # broken, and its lines tell where it ends
    skipped = 0  # bytes of an over-limit element already dropped
    head = b""

    def refill(at: int) -> int:
        """Read more; an element over the limit keeps only its head. Returns the shift of positions."""
        nonlocal start, skipped, head
        if skipped or at - start > limit:
            if not head:
                head = feed.data[start:start + RAW_CAP * 4]
            skipped += at - start
            start = at
        return feed.more(start)

    while True:
        data = feed.data
        if in_string:
            k = _STRING_BODY.match(data, i).end()
            if k < len(data) and data[k] == _QUOTE:
                in_string, i = False, k + 1
                continue
        else:
            m = (_TOKEN_LINE if by_lines else _TOKEN_IN if stack else _TOKEN_TOP).search(data, i)
            if m is None:
                if feed.eof:
                    end = len(data)
                    if stack or by_lines:
                        return _refuse_or_end(feed, start, end, record_no, skipped, head, max_depth,
                                              "an element is never closed before the end of the file")
                    return _element(feed, start, end, broken, max_depth, skipped, head), end
                scanned = len(data)  # no token in what is here: scan only the new chunk
                shift = refill(scanned)
                i, start = scanned - shift, start - shift
                continue
            j = m.start()
            ch = data[j]
            if ch == _QUOTE:
                k = m.end()
                if m.lastindex == 1:  # closed
                    i = k
                    continue
                in_string = True
        if in_string:  # k: where the string's body stopped (a line break, a backslash before one, or the end)
            if k >= len(data) or (data[k] == _BACKSLASH and k + 1 >= len(data)):
                if feed.eof:
                    return _refuse_or_end(feed, start, len(data), record_no, skipped, head, max_depth,
                                          "a string never closes before the end of the file")
                shift = refill(k)
                i, start = k - shift, start - shift
                continue
            # a raw line break (or a backslash before one) inside a string: broken at the line break
            in_string = False
            broken, by_lines = True, at_line_start
            if _RECORD_START.search(data, max(start + 1, data.rfind(b"\n", 0, k) + 1), k):
                raise InputError(f"record {record_no:,} has a string that never closes, on a line that holds "
                                 "further records, so they cannot be told apart")
            i = k if data[k] != _BACKSLASH else k + 1
            continue
        if ch == _NEWLINE:
            if not stack and not by_lines:
                return _element(feed, start, j, broken, max_depth, skipped, head), j
            if by_lines and not indented:
                return _element(feed, start, j, True, max_depth, skipped, head), j
            n = _INDENT.match(data, j + 1).end()
            if n >= len(data) and not feed.eof:
                shift = refill(j)
                i, start = j - shift, start - shift
                continue
            breaks += 1
            lead, indent = data[n:n + 1], n - j - 1
            if at_line_start and lead == b"{" and indent <= col and (indented or breaks == 1 or broken):
                return _element(feed, start, j, True, max_depth, skipped, head), j
            if by_lines:  # indented
                if lead == b"}" and indent == col:
                    return _element(feed, start, n + 1, True, max_depth, skipped, head), n + 1
                if lead == b"]" and indent < col:
                    return _element(feed, start, j, True, max_depth, skipped, head), j
            i = j + 1
            continue
        if ch in (_LBRACE, _LBRACKET):
            if (ch == _LBRACE and len(stack) == 1 and stack[0] == _LBRACE and j > start
                    and _RECORD_START.match(data, j)):  # a record's {"key": inside the element's object
                before = data[max(start, j - 64):j].rstrip(b" \t\r\n") or data[start:j].rstrip(b" \t\r\n")
                if not before.endswith(b":"):  # an object's { inside the element's object, not a member's value
                    return _element(feed, start, j, True, max_depth, skipped, head), j
            stack.append(ch)
            if len(stack) > max_depth:
                max_depth = len(stack)
        elif ch == _COMMA:  # only searched for between members of no bracket: the element ends
            return _element(feed, start, j, broken, max_depth, skipped, head), j
        else:  # } or ]
            if not stack:
                return _element(feed, start, j, broken, max_depth, skipped, head), j
            opener = _LBRACE if ch == _RBRACE else _LBRACKET
            if stack[-1] == opener:
                stack.pop()
            else:
                broken, by_lines = True, at_line_start
                at = stack.rfind(bytes([opener]))
                if at < 0 and not by_lines:
                    return _element(feed, start, j, True, max_depth, skipped, head), j
                del stack[max(at, 0):]
            if not stack and not by_lines:
                nxt = _INDENT.match(data, j + 1).end()
                if at_line_start and data[nxt:nxt + 1] not in (b"", b",", b"]", b"\r", b"\n"):
                    broken = by_lines = True  # more on its line after it closed: the element is what is broken
                else:
                    return _element(feed, start, j + 1, broken, max_depth, skipped, head), j + 1
        i = j + 1


def _element(feed: _Feed, start: int, end: int, broken: bool, depth: int, skipped: int, head: bytes) -> _Element:
    if skipped:
        return _Element(head, skipped + end - start, broken, depth, whole=False)
    raw = feed.data[start:end].rstrip()
    return _Element(raw, len(raw), broken, depth)


def _refuse_or_end(feed: _Feed, start: int, end: int, record_no: int, skipped: int, head: bytes, depth: int,
                   what: str) -> tuple[_Element, int]:
    """An element cut off by the end of the file: rejected alone, unless it swallowed what look like further
    records (then they cannot be told apart, and the file is refused)."""
    if _RECORD_START.search(feed.data, start + 1, end):
        raise InputError(f"record {record_no:,}: {what}, and it holds what look like further records, "
                         "so they cannot be told apart")
    return _element(feed, start, end, True, depth, skipped, head), end


def _json_array(fh: IO[bytes], progress: ProgressFn | None, limit: int) -> Iterator[Batch]:
    """Batches of a top-level JSON array's elements (see _array_items). Invalid UTF-8, nesting deeper than
    MAX_DEPTH, an element over the size limit and a broken element are rejects here; the SQL stage checks that
    each other element is a valid {"key", "value"} object."""
    batch = Batch()
    record_no = 0
    for item in _array_items(fh, limit):
        if isinstance(item, str):
            batch.notes.append(item)
            continue
        record_no += 1
        if not item.whole or item.size > limit:
            batch.add(record_no, _cap(item.raw.decode("utf-8", "replace")), reason=too_large_reason(item.size, limit))
        else:
            try:
                text = item.raw.decode("utf-8")
            except UnicodeDecodeError:
                batch.add(record_no, _cap(item.raw.decode("utf-8", "replace")), reason=INVALID_UTF8)
            else:
                if item.broken:
                    batch.add(record_no, _cap(text), reason=MALFORMED)
                elif item.depth > MAX_DEPTH:
                    batch.add(record_no, _cap(text), reason=TOO_DEEP)
                else:
                    _add_record(batch, record_no, text)
        if batch.full():
            if progress:
                progress(fh.tell())
            yield batch
            batch = Batch()
    if batch or batch.notes:
        yield batch


# ---------------------------------------------------------------- CSV

UNCLOSED_QUOTE = "a quoted value never closes"


@dataclass(frozen=True)
class _Line:
    no: int
    text: str  # decoded with surrogateescape, line end kept; only the head of an over-long line
    size: int  # bytes, line end included
    whole: bool


def _physical_lines(fh: IO[bytes], cap: int) -> Iterator[_Line]:
    """The file's lines; one longer than ``cap`` bytes is never held whole (its head and size only)."""
    no = 0
    while True:
        line = fh.readline(cap)
        if not line:
            return
        no += 1
        if no == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if len(line) == cap and not line.endswith(b"\n"):
            size, head = _drain_line(fh, line)
            yield _Line(no, head.decode("utf-8", "surrogateescape"), size, False)
        else:
            yield _Line(no, line.decode("utf-8", "surrogateescape"), len(line), True)


def _csv(fh: IO[bytes], progress: ProgressFn | None, limit: int) -> Iterator[Batch]:
    """CSV with key and value columns. A quoted value may span lines; one that never closes (it runs to the end
    of the file, past the size limit, or its lines do not make valid JSON) costs only its first line, and the
    lines after it are read as records again. Record numbers are the line numbers where records start."""
    csv.field_size_limit(1 << 30)
    cap = 2 * limit + 3  # CSV doubles the quotes of a JSON value: the line may be twice the record's size
    lines = _physical_lines(fh, cap)
    pending: deque[_Line] = deque()

    def next_line() -> _Line | None:
        return pending.popleft() if pending else next(lines, None)

    header_line = next_line()
    while header_line is not None and not header_line.text.strip():
        header_line = next_line()
    if header_line is None:
        return
    header = next(csv.reader([header_line.text]), [])
    names = [h.strip().lower() for h in header]
    if "key" not in names or "value" not in names:
        raise InputError("CSV needs a header with key and value columns")
    ki, vi = names.index("key"), names.index("value")
    batch = Batch()
    while True:
        first = next_line()
        if first is None:
            break
        if not first.whole:
            batch.add(first.no, _shown(first.text), reason=too_large_reason(first.size, limit))
            continue
        group = [first]
        stop: list[str] = []

        def feed(group: list[_Line] = group, stop: list[str] = stop) -> Iterator[str]:
            yield group[0].text
            total = group[0].size
            while True:  # the reader asks for another line only while a quoted value is open
                more = next_line()
                if more is None:
                    stop.append("eof")
                    return
                if not more.whole or total + more.size > cap:
                    pending.appendleft(more)
                    stop.append("limit")
                    return
                group.append(more)
                total += more.size
                yield more.text

        row = next(csv.reader(feed()), None)
        if not row:  # a blank line
            continue
        if stop or (len(group) > 1 and not _json_text(row[vi] if len(row) > vi else "")):
            pending.extendleft(reversed(group[1:]))
            batch.add(first.no, _shown(first.text.rstrip("\r\n")), reason=UNCLOSED_QUOTE)
        else:
            joined = ",".join(row)
            if _SURROGATE.search(joined):
                batch.add(first.no, _shown(joined), reason=INVALID_UTF8)
            elif len(row) <= max(ki, vi):
                batch.add(first.no, _cap(joined), reason="row has too few columns")
            else:
                size = len(row[ki].encode("utf-8")) + len(row[vi].encode("utf-8"))
                if size > limit:
                    batch.add(first.no, _cap(joined), reason=too_large_reason(size, limit))
                else:
                    batch.add(first.no, _cap(joined), key=row[ki], value=row[vi])
        if batch.full():
            if progress:
                progress(fh.tell())
            yield batch
            batch = Batch()
    if batch:
        yield batch


def _valid_json(raw: bytes) -> bool:
    try:
        json.loads(raw)
    except (ValueError, RecursionError):
        return False
    return True


def _json_text(text: str) -> bool:
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def parquet_path(src: SourceFile, workdir: Path) -> Path:
    """A plain Parquet file DuckDB can read; a gzipped one is unpacked into ``workdir`` first."""
    if not src.gzipped:
        return src.path
    fd, name = tempfile.mkstemp(suffix=".parquet", dir=workdir)
    try:
        with os.fdopen(fd, "wb") as out, gzip.open(src.path, "rb") as fh:
            shutil.copyfileobj(fh, out, 1 << 20)
    except EOFError:
        raise InputError(f"{src.path}: {TRUNCATED}; nothing was loaded") from None
    except (OSError, zlib.error) as exc:
        raise InputError(f"{src.path}: cannot unpack ({exc}); nothing was loaded") from None
    return Path(name)


def sha256_of(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
