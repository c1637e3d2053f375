"""The live-platform connection in Chromium (issue 12), in the Russian UI: a store synced from a platform database on
the suite's PostgreSQL, served by its own Streamlit server with the platform named the way the README tells users
(``PROMO_PLATFORM_URL``), in demo mode. Moderators meet a platform-side edit and each other; an admin refreshes;
a read-only platform role gives a read-only queue. Outcomes are checked where they land: the rendered page, the
platform's row, the audit log (its CSV download)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import psycopg
import pytest
from babel.dates import get_month_names
from playwright.sync_api import Browser, Page, expect

from dashboard.i18n.plural import count_of
from dashboard.i18n.translations import quoted, t
from dashboard.sync import changelog
from dashboard.sync.source import resolve_source, url_label
from tests.browser.conftest import require_chromium, streamlit_server, watched
from tests.browser.people import (
    App,
    Item,
    approve,
    audit_log,
    button,
    choose,
    click,
    expect_toast,
    go_to,
    grid_cells,
    open_as,
    page_text,
    screenshot,
    select,
    type_reason,
    widget,
)
from tests.conftest import FIXTURE, REPO
from tests.sync_platform import (
    TABLE,
    libpq,
    make_platform,
    platform_execute,
    platform_keys,
    platform_value,
    read_only_role,
)

BANNER_USER = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"
BANNER_KEY = f"banner_ad_{BANNER_USER}_banner_1769468400135_tnifsoqfv"
BANNER = Item("banner_ads", "Промо Сандра", "Сандра")  # pending_moderation on the platform (the deployed fixture)
OTHER_KEY = "banner_ad_b81d4e77-2c3a-4f1e-a9d0-6e5c4b3a2f10_banner_1769475600141_5yv689ypf"
OTHER = Item("banner_ads", "Промо Дэн", "Дэн")  # another pending banner, for the read-only queue
EDITED = "Промо Сандра — новая версия"  # the artist renames the campaign on the platform meanwhile
TRACK = Item("tracks", "Трек из потока изменений", "Сандра")  # uploaded on the platform after the sync
TRACK_KEY = f"track:{BANNER_USER}:1769900000000-feedtrack"
TRACK_VALUE = json.dumps({"id": "1769900000000-feedtrack", "title": TRACK.title, "artist": "Сандра", "genre": "Pop",
                          "duration": "3:05", "cover": "https://images.example/cover9.jpg", "status": "pending",
                          "uploadDate": "2026-11-30", "userId": BANNER_USER, "createdAt": "2026-11-30T09:00:00.000Z",
                          "updatedAt": "2026-11-30T09:00:00.000Z", "plays": 0, "likes": 0, "downloads": 0},
                         ensure_ascii=False, separators=(",", ":"))  # as the platform writes it (JSON.stringify)
MOSCOW_MINUTE = r"\d{1,2} [а-я]+\. \d{4} \d\d:\d\d"  # the one date style: "2 дек. 2026 17:10"
AS_OF = re.compile(rf"Данные на ({MOSCOW_MINUTE}) МСК · последняя синхронизация с платформой \(([^)]*)\)")


@dataclass
class Synced:
    """A Streamlit server on a DuckDB store synced from ``platform`` (a libpq URL) as ``role_url``."""

    app: App
    platform: str
    role_url: str
    store: Path


def store_execute(store: Path, sql: str, params: list[object] | None = None) -> None:
    """One statement on the app's DuckDB store, between the app's queries (it opens the file for a moment each)."""
    for _ in range(100):
        try:
            con = duckdb.connect(str(store))
        except duckdb.Error:
            time.sleep(0.05)
            continue
        try:
            con.execute(sql, params or [])
        finally:
            con.close()
        return
    raise AssertionError(f"{store} stayed locked")


@contextmanager
def stopped_follower(store: Path) -> Iterator[None]:
    """The store's feed as a ``sync --follow`` killed mid-way leaves it: a follower recorded, its lock free."""
    store_execute(store, "UPDATE sync_feed SET follower = ?", ["killed-host:4242"])
    try:
        yield
    finally:
        store_execute(store, "UPDATE sync_feed SET follower = ?", [None])


