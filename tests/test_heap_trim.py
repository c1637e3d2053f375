"""The app's heap trimmer (``ui.heap_trim``): one daemon thread per process that calls glibc's ``malloc_trim``; none
when turned off."""

from __future__ import annotations

import threading

import pytest

from ui import heap_trim


def trimmers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "promo-heap-trim"]


def test_one_thread_per_process_however_often_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap_trim, "_running", [])
    monkeypatch.setattr(heap_trim, "TRIM_EVERY", 0.05)
    calls: list[int] = []
    monkeypatch.setattr(heap_trim, "_malloc_trim", lambda: calls.append)
    before = len(trimmers())
    for _ in range(3):
        heap_trim.start_heap_trimmer()
    assert len(trimmers()) == before + 1 and len(heap_trim._running) == 1
    heap_trim._running[0].join(0.3)
    assert calls and set(calls) == {0}  # malloc_trim(0), more than once


def test_turned_off_starts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(heap_trim, "_running", [])
    monkeypatch.setattr(heap_trim, "TRIM_EVERY", 0.0)
    heap_trim.start_heap_trimmer()
    assert heap_trim._running == []


def test_glibc_malloc_trim_is_found_on_this_system() -> None:
    trim = heap_trim._malloc_trim()
    assert trim is not None
    assert trim(0) in (0, 1)
