"""Sign-in in Chromium against a real OpenID Connect provider (``oidc-provider-mock``, started on localhost):
an artist sees their own data and no "view as", staff pages by URL are refused; a moderator approves and the audit
log names them; unknown and disabled accounts are refused; sign-out works and a reload keeps the session; demo mode
together with ``[auth]`` is refused at start.

One provider and one app server (sign-in configured through ``--secrets.files``, demo mode off) for the module, on
a tiny demo store with three accounts. Each person gets a new browser context (their own cookies)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.access import accounts as acc
from dashboard.i18n.translations import t
from dashboard.store.queries import run_query
from tests.browser.conftest import PENDING_SQL, _demo_store, free_port, require_chromium, wait_answering
from tests.browser.people import App, Item, approve, go_to, grid_cells, new_person, page_text, wait_idle
from tests.conftest import REPO
from tests.sql import rows

MODERATOR = ("irina@example.com", "Ирина Модератор")
ARTIST = "artist@example.com"
DISABLED = "gone@example.com"
UNKNOWN = "stranger@example.com"


@dataclass
class SignInSetup:
    app: App
    provider: str  # the provider's base URL
    secrets: Path  # the secrets.toml with [auth]
    artist_name: str
    own_titles: list[str]
    other_titles: list[str]


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(args, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def streamlit_args(port: int, secrets: Path) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
            "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--secrets.files", str(secrets)]


@pytest.fixture(scope="module")
def setup() -> Iterator[SignInSetup]:
    """The provider (users with verified emails), a tiny demo store with accounts, and the app with sign-in."""
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="promo-signin-"))
    store = _demo_store(folder)
    with_tracks = {a for (a,) in rows(store, "SELECT DISTINCT user_id FROM tracks WHERE title IS NOT NULL")}
    directory = run_query(store, "known_artists")
    artist_id, artist_name = next((a, n) for a, n in zip(directory["artist_id"], directory["name"], strict=True)
                                  if a in with_tracks)
    titles = rows(store, "SELECT user_id, title FROM tracks WHERE title IS NOT NULL AND title NOT IN "
                         "(SELECT title FROM tracks GROUP BY title HAVING COUNT(DISTINCT user_id) > 1)")
    acc.add_account(store, acc.new_account(ARTIST, "artist", artist_id))
    acc.add_account(store, acc.new_account(MODERATOR[0], "moderator"))
    acc.add_account(store, acc.new_account(DISABLED, "manager"))
    acc.set_disabled(store, DISABLED, True)
    items = [Item(entity, title, artist) for entity, title, artist in rows(store, PENDING_SQL)]

    provider_port, app_port = free_port(), free_port()
    provider = f"http://127.0.0.1:{provider_port}"
    claims = [{"sub": email, "email": email, "email_verified": True, "name": name}
              for email, name in (MODERATOR, (ARTIST, artist_name), (DISABLED, "Бывший менеджер"),
                                  (UNKNOWN, "Незнакомец"))]
    provider_args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(provider_port)]
    for c in claims:
        provider_args += ["--user-claims", json.dumps(c, ensure_ascii=False)]
    provider_proc = _start(provider_args, dict(os.environ), folder / "provider.log")

    url = f"http://127.0.0.1:{app_port}"
    secrets = folder / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        'cookie_secret = "browser-suite-cookie-secret-0123456789abcdef"\n'
        'client_id = "promo-insights"\n'
        'client_secret = "mock-provider-accepts-any"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n', encoding="utf-8")
    env = {**os.environ, "PROMO_DB": store.name, "PROMO_DEMO_MODE": "0", "PYTHONUNBUFFERED": "1"}
    app_proc = _start(streamlit_args(app_port, secrets), env, folder / "streamlit.log")
    try:
        wait_answering(f"{provider}/.well-known/openid-configuration", provider_proc, folder / "provider.log",
                       "oidc-provider-mock", timeout=60)
        wait_answering(f"{url}/_stcore/health", app_proc, folder / "streamlit.log", "streamlit")
        yield SignInSetup(app=App(url=url, items=items, artists=[(artist_id, artist_name)], tracks=[]),
                          provider=provider, secrets=secrets, artist_name=artist_name,
                          own_titles=[title for a, title in titles if a == artist_id],
                          other_titles=[title for a, title in titles if a != artist_id])
    finally:
        _stop(app_proc)
        _stop(provider_proc)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def person(chromium: Browser, setup: SignInSetup) -> Iterator[Page]:
    """A new browser session. Requests to any host but the app and the provider fail the test; the provider's own
    pages ask a CDN for a stylesheet, which is refused (the tests run offline)."""
    context = new_person(chromium)
    context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    allowed = {"127.0.0.1", "cdn.jsdelivr.net"}  # the app (and the demo-mode server), the provider, its CDN (refused)
    foreign: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: foreign.append(r.url) if r.url.startswith(("http", "ws"))
            and urlparse(r.url).hostname not in allowed else None)
    yield page
    context.close()
    assert not foreign, foreign[:5]


def sign_in(page: Page, setup: SignInSetup, email: str) -> None:
    """Open the app, press "Sign in", and authenticate as ``email`` at the provider."""
    page.goto(setup.app.url)
    wait_idle(page)
    page.get_by_role("button", name=t("access.sign_in"), exact=True).click()
    page.wait_for_url(f"{setup.provider}/oauth2/authorize*", timeout=60_000)
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_url(f"{setup.app.url}/**", timeout=60_000)
    wait_idle(page)


def sign_out(page: Page, setup: SignInSetup) -> None:
    """Press "Sign out"; the provider asks to end its session too; back at the app."""
    wait_idle(page)
    button = page.locator("[data-testid=stSidebar]").get_by_role("button", name=t("access.sign_out"))
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_url(f"{setup.provider}/oauth2/end_session*", timeout=60_000)
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{setup.app.url}/**", timeout=60_000)
    wait_idle(page)


def sidebar_text(page: Page) -> str:
    side = page.locator("[data-testid=stSidebar]")
    return side.inner_text() if side.count() else ""


def test_artist_sees_own_data_and_no_staff_pages(person: Page, setup: SignInSetup) -> None:
    sign_in(person, setup, ARTIST)
    assert ARTIST in sidebar_text(person)
    assert "Смотреть как" not in sidebar_text(person)
    assert "Хранилище" not in sidebar_text(person) + page_text(person)
    go_to(person, t("nav.artist_tracks"))
    shown = page_text(person) + "\n".join(grid_cells(person))
    assert any(title in shown for title in setup.own_titles)
    assert not any(title in shown for title in setup.other_titles)
    for staff_page in ("overview", "moderation_queue", "moderation_log", "revenue"):
        person.goto(f"{setup.app.url}/{staff_page}")
        wait_idle(person)
        assert t("error.forbidden") in page_text(person), staff_page
        assert ARTIST in sidebar_text(person)  # still signed in, still only the artist's menu


def test_moderator_approves_and_is_named_in_the_audit_log(person: Page, setup: SignInSetup) -> None:
    sign_in(person, setup, MODERATOR[0])
    go_to(person, t("nav.moderation_queue"))
    item = setup.app.pending("tracks")[0]
    approve(person, item)
    go_to(person, t("nav.moderation_log"))
    assert f"{MODERATOR[1]} <{MODERATOR[0]}>" in grid_cells(person)


@pytest.mark.parametrize(("email", "reason"), [(UNKNOWN, "no_account"), (DISABLED, "disabled")])
def test_unknown_and_disabled_accounts_are_refused(person: Page, setup: SignInSetup, email: str,
                                                   reason: str) -> None:
    sign_in(person, setup, email)
    main = page_text(person)
    assert t("access.refused.title") in main and t(f"access.refused.{reason}") in main
    assert not person.locator("[data-testid=stSidebar] [data-testid=stPageLink]").count()
    person.goto(f"{setup.app.url}/moderation_queue")
    wait_idle(person)
    assert t("access.refused.title") in page_text(person)
    assert t("nav.moderation_queue") not in page_text(person)


def test_session_survives_a_reload_and_sign_out_ends_it(person: Page, setup: SignInSetup) -> None:
    sign_in(person, setup, MODERATOR[0])
    person.reload()
    wait_idle(person)
    assert MODERATOR[0] in sidebar_text(person)
    sign_out(person, setup)
    expect(person.get_by_role("button", name=t("access.sign_in"), exact=True)).to_be_visible()
    person.reload()
    wait_idle(person)
    assert MODERATOR[0] not in sidebar_text(person) + page_text(person)
    expect(person.get_by_role("button", name=t("access.sign_in"), exact=True)).to_be_visible()


def test_demo_mode_with_auth_is_refused_at_start(person: Page, setup: SignInSetup, tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PROMO_DB": str(tmp_path / "unused.duckdb"), "PROMO_DEMO_MODE": "1"}
    proc = _start(streamlit_args(port, setup.secrets), env, tmp_path / "demo.log")
    try:
        wait_answering(f"http://127.0.0.1:{port}/_stcore/health", proc, tmp_path / "demo.log", "streamlit")
        person.goto(f"http://127.0.0.1:{port}")
        wait_idle(person)
        assert page_text(person).strip() == t("access.demo_with_auth")
        assert not person.locator("[data-testid=stSidebar] [data-testid=stPageLink]").count()
    finally:
        _stop(proc)
    assert "demo mode is refused" in (tmp_path / "demo.log").read_text()
