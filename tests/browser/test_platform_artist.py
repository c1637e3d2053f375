"""An artist's statistics on the real platform, in Chromium, in Russian (issue 18): the deployed fixture loaded as the
platform's table and synced as the README says; Сандра (the owner of analytics:3f6b2c1e-…: 12 plays over 3 tracks)
sees her plays on "Мой обзор" and "Треки", with no year 1969 or 1970 anywhere and no period of zeros; after a
second sync a day later with more plays, plays per day appear, with the day the series starts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import require_chromium, streamlit_server, watched
from tests.browser.people import App, choose, go_to, grid_cells, open_as, page_text, screenshot, wait_idle, widget
from tests.conftest import FIXTURE, REPO
from tests.sync_platform import TABLE, libpq, make_platform, platform_execute, platform_value

SANDRA = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"


def sync(store: Path, platform: str, at: dt.datetime) -> None:
    """``python -m dashboard sync`` as a user runs it, the totals recorded as of ``at``."""
    env = {**os.environ, "PROMO_PLATFORM_URL": platform, "PROMO_SNAPSHOT_AT": at.isoformat()}
    done = subprocess.run([sys.executable, "-m", "dashboard", "sync", "--db", str(store)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def add_plays(platform: str, key: str, more: int) -> None:
    """What the platform's play endpoint does, ``more`` times: plays + n in the (double-encoded) value."""
    _kind, value = platform_value(platform, key)
    inner = json.loads(value) if isinstance(value, str) else value
    inner["plays"] = int(inner.get("plays") or 0) + more
    platform_execute(platform, f"UPDATE {TABLE} SET value = to_jsonb(%s::text) WHERE key = %s",
                     [json.dumps(inner, ensure_ascii=False), key])


@pytest.fixture(scope="module")
def served(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, str, Path]]:
    require_chromium()
    if not FIXTURE.is_file():
        pytest.fail(f"shared fixture not found at {FIXTURE} (set PROMO_SHARED to the shared/ folder)")
    platform = libpq(make_platform(pg_url, f"platform_artist_{os.getpid()}", FIXTURE))
    folder = tmp_path_factory.mktemp("platform-artist")
    store = folder / "synced.duckdb"
    sync(store, platform, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    env = {"PROMO_PLATFORM_URL": platform, "PROMO_DB": str(store), "PROMO_DEMO_MODE": "1"}
    with streamlit_server(folder, env) as url:
        yield App(url=url, items=[], artists=[], tracks=[]), platform, store


@pytest.fixture
def people(chromium: Browser, served: tuple[App, str, Path]) -> Iterator[Browser]:
    yield from watched(chromium, served[0])  # type: ignore[misc]


def no_epoch(page: Page) -> str:
    """The page's text, one non-empty line each (a metric reads "label\nvalue"); never a year 1969 or 1970."""
    text = "\n".join(line.strip() for line in page_text(page).splitlines() if line.strip())
    text = text.replace("\u00a0", " ").replace("\u202f", " ")  # numbers group digits with no-break spaces
    assert "1969" not in text and "1970" not in text, text[:800]
    return text


def test_an_artist_sees_her_plays_and_then_plays_per_day(people: Browser, served: tuple[App, str, Path]) -> None:
    app, platform, store = served
    page = open_as(people, app, "artist", "Сандра")
    go_to(page, "Мой обзор")
    text = no_epoch(page)
    assert "За всё время" in text and "Прослушивания\n12" in text and "Треки\n3" in text
    assert "850 ₽" in text and "2 000" in text  # donations ever received, subscribers from the profile
    assert "Платформа хранит только общие счётчики прослушиваний" in text  # said, not a chart of zeros
    assert page.locator("[data-testid=stPlotlyChart]").count() == 0
    screenshot(page, "platform-artist-overview-totals")
    go_to(page, "Треки")
    text = no_epoch(page)
    assert "Ваши треки за всё время" in text
    cells = grid_cells(page)  # the first table: the tracks' counters, most played first (6, 4, 2: 12 in all)
    assert cells[:15] == ["Flow State", "Черновик", "6", "0", "0", "На бите", "Отклонён", "4", "0", "0",
                          "Pulse", "На модерации", "2", "0", "0"], cells[:15]

    # the platform counts more plays; the next sync, a day later, records the growth
    tracks = sorted(k.rsplit(":", 1)[1] for k in json_keys(platform) if k.startswith(f"analytics:{SANDRA}:track:"))
    for key in (f"analytics:{SANDRA}:track:{tracks[0]}", f"track:{SANDRA}:{tracks[0]}"):
        add_plays(platform, key, 5)
    sync(store, platform, dt.datetime.now(dt.UTC))
    page = open_as(people, app, "artist", "Сандра")
    go_to(page, "Мой обзор")
    text = no_epoch(page)
    assert "Прослушивания\n17" in text  # the totals moved
    assert "Данные есть с" in text  # the series says where it starts
    assert page.locator("[data-testid=stPlotlyChart]").count() >= 1  # plays per day, drawn
    screenshot(page, "platform-artist-overview-series")
    go_to(page, "Треки")
    text = no_epoch(page)
    assert "Данные есть с" in text and page.locator("[data-testid=stPlotlyChart]").count() >= 1


def json_keys(platform: str) -> list[str]:
    import psycopg

    with psycopg.connect(platform) as conn:
        return [r[0] for r in conn.execute(f"SELECT key FROM {TABLE} WHERE key LIKE 'analytics:%'")]


def test_a_manager_sees_the_platforms_money_by_line(people: Browser, served: tuple[App, str, Path]) -> None:
    """Revenue → By stream on the synced fixture: the marketplace, bookings, track tests and tickets are lines of
    their own, each with the platform's share; a ticket vendor's commission is not the platform's."""
    app, _platform, _store = served
    page = open_as(people, app, "manager")
    go_to(page, "Выручка")
    choose(page, widget(page, "stSelectbox", "Период"), "365 дней")
    page.get_by_role("radio", name="По источникам", exact=True).click()
    wait_idle(page)
    no_epoch(page)
    cells = [c.replace("\u202f", " ").replace("\u00a0", " ") for c in grid_cells(page)]
    for line in ("Услуги продюсеров", "Бронирования", "Тесты треков", "Продажа билетов", "Донаты", "Подписки"):
        assert line in cells, line
    # columns: line, payments, gross, refunds, net, the platform's share, payouts, vendors' commission
    row = cells[cells.index("Продажа билетов"):][:8]
    assert row[1:6] == ["6", "25 483", "0", "25 483", "0"], row  # the platform's share of ticket sales is 0
    services = cells[cells.index("Услуги продюсеров"):][:6]
    assert services[4:6] == ["18 000", "1 800"], services  # a completed order and an approved milestone, 10 %
    screenshot(page, "revenue-platform-lines")
    page.get_by_role("radio", name="Итоги", exact=True).click()
    wait_idle(page)
    assert "Заработала платформа" in no_epoch(page)
