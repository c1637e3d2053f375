"""jemalloc for the dashboard's own processes, where the system has it (Debian: ``libjemalloc2``).

DuckDB and pandas allocate and free many small blocks: creating a DuckDB instance (its catalog of built-in
functions), binding a statement, building a frame. With jemalloc in place of glibc's malloc the pages' cold runs on
the deployed 1M store took 13 % less on the median page (4-29 %; two alternating rounds of ``bench pages``, README
"Benchmarks"), and a small ingest's CPU a fifth less; a 1M-key ingest, mostly DuckDB's own compute, the same.
DuckDB's wheel carries a jemalloc of its own (``duckdb_je_*``) for its data buffers, configured by DuckDB (and
``DUCKDB_JE_MALLOC_CONF``), not by this one; its other objects (the catalog, bound statements) come from malloc.

``python -m dashboard`` starts again with the library in ``LD_PRELOAD`` (``reexec_with_jemalloc``, before anything
is imported), so every command and the app replicas ``serve`` starts use it; ``make run`` and ``make test`` set it
for the Streamlit app and pytest. Programs that are not ours (HAProxy, PostgreSQL, Chromium) are started without it
(``without_jemalloc``). ``PROMO_MALLOC=system`` turns it off; where the library is missing nothing changes."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

SWITCH = "PROMO_MALLOC"  # "system": glibc's malloc
CANDIDATES = ("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2", "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2",
              "/usr/lib64/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2")


def jemalloc_path() -> str | None:
    """The jemalloc library to preload, or None (not Linux, turned off, or not installed)."""
    if not sys.platform.startswith("linux") or os.environ.get(SWITCH, "").strip().lower() == "system":
        return None
    return next((path for path in CANDIDATES if os.path.isfile(path)), None)


def _preloads(env: Mapping[str, str]) -> list[str]:
    return [p for p in env.get("LD_PRELOAD", "").replace(":", " ").split() if p]


def with_jemalloc(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with jemalloc first in ``LD_PRELOAD`` (unchanged when there is none to preload)."""
    out = dict(env)
    path = jemalloc_path()
    if path and path not in _preloads(out):
        out["LD_PRELOAD"] = " ".join([path, *_preloads(out)])
    return out


def without_jemalloc(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` for a program that is not ours: any jemalloc taken out of ``LD_PRELOAD``."""
    out = dict(env)
    kept = [p for p in _preloads(out) if "libjemalloc" not in os.path.basename(p)]
    if kept:
        out["LD_PRELOAD"] = " ".join(kept)
    else:
        out.pop("LD_PRELOAD", None)
    return out


def reexec_with_jemalloc() -> None:
    """Start this Python process again with jemalloc preloaded, unless it already is (or there is none): the same
    process id, arguments and standard streams."""
    path = jemalloc_path()
    if not path or path in _preloads(os.environ):
        return
    try:
        os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], with_jemalloc(os.environ))
    except OSError:
        return  # cannot exec: go on with the system's malloc
