"""Give the heap's free memory back to the operating system now and then (glibc's ``malloc_trim``).

An app process frees a lot after each write: a decision changes the store version, and every page's cached query
results and frames (pandas and Arrow buffers) are made again. glibc keeps the freed pages in its heap, fragmented,
so a replica's resident memory grew with every decision (``bench soak``: about 1.6 MB a decision, 55 % over ten
minutes) although the Python heap did not. A daemon thread calls ``malloc_trim(0)`` every TRIM_EVERY seconds, off
the script threads. Where there is no glibc (another C library or system) nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

TRIM_EVERY = float(os.environ.get("PROMO_HEAP_TRIM_SECONDS", "10"))  # 0 turns it off
_started = threading.Lock()
_running: list[threading.Thread] = []


def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):
        return None


def start_heap_trimmer() -> None:
    """Start the process's trimming thread once (later calls do nothing)."""
    if TRIM_EVERY <= 0:
        return
    with _started:
        if _running:
            return
        trim = _malloc_trim()
        if trim is None:
            return

        def loop() -> None:
            while True:
                time.sleep(TRIM_EVERY)
                trim(0)

        thread = threading.Thread(target=loop, name="promo-heap-trim", daemon=True)
        thread.start()
        _running.append(thread)
