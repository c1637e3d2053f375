"""A person's browser through ``serve --replicas 2`` (HAProxy, PostgreSQL): the replica holding their session is
killed; Chromium's Streamlit reconnects through the proxy to the other replica and the page is back, with no
exception box and no connection-error dialog, and the proxy's cookie now names the other replica. With sign-in
(a real OpenID Connect provider), the person is still signed in on the other replica."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import require_chromium
from tests.browser.people import new_person, wait_idle
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
    context = new_person(chromium)
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


MODERATOR = "irina@example.com"


def test_a_signed_in_moderator_stays_signed_in_when_their_replica_dies(chromium: Browser, pg_url: str,
                                                                        tmp_path: Path) -> None:
    from dashboard.access import accounts as acc
    from dashboard.i18n.translations import t
    from dashboard.store.connect import Store
    from tests.browser.conftest import free_port, wait_answering
    from tests.browser.test_sign_in import _start, _stop
    from tests.serving import start_serve, stop_serve, tiny_pg_demo

    require_chromium()
    store = tiny_pg_demo(pg_url, tmp_path, f"serve_signin_{os.getpid()}")
    acc.add_account(Store(store), acc.new_account(MODERATOR, "moderator"))
    provider_port, port = free_port(), free_port()
    provider, url = f"http://127.0.0.1:{provider_port}", f"http://127.0.0.1:{port}"
    claims = json.dumps({"sub": MODERATOR, "email": MODERATOR, "email_verified": True, "name": "Ирина"})
    provider_proc = _start([sys.executable, "-m", "oidc_provider_mock", "--port", str(provider_port),
                            "--user-claims", claims], dict(os.environ), tmp_path / "provider.log")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "serve-suite-cookie-secret-0123456789abcdef"\n'
        'client_id = "promo-insights"\n'
        'client_secret = "mock-provider-accepts-any"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    context = new_person(chromium)
    context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())  # the provider's stylesheet
    serving = None
    try:
        wait_answering(f"{provider}/.well-known/openid-configuration", provider_proc, tmp_path / "provider.log",
                       "oidc-provider-mock", timeout=60)
        serving = start_serve(store, 2, port=port, secrets=secrets)
        page = context.new_page()
        page.goto(f"{url}/moderation_queue")
        wait_idle(page)
        page.get_by_role("button", name=t("access.sign_in"), exact=True).click()
        page.wait_for_url(f"{provider}/oauth2/authorize*", timeout=60_000)
        page.locator("input[name=sub]").fill(MODERATOR)
        page.get_by_role("button", name="Authorize", exact=True).click()
        page.wait_for_url(f"{url}/**", timeout=60_000)
        wait_idle(page)
        sidebar = page.locator("[data-testid=stSidebar]")
        expect(sidebar).to_contain_text(MODERATOR)
        expect(page.get_by_text(PENDING)).to_be_visible()
        first = replica_cookie(context)
        os.kill(serving.pids[first], signal.SIGKILL)
        other = "r2" if first == "r1" else "r1"
        deadline = time.monotonic() + 60
        while replica_cookie(context) != other:
            assert time.monotonic() < deadline, "the page never reconnected to the other replica"
            page.wait_for_timeout(250)
        wait_idle(page)
        # the other replica reads the same signed identity cookie: still signed in, same page, no sign-in button
        page.get_by_role("link", name="Журнал решений").click()
        wait_idle(page)
        if not re.search(r"/moderation_log$", page.url):  # a click during the reconnect's first run, on a busy
            wait_idle(page)  # machine, is taken by that run (seen once in a full run): the person clicks again
            page.get_by_role("link", name="Журнал решений").click()
            wait_idle(page)
        expect(page).to_have_url(re.compile(r"/moderation_log$"), timeout=30_000)
        expect(sidebar).to_contain_text(MODERATOR)
        assert page.get_by_role("button", name=t("access.sign_in"), exact=True).count() == 0
        assert page.get_by_text("Connection error").count() == 0
        assert replica_cookie(context) == other
    finally:
        context.close()
        if serving is not None:
            stop_serve(serving)
        _stop(provider_proc)
