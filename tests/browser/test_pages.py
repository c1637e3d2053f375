"""Artists, language and managers in Chromium: every page opens with the right data, a language switch keeps what
a person chose, every revenue view opens and its CSV parses. (No request to another host: the ``browser`` fixture.)

Russian done right, as a person sees it (issue 15): on the overview, every artist page and every revenue view there
is no raw data value (statuses, payment methods, tiers, coin spend types), no "None" or "nan", no decimal point in
a ruble figure and no English month name — in the text, the tables and the charts' ticks (``assert_russian``, on
the same visits)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.people import (
    App,
    download_csv,
    go_to,
    grid_cells,
    open_as,
    page_text,
    pick_period,
    screenshot,
    switch_language,
    view_as,
    wait_idle,
)

ARTIST_PAGES = ("Мой обзор", "Треки", "Аудитория", "Концерты", "Фанаты и деньги", "Продвижение")
REVENUE_VIEWS = ("Итоги", "По источникам", "Способы оплаты и провайдеры", "Валюты", "Подписки", "Экономика коинов",
                 "Артисты")


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


def busiest_artist(app: App) -> tuple[str, str, set[str], set[str]]:
    """The artist with the most tracks: id, name, their track titles, and titles only other artists have."""
    counts: dict[str, int] = {}
    for artist_id, _title in app.tracks:
        counts[artist_id] = counts.get(artist_id, 0) + 1
    artist_id = max(counts, key=lambda a: (counts[a], a))
    name = dict(app.artists)[artist_id]
    own = {t for a, t in app.tracks if a == artist_id}
    return artist_id, name, own, {t for a, t in app.tracks if a != artist_id} - own


def test_an_artist_sees_every_page_with_their_own_data(browser: Browser, app: App) -> None:
    _artist_id, name, own, others = busiest_artist(app)
    page = open_as(browser, app, "artist", name)
    menu = page.locator("[data-testid=stSidebar]")
    expect(menu).not_to_contain_text("Очередь модерации")
    expect(menu).not_to_contain_text("Выручка")
    for title in ARTIST_PAGES:
        go_to(page, title)
        expect(page.locator("h1").filter(has_text=title).first).to_be_visible()
        assert_russian(page, title)
        if title == "Мой обзор":
            screenshot(page, "artist-overview")
    go_to(page, "Треки")
    expect(page.locator("h1").filter(has_text="Треки").first).to_be_visible()
    cells = set(grid_cells(page))
    for _ in range(50):  # the page's grid replaces the last page's a moment after the run that sent it
        if own & cells:
            break
        page.wait_for_timeout(200)
        cells = set(grid_cells(page))
    assert own & cells and not others & cells
    go_to(page, "Аудитория")
    expect(page.locator(".js-plotly-plot .choroplethlayer path").first).to_be_attached(timeout=20_000)


def test_a_language_switch_keeps_identity_page_and_period(browser: Browser, app: App) -> None:
    _artist_id, name, _own, _others = busiest_artist(app)
    page = open_as(browser, app, "artist", name)
    go_to(page, "Аудитория")
    pick_period(page, "90 дней")
    assert "period=90d" in page.url
    switch_language(page, "en")
    expect(page.locator("h1").filter(has_text="Audience")).to_be_visible()
    sidebar = page.locator("[data-testid=stSidebar]")
    # the picker tells namesakes apart: "Artist: name · city · id"
    expect(sidebar.get_by_role("combobox", name="View as")).to_have_value(
        re.compile(rf"^Artist: {re.escape(name)} · "))
    expect(page.get_by_role("radio", name="90 days")).to_be_checked()
    go_to(page, "Tracks")  # the period is shared by the artist pages
    expect(page.get_by_role("radio", name="90 days")).to_be_checked()
    # staff share links with the artist in them; an artist's own links never carry one
    assert "artist=" not in page.url
    view_as(page, "admin")
    go_to(page, "Tracks")
    assert "artist=" in page.url and "period=90d" in page.url


def test_a_manager_opens_every_revenue_view_and_a_csv_parses(browser: Browser, app: App) -> None:
    page = open_as(browser, app, "manager")
    assert_russian(page, "overview")
    screenshot(page, "overview")
    go_to(page, "Выручка")
    screenshot(page, "revenue-headline")
    for view in (*REVENUE_VIEWS, "Платежи"):
        page.get_by_role("radio", name=view, exact=True).click()
        wait_idle(page)
        assert_russian(page, view)
        if view == "Платежи":
            continue
        assert "view=" in page.url and "period=" in page.url  # a link to this view and period can be shared
        table = download_csv(page)
        assert len(table.columns) >= 2
