"""Russian done right, as a person sees it in Chromium (issue 15): on the overview, every artist page and every
revenue view there is no raw data value (statuses, payment methods, tiers, coin spend types), no "None" or "nan", no
decimal point in a ruble figure and no English month name — in the text, the tables and the charts' ticks."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page

from tests.browser.people import App, go_to, grid_cells, open_as, page_text, screenshot, wait_idle
from tests.browser.test_pages import ARTIST_PAGES, REVENUE_VIEWS, busiest_artist

RAW_VALUES = re.compile(r"\b(pending|approved|rejected|completed|refunded|failed|card|sbp|yoomoney|free|basic|pro|"
                        r"premium|spend|purchase|earn|refund|boost|banner|pitching|promotion|None|nan|NaN)\b")
DOT_MONEY = re.compile(r"\d\.\d+\s?₽")
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(uary|ruary|ch|il|e|y|ust|tember|"
                           r"ober|ember)?\b")


def shown(page: Page) -> str:
    """What the page shows: its text (charts' ticks included) and its tables' cells."""
    cells = grid_cells(page) if page.locator("[data-testid=stDataFrame]").count() else []
    return page_text(page) + "\n" + "\n".join(cells)


def assert_russian(page: Page, where: str) -> None:
    text = shown(page)
    for rule, name in ((RAW_VALUES, "raw value"), (DOT_MONEY, "decimal point in rubles"),
                       (ENGLISH_MONTH, "English month")):
        found = sorted(set(m.group(0) for m in rule.finditer(text)))
        assert not found, f"{where}: {name} {found[:5]}"


def test_russian_pages_show_no_raw_values_dots_or_english_months(browser: Browser, app: App) -> None:
    staff = open_as(browser, app, "admin")
    assert_russian(staff, "overview")
    screenshot(staff, "overview")
    _artist_id, name, _own, _others = busiest_artist(app)
    artist = open_as(browser, app, "artist", name)
    for title in ARTIST_PAGES:
        go_to(artist, title)
        assert_russian(artist, title)
        if title == "Мой обзор":
            screenshot(artist, "artist-overview")
    manager = open_as(browser, app, "manager")
    go_to(manager, "Выручка")
    screenshot(manager, "revenue-headline")
    for view in (*REVENUE_VIEWS, "Платежи"):
        manager.get_by_role("radio", name=view, exact=True).click()
        wait_idle(manager)
        assert_russian(manager, view)
