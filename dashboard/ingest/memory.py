"""How much memory a DuckDB build may use (its ``memory_limit``; beyond it the build spills to its temp directory).

Unset, the limit is 700 MB, or the input's size when that is more, but never more than a quarter of the machine's
memory. A 1M-key snapshot (377-465 MB) stays at 700 MB, under 1 GB of peak RSS (issue 20). A 10M-key snapshot
(3.8-4.7 GB) spilled its sorts at 700 MB and took 106-117 s; at about its own size it took 84-91 s, the same as at
8 GB (`docs/benchmarks-history.md`, "This round (2026-12-06, eighth session)"). ``PROMO_INGEST_MEMORY`` sets the
limit outright, in DuckDB's units (``700MB``, ``4GiB``)."""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from dashboard.ingest.result import IngestError

FLOOR_BYTES = 700 * 1000**2
# a gzipped or Parquet file holds about this many times its size in JSON text (the demo's NDJSON gzips to a fifth)
COMPRESSED_RATIO = 5
MACHINE_SHARE = 4  # at most a quarter of the machine's memory
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?i?B)", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4, "KIB": 1024, "MIB": 1024**2,
          "GIB": 1024**3, "TIB": 1024**4}
CGROUP_LIMITS = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))


def size_bytes(text: str) -> float | None:
    """The bytes a size in DuckDB's units names ("700MB", "4GiB", "667.5 MiB"), else None."""
    found = _SIZE.fullmatch(text.strip())
    return float(found.group(1)) * _UNITS[found.group(2).upper()] if found else None


def machine_memory() -> int | None:
    """The memory this process may use: the machine's, or its control group's limit when that is lower."""
    try:
        found = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None
    for path in CGROUP_LIMITS:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            found = min(found, int(text))
    return found if found > 0 else None


def input_bytes(sizes: Iterable[tuple[int, bool]]) -> int:
    """The JSON text the files hold, about: (size, compressed) of each file."""
    return sum(size * (COMPRESSED_RATIO if compressed else 1) for size, compressed in sizes)


def build_memory_limit(text_bytes: int, setting: str | None, memory: int | None) -> str:
    """The build's memory_limit, as DuckDB reads it: ``setting`` (PROMO_INGEST_MEMORY) when given, else 700 MB or
    ``text_bytes`` when more, at most a MACHINE_SHARE-th of ``memory`` (the floor when the machine's is unknown)."""
    if setting:
        if not size_bytes(setting):
            raise IngestError(f"PROMO_INGEST_MEMORY={setting!r} is not a memory size (for example 700MB or 4GiB)")
        return setting
    ceiling = memory // MACHINE_SHARE if memory else FLOOR_BYTES
    return f"{max(FLOOR_BYTES, min(text_bytes, ceiling)) // 1000**2}MB"
