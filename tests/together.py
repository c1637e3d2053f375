"""Work started at the same moment on threads of its own: the suite's concurrency tests (decisions, account writes,
flag reviews) race through ``at_once``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def at_once(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable in its own thread, released together; their results in the order given. The first
    exception any of them raised is raised here, in the test's thread, after every thread has ended."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(n: int, job: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[n] = job()
        except BaseException as exc:  # raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n, job)) for n, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results