@contextmanager
def synced_server(folder: Path, platform: str, role_url: str) -> Iterator[Synced]:
    """``sync`` into a new DuckDB store as a user runs it (the platform in ``PROMO_PLATFORM_URL``, no ``--source``),
    then the app on that store with the same variable, in demo mode."""
    store = folder / "synced.duckdb"
    env = {"PROMO_PLATFORM_URL": role_url}
    done = subprocess.run([sys.executable, "-m", "dashboard", "sync", "--db", str(store)], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with streamlit_server(folder, {**env, "PROMO_DB": str(store), "PROMO_DEMO_MODE": "1"}) as url:
        yield Synced(App(url=url, items=[BANNER, OTHER], artists=[], tracks=[]), platform, role_url, store)


@pytest.fixture(scope="module")
def platform(pg_url: str) -> str:
    """The platform's database: ``kv_store_84730125`` loaded from the deployed fixture (libpq URL)."""
    if not FIXTURE.is_file():
        pytest.fail(f"shared fixture not found at {FIXTURE} (set PROMO_SHARED to the shared/ folder)")
    return libpq(make_platform(pg_url, f"platform_browser_{os.getpid()}", FIXTURE))


@pytest.fixture(scope="module")
def synced(platform: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    """The app on a store synced by a role that may write back (the suite's own user)."""
    require_chromium()
    with synced_server(tmp_path_factory.mktemp("sync-writer"), platform, platform) as server:
        yield server


@pytest.fixture(scope="module")
def synced_read_only(platform: str, pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    """The app on a store synced by a platform role with SELECT only."""
    require_chromium()
    role_url = read_only_role(pg_url, platform, f"promo_browser_ro_{os.getpid()}")
    with synced_server(tmp_path_factory.mktemp("sync-reader"), platform, role_url) as server:
        yield server


@pytest.fixture
def people(chromium: Browser, synced: Synced) -> Iterator[Browser]:
    yield from watched(chromium, synced.app)  # type: ignore[misc]


@pytest.fixture
def people_read_only(chromium: Browser, synced_read_only: Synced) -> Iterator[Browser]:
    yield from watched(chromium, synced_read_only.app)  # type: ignore[misc]


def row_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT COUNT(*) FROM {TABLE}").fetchone()
    return int(row[0]) if row else 0


def minute(text: str) -> dt.datetime:
    """A Moscow minute as the page writes it ("2 дек. 2026 17:10"), read back."""
    months = {name: n for n, name in get_month_names("abbreviated", locale="ru").items()}
    day, month, year, hhmm = text.split()
    hour, mins = hhmm.split(":")
    return dt.datetime(int(year), months[month], int(day), int(hour), int(mins))


def data_as_of(page: Page) -> tuple[str, str]:
    """The page's "data as of" line: (the last sync, Moscow time to the minute; the source it names)."""
    found = AS_OF.search(page_text(page))
    assert found, page_text(page)[:500]
    return found.group(1), found.group(2)


def shot(page: Page, name: str) -> None:
    """The suite's screenshot, of the top of the page (where the notes about a decision are)."""
    page.locator("h1").first.scroll_into_view_if_needed()
    page.mouse.move(1390, 990)  # no tooltip of the last button pressed over the page
    screenshot(page, name)


def banners(page: Page) -> list[str]:
    """Filter the queue to banners, as a moderator would; the cells of the table then shown."""
    choose(page, widget(page, "stMultiSelect", "Тип"), "Баннер")
    cells = page.locator("[data-testid=stDataFrame] [role=gridcell]")
    expect(cells.filter(has_text=re.compile("^Баннер$")).first).to_be_attached()  # the queue's table is drawn
    return grid_cells(page)


def lines_about(page: Page, title: str) -> list[str]:
    """The cells of the page's tables that speak of the item titled ``title`` (waiting up to 10 s for one: a grid
    draws its cells a moment after the run that sent it)."""
    deadline = time.monotonic() + 10
    while True:
        found = [line for line in grid_cells(page) if line.startswith(quoted(title))]
        if found or time.monotonic() > deadline:
            return found
        page.wait_for_timeout(100)


def test_a_platform_edit_then_two_moderators(people: Browser, synced: Synced) -> None:
    """A and B open the queue at once and pick the pending banner; the artist renames it on the platform. A's
    approval is refused as "changed on the platform since the sync" with nothing written anywhere; A approves the
    refreshed banner (written back, encoding and field names kept); B, still on the old page, rejects it and is
    told it was already approved by A, and nothing changes on the platform."""
    app, platform = synced.app, synced.platform
    kind_before, value_before = platform_value(platform, BANNER_KEY)
    assert kind_before == "object" and value_before["status"] == "pending_moderation"
    a = open_as(people, app, "moderator", path="moderation_queue")
    b = open_as(people, app, "moderator", path="moderation_queue")
    assert audit_log(a).empty
    go_to(a, "Очередь модерации")
    for page in (a, b):
        assert BANNER.title in banners(page)
    select(a, BANNER)
    select(b, BANNER)
    type_reason(b, "Нарушает правила размещения")

    # the artist edits the banner on the platform (the platform's own write, after the sync)
    platform_execute(platform, f"UPDATE {TABLE} SET value = jsonb_set(jsonb_set(value, '{{campaign_name}}', "
                               "to_jsonb(%s::text)), '{updated_at}', '\"2026-11-25T12:00:00.000Z\"') WHERE key = %s",
                     [EDITED, BANNER_KEY])
    edited = platform_value(platform, BANNER_KEY)
    notices_before = platform_keys(platform, f"notification:{BANNER_USER}:%")

    click(a, "Одобрить")
    expect_toast(a, "Ничего не изменено; не применено (изменено на платформе): 1 элемент")
    expect(a.get_by_text("Не применено: эти элементы изменились на платформе после синхронизации")).to_be_visible()
    expect(a.get_by_text("уже рассмотрел кто-то другой")).to_have_count(0)  # nobody else decided it
    refused = lines_about(a, BANNER.title)
    assert len(refused) == 1 and "изменено на платформе после синхронизации" in refused[0], refused
    assert "ничего не записано — проверьте и решите снова" in refused[0]
    assert re.search(rf"синхронизации {MOSCOW_MINUTE} МСК", refused[0]), refused[0]
    shot(a, "sync-conflict")
    assert platform_value(platform, BANNER_KEY) == edited  # nothing written on the platform
    assert platform_keys(platform, f"notification:{BANNER_USER}:%") == notices_before
    assert audit_log(a).empty  # nor in the dashboard

    # the queue now shows the banner as the platform has it; A approves that
    go_to(a, "Очередь модерации")
    shown = banners(a)
    assert EDITED in shown and BANNER.title not in shown
    approve(a, Item(BANNER.entity, EDITED, BANNER.artist))
    expect_toast(a, f"Одобрено: {quoted(EDITED)}")
    kind, approved = platform_value(platform, BANNER_KEY)
    # decided on the platform as the code's model approves a banner (awaiting payment), still a JSON object
    assert kind == "object" and approved["status"] == "pending_payment"
    assert approved["campaign_name"] == EDITED and set(approved) == set(edited[1]) | {"approved_at"}  # none renamed
    assert approved["updated_at"].endswith("Z") and approved["updated_at"] != edited[1]["updated_at"]
    notices = platform_keys(platform, f"notification:{BANNER_USER}:%")
    assert len(notices) == len(notices_before) + 1  # the artist is told

    # B never reloaded: B's rejection meets A's approval
    click(b, "Отклонить")
    expect_toast(b, "Ничего не изменено")
    expect(b.get_by_text("Не применено: эти элементы уже рассмотрел кто-то другой")).to_be_visible()
    [line] = lines_about(b, BANNER.title)
    assert re.search(rf"уже одобрено, ждёт оплаты — moderator-demo, {MOSCOW_MINUTE} МСК$", line), line
    shot(b, "sync-already-decided")
    assert platform_value(platform, BANNER_KEY) == (kind, approved)  # nothing changed on the platform
    assert platform_keys(platform, f"notification:{BANNER_USER}:%") == notices
    log = audit_log(b)
    assert len(log) == 1
    assert list(zip(log["Элемент"], log["Действие"], strict=True)) == [(EDITED, "одобрил(а)")]


def test_an_admin_refreshes_now(people: Browser, synced: Synced) -> None:
    """The overview's "data as of" names the last sync and its source (no password); an admin's "refresh now"
    syncs every platform key and the time shown moves forward. A moderator has no such button. Then, with the
    platform's change log installed, a track uploaded on the platform is in the queue after the next refresh, which
    applies that one change (no full sync); its approval is written back once and comes back through the log."""
    app, platform = synced.app, synced.platform
    moderator = open_as(people, app, "moderator")
    go_to(moderator, "Обзор")
    assert data_as_of(moderator)[1] == url_label(platform)
    expect(moderator.get_by_role("button", name="Обновить сейчас")).to_have_count(0)

    # the time is shown to the minute: the last sync ran two minutes ago, so a refresh must show a later minute
    store_execute(synced.store, "UPDATE ingest_runs SET finished_at = finished_at - INTERVAL 2 MINUTE "
                                "WHERE finished_at = (SELECT max(finished_at) FROM ingest_runs)")
    admin = open_as(people, app, "admin")
    go_to(admin, "Обзор")
    before, source = data_as_of(admin)
    assert source == url_label(platform)
    moscow = ZoneInfo("Europe/Moscow")
    assert dt.datetime.now(moscow).replace(second=0, microsecond=0, tzinfo=None) > minute(before)
    platform_execute(platform, f"INSERT INTO {TABLE} VALUES ('profile:browser-new-artist', "
                               "'{\"id\": \"browser-new-artist\", \"name\": \"Новый артист\"}')")
    # the platform's change log, installed now: this refresh is still a full sync (the store has no position in
    # the log yet); the next ones apply only what changed (issue 22)
    changelog.install(resolve_source(platform))
    click(admin, "Обновить сейчас")
    expect_toast(admin, f"Синхронизировано: {count_of(row_count(platform), 'ru', t('word.keys'))} за ")
    after, _ = data_as_of(admin)
    assert minute(after) > minute(before), (before, after)
    shot(admin, "sync-refresh")

    # an artist uploads a track on the platform: the next refresh applies that one change, and it is in the queue
    platform_execute(platform, f"INSERT INTO {TABLE} VALUES (%s, to_jsonb(%s::text))", [TRACK_KEY, TRACK_VALUE])
    click(admin, "Обновить сейчас")
    expect_toast(admin, "Применено изменений с платформы: 1 за ")
    assert "последнее изменение с платформы" in page_text(admin)
    expect(admin.get_by_text("Поток изменений с платформы: без постоянного слежения")).to_be_visible()
    shot(admin, "sync-feed-overview")
    go_to(admin, "Очередь модерации")
    notices = platform_keys(platform, f"notification:{BANNER_USER}:%")
    approve(admin, TRACK)
    expect_toast(admin, f"Одобрено: «{TRACK.title}»")
    kind, text = platform_value(platform, TRACK_KEY)
    assert kind == "string" and json.loads(text)["status"] == "approved"  # written back once, still double-encoded
    written = platform_keys(platform, "%")
    assert len(platform_keys(platform, f"notification:{BANNER_USER}:%")) == len(notices) + 1
    # the write-back comes back through the change log: applied as the platform has it, nothing written again
    go_to(admin, "Обзор")
    click(admin, "Обновить сейчас")
    expect_toast(admin, "Применено изменений с платформы: ")
    assert platform_keys(platform, "%") == written and platform_value(platform, TRACK_KEY) == (kind, text)
    log = audit_log(admin)
    assert list(log["Элемент"]).count(TRACK.title) == 1

    # a sync --follow that recorded itself is gone (killed): the overview says so (to everyone who opens it)
    with stopped_follower(synced.store):
        go_to(admin, "Обзор")
        expect(admin.get_by_text("Поток изменений с платформы остановлен")).to_be_visible()
        shot(admin, "sync-feed-stopped")


def test_a_read_only_role_gives_a_read_only_queue(people_read_only: Browser, synced_read_only: Synced) -> None:
    """Synced by a role without UPDATE rights: the queue says moderation is read-only, naming the role's
    connection, and its decision buttons cannot be pressed."""
    app, platform = synced_read_only.app, synced_read_only.platform
    before = platform_value(platform, OTHER_KEY)
    assert before[1]["status"] == "pending_moderation"
    page = open_as(people_read_only, app, "moderator", path="moderation_queue")
    note = page.get_by_text("Модерация только для чтения")
    expect(note).to_be_visible()
    shown = note.inner_text().replace("\u2060", "")  # word joiners keep the URL from becoming a link
    assert f"роль подключения к платформе ({url_label(synced_read_only.role_url)})" in shown
    assert "promo_browser_ro_" in note.inner_text()
    select(page, OTHER)
    for name in ("Одобрить", "Отклонить"):
        expect(button(page, name)).to_be_disabled()
    shot(page, "sync-read-only")
    assert platform_value(platform, OTHER_KEY) == before
