"""Streaming readers for KV snapshot files: NDJSON, a JSON array, CSV (key,value) and Parquet, each maybe gzipped.

Each reader yields batches of records as column lists, so memory stays flat whatever the file's size. A record
is (record_no, raw, key, value): NDJSON and JSON-array records carry only ``raw`` (the object's text; the store
parses it in SQL), CSV records carry ``key`` and ``value`` (JSON text) and ``raw`` for reject reports. Records
that cannot even be split out of the file carry a ``reason``. Parquet is read by DuckDB itself.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import shutil
import tempfile
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
_TOKEN = re.compile(r'["{}\[\],:]')
_STRING_REST = re.compile(r'(?:[^"\\]|\\.)*"', re.S)
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
        return int(raw) if raw else DEFAULT_MAX_VALUE_BYTES
    except ValueError:
        raise InputError(f"{MAX_VALUE_ENV}={raw!r} is not a number of bytes") from None


def too_large_reason(size: int, limit: int) -> str:
    """The reject reason of a record over the limit: its size and the setting that decides it."""
    return f"record of {size:,} bytes is over the {limit:,}-byte limit ({MAX_VALUE_ENV})"


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
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
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
    """Batches of records from a text-format file (not Parquet)."""
    readers = {"ndjson": _ndjson, "json": _json_array, "csv": _csv}
    if src.format not in readers:
        raise InputError(f"{src.path}: {src.format} is not a text format")
    try:
        with _open_binary(src.path, src.gzipped) as fh:
            yield from readers[src.format](fh, progress)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"{src.path}: read failed ({exc})") from None


def _ndjson(fh: IO[bytes], progress: ProgressFn | None) -> Iterator[Batch]:
    batch = Batch()
    for line_no, line in enumerate(fh, start=1):
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
        batch.add(line_no, text)
        if batch.full():
            if progress:
                progress(fh.tell() if hasattr(fh, "tell") else 0)
            yield batch
            batch = Batch()
    if batch:
        yield batch


def _shown(text: str) -> str:
    """Text decoded with surrogateescape, made storable: invalid bytes shown as U+FFFD (only in reject reports)."""
    return _cap(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def _scan_element(buf: str, pos: int, eof: bool) -> tuple[int, bool, int] | None:
    """Find where the array element starting at ``pos`` ends, without parsing it (no recursion, any depth).

    Returns (end, cut, depth): ``cut`` is True when the element is certainly malformed and was cut where the next
    element starts (an object's ``{`` at the element's top level, not after a ``:``), so one bad element costs only
    itself. None: the buffer ends first (read more). At the end of the file an unterminated element runs to it."""
    depth = max_depth = 0
    top = buf[pos]
    prev = ""
    i = pos
    while True:
        m = _TOKEN.search(buf, i)
        if m is None:
            return (len(buf), False, max_depth) if eof else None
        c, j = m.group(), m.start()
        if c == '"':
            s = _STRING_REST.match(buf, j + 1)
            if s is None:
                return (len(buf), False, max_depth) if eof else None
            i, prev = s.end(), '"'
            continue
        if c in "{[":
            if c == "{" and depth == 1 and top == "{" and prev != ":" and j > pos:
                return j, True, max_depth
            depth += 1
            max_depth = max(max_depth, depth)
        elif c in "}]":
            if depth == 0:
                return j, False, max_depth
            depth -= 1
            if depth == 0:
                return j + 1, False, max_depth
        elif c == "," and depth == 0:
            return j, False, max_depth
        prev, i = c, j + 1


def _json_array(fh: IO[bytes], progress: ProgressFn | None) -> Iterator[Batch]:
    """Split a top-level JSON array into element texts without holding the file in memory.

    Elements are found by a scanner that tracks strings and nesting, not by parsing, so a malformed element costs
    only itself: the next element is read from where it starts. Invalid UTF-8 (kept as surrogates while reading)
    and nesting deeper than MAX_DEPTH are rejects; the SQL stage checks that each element is valid JSON."""
    reader = io.TextIOWrapper(fh, encoding="utf-8", errors="surrogateescape", newline="")
    buf = reader.read(1 << 20).lstrip(_BOM).lstrip()
    if not buf.startswith("["):
        raise InputError("not a JSON array")
    pos = 1
    record_no = 0
    batch = Batch()
    eof = False
    while True:
        while True:
            while pos < len(buf) and buf[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buf) or eof:
                break
            more = reader.read(1 << 20)
            eof = not more
            buf, pos = buf[pos:] + more, 0
        if pos >= len(buf):
            break
        if buf[pos] == "]":
            break
        found = _scan_element(buf, pos, eof)
        if found is None:
            more = reader.read(1 << 20)
            eof = not more
            buf, pos = buf[pos:] + more, 0
            continue
        end, cut, depth = found
        if end == pos:  # a stray closing bracket: skip it as one malformed element
            end += 1
            cut = True
        record_no += 1
        text = buf[pos:end].rstrip()
        if _SURROGATE.search(text):
            batch.add(record_no, _shown(text), reason=INVALID_UTF8)
        elif cut:
            batch.add(record_no, _cap(text), reason="malformed JSON")
        elif depth > MAX_DEPTH:
            batch.add(record_no, _cap(text), reason=TOO_DEEP)
        else:
            batch.add(record_no, text)
        pos = end
        if batch.full():
            if progress:
                progress(fh.tell())
            yield batch
            batch = Batch()
        if pos > (1 << 20):
            buf, pos = buf[pos:], 0
    # a missing closing ] loses nothing by itself: a cut-off last element is rejected as malformed JSON
    if batch:
        yield batch


def _csv(fh: IO[bytes], progress: ProgressFn | None) -> Iterator[Batch]:
    csv.field_size_limit(1 << 30)
    reader = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    rows = csv.reader(reader)
    header = next(rows, None)
    if header is None:
        return
    names = [h.strip().lower() for h in header]
    if "key" not in names or "value" not in names:
        raise InputError("CSV needs a header with key and value columns")
    ki, vi = names.index("key"), names.index("value")
    batch = Batch()
    for row_no, row in enumerate(rows, start=2):
        if not row:
            continue
        joined = ",".join(row)
        if _SURROGATE.search(joined):
            batch.add(row_no, _shown(joined), reason=INVALID_UTF8)
        elif len(row) <= max(ki, vi):
            batch.add(row_no, _cap(joined), reason="row has too few columns")
        else:
            batch.add(row_no, _cap(joined), key=row[ki], value=row[vi])
        if batch.full():
            if progress:
                progress(fh.tell())
            yield batch
            batch = Batch()
    if batch:
        yield batch


def parquet_path(src: SourceFile, workdir: Path) -> Path:
    """A plain Parquet file DuckDB can read; a gzipped one is unpacked into ``workdir`` first."""
    if not src.gzipped:
        return src.path
    fd, name = tempfile.mkstemp(suffix=".parquet", dir=workdir)
    with os.fdopen(fd, "wb") as out, gzip.open(src.path, "rb") as fh:
        shutil.copyfileobj(fh, out, 1 << 20)
    return Path(name)


def sha256_of(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
