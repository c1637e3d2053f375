"""A person's browser through ``serve --replicas 2`` (HAProxy, PostgreSQL): the replica holding their session is
killed; Chromium's Streamlit reconnects through the proxy to the other replica and the page is back, with no
exception box and no connection-error dialog, and the proxy's cookie now names the other replica."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import require_chromium
from tests.browser.people import wait_idle
from tests.serving import Serving, serving_pg

PENDING = "Ждут решения"


@pytest.fixture(scope="module")
def served(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    require_chromium()
    with serving_pg(pg_url, tmp_path_factory.mktemp("serve-browser")) as serving:
        yield serving


def replica_cookie(context: object) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "PROMO_REPLICA")  # type: ignore[attr-defined]


def test_a_killed_replica_s_people_come_back_on_the_other_one(chromium: Browser, served: Serving,
                                                             tmp_path: Path) -> None:
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{served.port}/moderation_queue")
        wait_idle(page)
        expect(page.get_by_text(PENDING)).to_be_visible()
        first = replica_cookie(context)
        os.kill(served.pids[first], signal.SIGKILL)
        served.wait_for(rf"replica {first} \(pid \d+\) exited", seconds=15)
        # Streamlit's reconnect goes through the proxy, which sends it to the replica that is up (a new cookie)
        other = "r2" if first == "r1" else "r1"
        deadline = time.monotonic() + 60
        while replica_cookie(context) != other:
            assert time.monotonic() < deadline, "the page never reconnected to the other replica"
            page.wait_for_timeout(250)
        wait_idle(page)
        expect(page.get_by_text(PENDING)).to_be_visible()
        assert page.get_by_text("Connection error").count() == 0
        # the tab's next click (a menu link: a rerun over the new websocket) is served by the other replica
        page.get_by_role("link", name="Журнал решений").click()
        wait_idle(page)
        expect(page).to_have_url(re.compile(r"/moderation_log$"))
        expect(page.get_by_role("heading", name="Журнал решений").first).to_be_visible()
        assert page.get_by_text("Connection error").count() == 0
        assert replica_cookie(context) == other
    finally:
        context.close()
