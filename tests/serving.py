"""Helpers for tests that run ``python -m dashboard serve``: a tiny demo in a database of the suite's PostgreSQL,
``serve`` started in demo mode on a free port (its printed lines read as they come), and stopped."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import AS_OF, REPO
from tests.pg_server import _free_port, create_database


def tiny_pg_demo(pg_url: str, folder: Path, name: str) -> str:
    """A tiny demo snapshot ingested into a new database ``name`` on the suite's PostgreSQL; its URL."""
    from dashboard.demo.snapshot import write_demo_snapshot
    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    snapshot = folder / "tiny.ndjson"
    write_demo_snapshot(snapshot, scale="tiny", seed=11, as_of=AS_OF)
    url = create_database(pg_url, name)
    ingest([snapshot], Store(url), "seed", say=lambda _m: None)
    return url


@dataclass
class Serving:
    port: int
    proc: subprocess.Popen[str]
    lines: queue.Queue[str]
    pids: dict[str, int]
    ports: dict[str, int]
    store: str
    proxy_pid: int = 0
    config: Path | None = None

    def wait_for(self, pattern: str, seconds: float = 90) -> re.Match[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, f"serve exited with {self.proc.returncode}"
                continue
            self.note(line)
            found = re.search(pattern, line)
            if found:
                return found
        raise AssertionError(f"serve never printed {pattern!r}")

    def note(self, line: str) -> None:
        proxy = re.match(r"haproxy pid (\d+) config (\S+)", line)
        if proxy:
            self.proxy_pid, self.config = int(proxy[1]), Path(proxy[2])
        found = re.match(r"replica (r\d+) pid (\d+) port (\d+)", line)
        if found:
            self.pids[found[1]] = int(found[2])
            self.ports[found[1]] = int(found[3])


def start_serve(store: str, replicas: int, port: int | None = None, secrets: Path | None = None,
                replicas_flag: bool = True) -> Serving:
    """``serve`` in demo mode, or with sign-in from ``secrets`` (its [auth] redirect_uri must name ``port``)."""
    port = port or _free_port()
    env = dict(os.environ, PROMO_DEMO_MODE="0" if secrets else "1")
    more = ["--secrets", str(secrets)] if secrets else []
    more += ["--replicas", str(replicas)] if replicas_flag else []
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "serve", "--db", store,
                             "--port", str(port), *more], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    serving = Serving(port, proc, lines, {}, {}, store)
    try:
        serving.wait_for(r"^serving .* at http://127\.0\.0\.1:\d+/ through haproxy")
    except BaseException:
        stop_serve(serving)
        raise
    return serving


def stop_serve(serving: Serving) -> None:
    """SIGTERM, as a service manager stops it; serve stops its replicas and proxy and exits 0."""
    serving.proc.send_signal(signal.SIGTERM)
    try:
        serving.proc.wait(30)
    except subprocess.TimeoutExpired:
        serving.proc.kill()
        raise


@contextlib.contextmanager
def serving_pg(pg_url: str, folder: Path, replicas: int = 2) -> Iterator[Serving]:
    serving = start_serve(tiny_pg_demo(pg_url, folder, f"serve_{os.getpid()}_{folder.name}"), replicas)
    try:
        yield serving
    finally:
        stop_serve(serving)
