"""Issue 27 items 7 and 8 in Chromium: markup in a title, an artist's and a moderator's name and a banner URL is
drawn as text by the real app (no link, image or bold in the DOM, and no request to the hosts the markup names),
and a malformed banner URL is shown as text instead of crashing the preview."""

from __future__ import annotations

import copy
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from dashboard.i18n.translations import quoted
from dashboard.ingest.build import ingest
from dashboard.moderation import service as repo
from dashboard.store.connect import Store
from tests.browser.conftest import require_chromium, streamlit_server
from tests.browser.people import choose, click, label, new_person, view_as, wait_idle, widget
from tests.test_repository import ARTIST, SEED_RECORDS, write_snapshot

TITLE = "**жирный** [ссылка](http://ev.il/x) ![i](http://127.0.0.2/t.png) www.ev.il"
ARTIST_NAME = "![a](http://127.0.0.2/a.png) _Артист_"
MODERATOR = "![m](http://127.0.0.2/m.png) **Модератор** a@ev.il"
BAD_IMAGE = "https://![l](http:\\\\127.0.0.2\\l.png)x/y.png"
MARKUP = "a, img, strong, em, b"


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[str, Store]]:
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="promo-markup-"))
    records: list[dict[str, Any]] = copy.deepcopy(SEED_RECORDS)
    for rec in records:
        if rec["key"] == f"tracks:{ARTIST}:t1":
            rec["value"]["title"] = TITLE
        if rec["key"] == f"users:{ARTIST}:profile":
            rec["value"]["name"] = ARTIST_NAME
        if rec["key"] == f"banners:{ARTIST}:b1":
            rec["value"]["image_url"] = BAD_IMAGE
    store = Store(str(folder / "hostile.duckdb"))
    ingest([write_snapshot(folder / "hostile.ndjson", records)], store, "seed", say=lambda _m: None)
    with streamlit_server(folder, {"PROMO_DB": store.name, "PROMO_DEMO_MODE": "1"}) as url:
        yield url, store


@pytest.fixture
def page(hostile: tuple[str, Store], chromium: Browser) -> Iterator[Page]:
    context = new_person(chromium)
    foreign: list[str] = []
    context.on("request", lambda r: foreign.append(r.url) if "127.0.0.2" in r.url or "ev.il" in r.url else None)
    page = context.new_page()
    page.goto(f"{hostile[0]}/moderation_queue")
    wait_idle(page)
    view_as(page, "moderator")
    yield page
    context.close()
    assert not foreign, f"markup from data made the browser fetch: {foreign}"


def pick(page: Page, title: str) -> None:
    choose(page, widget(page, "stMultiSelect", label(page, "pick")), title)


def text_of(scope: Locator) -> str:
    """What a person reads (the invisible word joiners that break autolinks left out)."""
    return scope.inner_text().replace("\u2060", "")


def test_toast_and_undo_show_the_title_and_artist_as_text(page: Page) -> None:
    pick(page, "жирный")
    click(page, label(page, "approve"))
    toast = page.locator("[data-testid=stToast]").last
    expect(toast).to_be_visible()
    assert f"{quoted(TITLE)} (Трек, {ARTIST_NAME})" in text_of(toast)
    assert toast.locator(MARKUP).count() == 0
    undo = page.locator("[data-testid=stButton]").filter(has_text="Отменить последнее решение").first
    assert TITLE in text_of(undo) and undo.locator(MARKUP).count() == 0


def test_left_your_selection_shows_the_moderator_as_text(page: Page, hostile: tuple[str, Store]) -> None:
    pick(page, "Клип")
    repo.decide(hostile[1], [repo.Item("videos", "v1", f"videos:{ARTIST}:v1", "pending")], "approve", MODERATOR)
    pick(page, "Новость")  # the next run sees that v1 was decided meanwhile
    note = page.locator("[data-testid=stAlert]").filter(has_text="убран из выбора").first
    expect(note).to_be_visible()
    assert f"решение уже принято — {MODERATOR}," in text_of(note)
    assert note.locator(MARKUP).count() == 0


def test_a_malformed_banner_url_is_shown_as_text(page: Page) -> None:
    pick(page, "Баннер")
    main = page.locator("[data-testid=stMain]")
    expect(main).to_contain_text(BAD_IMAGE)
    assert main.locator("[data-testid=stImage], [data-testid=stToggle]").count() == 0
