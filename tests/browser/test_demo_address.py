"""Issue 27 item 12 with a real ``streamlit run`` and Chromium: demo mode on an address that is not written as a
loopback address shows only the refusal and says so in the server's log; PROMO_DEMO_PUBLIC=1 lets it serve.

The server listens on loopback only either way: ``127.1`` is 127.0.0.1 to the socket layer, but demo mode accepts
only a loopback address written out (127.0.0.1, ::1, localhost), so it counts as "maybe everywhere" and is refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from dashboard.i18n.translations import t
from tests.browser.conftest import REPO, free_port, require_chromium, wait_answering
from tests.browser.people import new_person, page_text, wait_idle


def _run(tmp_path: Path, public: str, chromium: Browser) -> tuple[str, Path]:
    require_chromium()

    port = free_port()
    log = tmp_path / "streamlit.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PROMO_DB": str(tmp_path / "missing.duckdb"),
           "PROMO_DEMO_MODE": "1", "PROMO_DEMO_PUBLIC": public}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
             "127.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_answering(f"http://127.0.0.1:{port}/_stcore/health", server, log, "streamlit")
        person = new_person(chromium)  # the session's Chromium (one Playwright per worker)
        page = person.new_page()
        try:
            page.goto(f"http://127.0.0.1:{port}")
            wait_idle(page)
            shown = page_text(page).strip()
            if public != "1":
                assert not page.locator("[data-testid=stSidebar] [data-testid=stPageLink]").count()
                assert not page.locator("[data-testid=stSidebar] input").count()
        finally:
            person.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return shown, log


def test_demo_mode_refuses_an_address_not_known_to_be_loopback(tmp_path: Path, chromium: Browser) -> None:
    shown, log = _run(tmp_path, "", chromium)
    assert shown == t("access.demo_public")
    assert "demo mode is refused" in log.read_text()


@pytest.mark.parametrize("public", ["1"])
def test_demo_public_lets_it_serve(tmp_path: Path, public: str, chromium: Browser) -> None:
    shown, log = _run(tmp_path, public, chromium)
    assert t("access.demo_public") not in shown and "demo mode is refused" not in log.read_text()
