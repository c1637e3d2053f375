"""The browser suite's setup: one real Streamlit server per session on a temporary tiny demo store, and Debian's
Chromium driven by Playwright. Every page a test opens is watched: a request to any host but the app's own fails
the test (``App.foreign_requests``), and so does a Streamlit exception box (checked by ``people.wait_idle``).

The store's content is read once, before the server starts (DuckDB allows one writing process per file), into
``App.items``/``App.artists``, and the data health checks' counts and fix texts into ``App.health``/
``App.health_fixes``; tests then look only at what the browser shows (tables, CSV downloads).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.allocator import without_jemalloc
from dashboard.health.checks import counts, run_checks
from dashboard.health.report import describe
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.browser.people import App, Item
from tests.conftest import AS_OF, REPO
from tests.sql import rows

# Debian's Chromium for the browser suite: its headless shell (package chromium-headless-shell, the same Chromium
# build in the headless-only form Playwright itself runs for headless tests) where installed, else the full browser
# (package chromium); PROMO_CHROMIUM names another. The shell took 22 % less CPU over the browser suite (README
# "Tests"); the full browser passes the same tests (PROMO_CHROMIUM=/usr/bin/chromium make test-browser).
CHROMIUM_CANDIDATES = ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium")
CHROMIUM = os.environ.get("PROMO_CHROMIUM") or next(
    (path for path in CHROMIUM_CANDIDATES if Path(path).exists()), CHROMIUM_CANDIDATES[0])
# how long opening a queue item claims it, in the app the tests share: short, so a test can watch a claim expire
CLAIM_SECONDS = 15
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-gpu-rasterization",
                 "--disable-accelerated-2d-canvas", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"]
# every moderated item still pending in the demo store, with a title no other item has (so a person can pick it
# by its title), oldest first
PENDING_SQL = """
WITH items AS (
  SELECT 'tracks' AS entity, title, user_id, status FROM tracks
  UNION ALL SELECT 'videos', title, user_id, status FROM videos
  UNION ALL SELECT 'news', title, user_id, status FROM news
  UNION ALL SELECT 'concerts', title, user_id, status FROM concerts
)
SELECT i.entity, i.title, COALESCE(p.name, i.user_id) AS artist
FROM items AS i
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS p ON p.id = i.user_id
WHERE i.status = 'pending' AND i.title IS NOT NULL
  AND i.title NOT IN (SELECT title FROM items WHERE title IS NOT NULL GROUP BY title HAVING COUNT(*) > 1)
ORDER BY i.entity, i.title
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


QUEUE_ARTIST = ("u-queue-artist", "Артистка Очереди")
QUEUE_EXTRA = 24  # pending pitching submissions the queue's keys test works through (the tiny demo has 25 items)


def queue_records(n: int = QUEUE_EXTRA) -> list[dict[str, object]]:
    """One more artist with ``n`` pitching submissions waiting for moderation, older than every demo item (so they
    head the queue): what the moderation keys test approves, leaving the demo's own items to the other tests."""
    artist, name = QUEUE_ARTIST
    start = dt.datetime.combine(AS_OF, dt.time(9, 0), tzinfo=dt.UTC) - dt.timedelta(days=120)
    return [{"key": f"users:{artist}:profile", "value": {"id": artist, "name": name}}] + [
        {"key": f"pitching:{artist}:q{n:02d}", "value": {
            "id": f"q{n:02d}", "user_id": artist, "target_name": f"Плейлист №{n}", "status": "pending",
            "message": f"Заявка {n} в плейлист", "response": None, "responded_at": None,
            "created_at": (start + dt.timedelta(minutes=n)).isoformat()}} for n in range(1, n + 1)]


def _demo_store(folder: Path, extra: list[dict[str, object]] | None = None) -> Store:
    from dashboard.demo.snapshot import write_demo_snapshot

    snapshot = folder / "demo.ndjson"
    write_demo_snapshot(snapshot, scale="tiny", seed=7, as_of=AS_OF)
    if extra:
        with snapshot.open("a", encoding="utf-8") as out:
            out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in extra)
    store = Store(str(folder / "demo.duckdb"))
    ingest([snapshot], store, "seed", say=lambda _m: None)
    return store


def wait_answering(url: str, proc: subprocess.Popen[bytes], log: Path, what: str, timeout: float = 90) -> None:
    """Wait until ``url`` answers 200 (a server ``proc`` started, logging to ``log``); fail with the log's tail if
    the process exits or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer on {url} within {timeout} s:\n{log.read_text()[-3000:]}")


def require_chromium() -> None:
    """Skip (fail on CI) when Debian's Chromium is not installed."""
    if not Path(CHROMIUM).exists():
        packages = "the Debian packages 'chromium-headless-shell' and 'chromium'"
        if os.environ.get("CI"):
            pytest.fail(f"no Chromium at {CHROMIUM}: make test installs {packages}")
        pytest.skip(f"no Chromium at {CHROMIUM} (make test installs {packages})")


@contextlib.contextmanager
def streamlit_server(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """``streamlit run app.py`` on a free port of 127.0.0.1 with ``env`` added to this process's environment (its
    log in ``folder``); yields its URL once it answers, and stops it on exit."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "streamlit.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
             "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"],
            cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1", **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_answering(f"{url}/_stcore/health", server, log, "streamlit")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def app() -> Iterator[App]:
    """A real Streamlit server (``streamlit run app.py``) on a free port, on a temporary tiny demo store."""
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="promo-browser-"))
    store = _demo_store(folder, queue_records())
    items = [Item(entity, title, artist) for entity, title, artist in rows(store, PENDING_SQL)]
    directory = run_query(store, "artists_matching", search="", limit=100_000)
    artists = list(zip(directory["artist_id"], directory["name"], strict=True))
    tracks = rows(store, "SELECT t.user_id, t.title FROM tracks AS t WHERE t.title IS NOT NULL ORDER BY 1, 2")
    found = run_checks(store)
    fixes = {name: list(describe(name, frame, "ru")["fix"]) for name, frame in found.items()}
    try:
        with streamlit_server(folder, {"PROMO_DB": store.name, "PROMO_DEMO_MODE": "1",
                                       "PROMO_CLAIM_SECONDS": str(CLAIM_SECONDS)}) as url:
            yield App(url=url, items=items, artists=artists, tracks=tracks, health=counts(found), health_fixes=fixes)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """One Chromium for the browser tests, closed when they are done: Playwright's sync API runs an event loop in
    this thread, and the tests after them on the same xdist worker (asyncio.run in the serve tests) need it gone."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env=without_jemalloc(os.environ))  # Chromium as it is: not ours
        yield browser
        browser.close()


def watched(chromium: object, app: App) -> Iterator[object]:
    """The session's Chromium for one test on ``app``; after the test, each person's session ends and no page may
    have asked any host but the app's own."""
    app.foreign_requests.clear()
    yield chromium
    for context in app.sessions:  # each person's session ends with the test (the server lets it go)
        context.close()
    app.sessions.clear()
    assert not app.foreign_requests, f"requests to other hosts: {sorted(set(app.foreign_requests))[:10]}"


@pytest.fixture
def browser(chromium: object, app: App) -> Iterator[object]:
    """The session's Chromium; after the test, no page may have asked any host but the app's own."""
    yield from watched(chromium, app)
