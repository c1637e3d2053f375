"""Trust, round two (issue 24), in Chromium, in Russian, on the suite's tiny demo: what a person tripped over on
every page. Two flows share the session's server, each on one page where it can (the suite runs at its time limit):
each assertion names its item of the issue in a comment.

Tables are drawn on a canvas: a table "fits" when its grid does not scroll sideways in the 1400 px window (its
scroller is no wider than its view) and the column that matters is among the grid's accessible header cells.
Item 12 (the README and ``make run``'s refusal) has no page: tests/test_trust_round_two.py checks it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

from babel.dates import get_month_names
from playwright.sync_api import Browser, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.people import (
    App,
    choose,
    click,
    expect_toast,
    go_to,
    grid_cells,
    open_as,
    page_text,
    screenshot,
    type_reason,
    view_as,
    wait_idle,
    widget,
)
from tests.conftest import AS_OF

RU_MONTHS = {name.rstrip("."): n for n, name in get_month_names("abbreviated", locale="ru").items()}
RU_DATE = re.compile(r"(\d{1,2}) ([а-я]+)\.? (\d{4})")
ISO_DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")
ENGLISH_WIDGET = re.compile(r"Select all|Date range|Select\.\.\.|Page not found")


def ru_dates(text: str) -> list[dt.date]:
    return [dt.date(int(y), RU_MONTHS[m], int(d)) for d, m, y in RU_DATE.findall(text) if m in RU_MONTHS]


def artist_id(app: App, name: str) -> str:
    return next(a for a, n in app.artists if n == name)


def grids(page: Page) -> list[dict[str, object]]:
    """Each visible table: its header cells, and whether it scrolls sideways (wider than its view). The grid draws
    its header cells only while it is on screen, so each is scrolled into view first."""
    return page.evaluate("""async () => {
        const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        const out = [];
        for (const g of [...document.querySelectorAll('[data-testid=stDataFrame]')]) {
            if (g.offsetParent === null) continue;
            g.scrollIntoView({block: 'center'});
            await frame();
            const sc = g.querySelector('.dvn-scroller');
            out.push({heads: [...g.querySelectorAll('[role=columnheader]')].map(h => h.textContent.trim()),
                      sideways: sc ? sc.scrollWidth > sc.clientWidth + 1 : false});
        }
        window.scrollTo(0, 0);
        return out;
    }""")


HEADERS_SHOWN = ("cols => { const shown = new Set([...document.querySelectorAll("
                 "'[data-testid=stDataFrame] [role=columnheader]')].map(h => h.textContent.trim())); "
                 "return cols.every(c => shown.has(c)); }")


def assert_fits(page: Page, where: str, *columns: str) -> None:
    """No table on the page scrolls sideways, and each of ``columns`` is a header of one of them."""
    page.locator("[data-testid=stDataFrame] [role=columnheader]").first.wait_for(state="attached")
    if columns:  # the view just asked for is drawn, not the one before it (a busy server starts the run late)
        with contextlib.suppress(PlaywrightTimeout):  # if not, the assertion below says what is shown
            page.wait_for_function(HEADERS_SHOWN, arg=list(columns), timeout=30_000)
    shown = grids(page)
    assert not [g["heads"] for g in shown if g["sideways"]], (where, shown)
    heads = {h for g in shown for h in g["heads"]}  # type: ignore[union-attr]
    assert set(columns) <= heads, (where, columns, heads)


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return found


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"] or
                a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


def visit(page: Page, app: App, path: str) -> None:
    """Open an address as a shared link would (a new session: staff, "view as" admin by default)."""
    page.goto(f"{app.url}/{path}")
    wait_idle(page)


def test_artist_pages_say_whose_they_are_and_fit(browser: Browser, app: App) -> None:
    vesna, gorod, pilot = artist_id(app, "Весна"), artist_id(app, "МС Город"), artist_id(app, "МС Пилот")
    page = open_as(browser, app, "admin", path=f"artist_overview?artist={vesna}&period=28")
    main, sidebar = page.locator("[data-testid=stMain]"), page.locator("[data-testid=stSidebar]")
    # 1: staff see whose pages these are: the stage name in the main area, the city and the full id beside it
    expect(main.locator("h1")).to_have_text("Обзор артиста")
    expect(main.locator("h3").filter(has_text="Весна").first).to_be_visible()
    assert f"id {vesna}" in page_text(page)
    # 1: the artist picker is at the top of the sidebar, above the page links, inside a 1000 px window; one box
    # says "Найти артиста"
    picker = widget(sidebar, "stSelectbox", "Страницы артиста")
    first_link = sidebar.locator("[data-testid=stPageLink]").first
    assert box(picker)["y"] < box(first_link)["y"] and box(picker)["y"] + box(picker)["height"] < 1000
    assert re.findall(r"Найти артиста", sidebar.inner_text()) == ["Найти артиста"]
    # 4: the previous period's count stands beside the previous period's money (Весна: 0 now, 4 000 ₽ in 3 before)
    caption = next(line for line in page_text(page).splitlines() if "пред. период:" in line and "₽" in line)
    now_count, before = caption.split("пред. период:")
    assert now_count.startswith("0 донатов") and re.search(r"4\u00a0000\u00a0₽ · 3 доната", before), caption
    # 8: "data as of" in the one date style, no ISO dates on the page
    assert re.search(r"Данные на \d{1,2} [а-я]+\. \d{4} \d\d:\d\d МСК", page_text(page))
    assert not ISO_DATE.search(page_text(page))
    screenshot(page, "artist-overview-staff")

    go_to(page, "Треки")
    # 2: the tracks' tables fit, "В плейлисты" and the all-time plays included; 8: their dates in words
    assert_fits(page, "tracks", "В плейлисты", "За всё время", "Причина")
    cells = grid_cells(page)
    assert not [c for c in cells if ISO_DATE.search(c)] and ru_dates(" ".join(cells))
    go_to(page, "Аудитория")
    # 10: Audience compares nothing, so its period caption names no previous period
    period = next(line for line in page_text(page).splitlines() if line.startswith("Период:"))
    assert "сравнение" not in period, period
    go_to(page, "Концерты")
    assert_fits(page, "concerts", "Статус", "К билетам")  # 2: the concert's status is on screen

    # 10: a period with no concert page views is one sentence: no "0 ↓", no chart of zeros, no table of zero rows
    visit(page, app, f"artist_concerts?artist={gorod}&period=custom&from=2026-10-07&to=2026-10-13")
    assert "просмотров страниц ваших концертов не было" in page_text(page)
    expect(page.locator(".st-key-chart_concert_days")).to_have_count(0)
    assert not [g for g in grids(page) if "День" in g["heads"]]  # type: ignore[operator]
    # 9: one pending donation agrees with its verb
    visit(page, app, f"artist_fans?artist={gorod}&period=365")
    assert "Ещё 1 донат за период пока не получен (" in page_text(page)
    # 2: the pitching table shows the curator's reply and the campaigns table fits
    visit(page, app, f"artist_promotion?artist={pilot}")
    assert_fits(page, "promotion", "Ответ", "Статус")

    # 1: a signed-in artist sees their own stage name (and no picker, no id)
    own = open_as(browser, app, "artist", "Весна")
    expect(own.locator("[data-testid=stMain] h1")).to_have_text("Мой обзор")
    expect(own.locator("[data-testid=stMain] h3").filter(has_text="Весна").first).to_be_visible()
    assert "Страницы артиста" not in own.locator("[data-testid=stSidebar]").inner_text()


def test_staff_pages_read_for_people_and_fit(browser: Browser, app: App) -> None:
    page = open_as(browser, app, "admin")
    text = page_text(page)
    # 4: "previous 30 days" gives the previous 30 days' dates (the overview's 30 days end on the last day with money)
    prev_line = next(line for line in text.splitlines() if line.startswith("пред. 30 дней"))
    first, last = ru_dates(prev_line)
    assert (last - first).days == 29 and last <= AS_OF - dt.timedelta(days=30), prev_line
    # 10: every pending type has its card (the table below lists them all)
    pending_rows = len(grid_cells(page.locator(".st-key-overview_pending"))) // 5
    cards = page.locator(".st-key-overview_pending_cards [data-testid=stMetric]").count()
    assert cards == pending_rows >= 5, (cards, pending_rows)
    assert not re.search(r"\d%", text)  # 8: "64,6 %", never "64,6%"

    go_to(page, "Качество данных")
    text = page_text(page)
    # 6: for people: no command line, no table.column names, no "name in check --json" column; one minus sign
    for developer in ("check --json", "python -m dashboard", "coins_balance.", "coins_transactions.", "--fixes"):
        assert developer not in text, developer
    assert_fits(page, "data health", "Проверка", "Исправление")  # 2: the fixes are on screen
    assert "Имя в check --json" not in {h for g in grids(page) for h in g["heads"]}  # type: ignore[union-attr]
    assert not re.search(r"(^|\s)-\d", text + "\n" + "\n".join(grid_cells(page)))

    go_to(page, "Выручка")
    page.get_by_role("radio", name="По источникам", exact=True).click()
    wait_idle(page)
    # 2: "Изменение, %" is on screen, whole
    assert_fits(page, "by stream", "Изменение, %", "Платформе, ₽")
    # 3: a change is shown only against a previous value of at least 5 and 1 % of the current one
    cells = grid_cells(page.locator("[data-testid=stElementContainer]:has([data-testid=stDataFrame])").first)
    for row in [cells[i:i + 8] for i in range(0, len(cells), 8)]:
        net, previous = (float(c.replace("\u00a0", "").replace("−", "-")) for c in (row[4], row[6]))
        tiny = not previous or abs(previous) < 5 or abs(previous) < 0.01 * abs(net)
        assert (row[7] == "—") == (tiny and net != previous), row
    page.get_by_role("radio", name="Артисты", exact=True).click()
    wait_idle(page)
    assert_fits(page, "top artists", "Номер артиста")  # 2: the id that tells namesakes apart
    page.get_by_role("radio", name="Способы оплаты и провайдеры", exact=True).click()
    wait_idle(page)
    # 11: the legend sits above the bars, never on the first one
    chart = page.locator(".js-plotly-plot").first
    assert box(chart.locator("g.legend")).get("y", 0) + box(chart.locator("g.legend"))["height"] <= \
        box(chart.locator("rect.nsewdrag").first)["y"] + 1

    go_to(page, "Очередь модерации")
    # 11: the median's label is whole in its card
    label = page.locator("[data-testid=stMetricLabel]").filter(has_text="Медиана").first
    assert label.evaluate("e => [...e.querySelectorAll('*')].every(c => c.scrollWidth <= c.clientWidth + 1)")
    # 7: no English "Select all" in a multiselect
    kind = widget(page, "stMultiSelect", "Тип")
    kind.locator("input").first.click()
    expect(page.get_by_role("option").first).to_be_visible()
    assert not ENGLISH_WIDGET.search(page.locator("body").inner_text())
    page.keyboard.press("Escape")
    # 9: a filter that matches nothing says so, not "Показаны 0–0 из 0"
    search = widget(page, "stTextInput", "Поиск по тексту").locator("input")
    search.fill("нет такого текста нигде")
    search.press("Enter")
    wait_idle(page)
    assert "не подходит ни один элемент" in page_text(page) and "0–0" not in page_text(page)
    search.fill("")
    search.press("Enter")
    wait_idle(page)
    # 11: the table's toolbar does not cover the page-size box
    table = page.locator("[class*=st-key-mod_queue_table] [data-testid=stDataFrame]").first  # the queue's own table
    table.scroll_into_view_if_needed()
    table.hover()
    toolbar = table.locator("xpath=..").locator("[data-testid=stElementToolbar]")
    size_box = page.locator("[data-testid=stSelectbox]").filter(has_text="на странице").first
    assert not overlap(box(toolbar), box(size_box))
    # 9: a title with its own quotes keeps them as the inner pair: «Лейбл „Тёплый ламповый“»
    choose(page, widget(page, "stMultiSelect", "Выбранные элементы"), "Тёплый ламповый")
    type_reason(page, "Нет прав на трек")
    click(page, "Отклонить")
    expect_toast(page, "«Лейбл „Тёплый ламповый“»")
    # 8: the approval rate reads "0 %" with CLDR's no-break space
    rate = page.locator("[data-testid=stMetric]").filter(has_text="Доля одобрений").locator(
        "[data-testid=stMetricValue]")
    assert re.fullmatch(r"\d+\u00a0%", rate.inner_text().strip())

    go_to(page, "Журнал решений")
    # 2: the new status and the reason are on screen
    assert_fits(page, "audit log", "Стало", "Причина")
    # 7, 8: the date picker has no English quick-select and reads ДД.ММ.ГГГГ, as revenue's
    picker = page.locator("[data-testid=stDateInput]").first
    expect(page.locator("[data-testid=stDateInputQuickSelect]")).to_have_count(0)
    assert re.search(r"\d\d\s?\.\s?\d\d\s?\.\s?\d{4}", picker.inner_text()), picker.inner_text()
    assert not ISO_DATE.search(page_text(page) + "\n".join(grid_cells(page)))

    # 5: switching "view as" to an artist on a staff page lands on the artist's first page, not a refusal
    view_as(page, "artist", "Весна")
    expect(page.locator("[data-testid=stMain] h1")).to_have_text("Мой обзор")
    assert "недоступна для вашей роли" not in page_text(page)
    # 7: an address with no page: the first page and a note in Russian, no English "Page not found" dialog
    visit(page, app, "no_such_page")
    assert "Страницы «no_such_page» нет" in page_text(page)
    expect(page.locator("[role=dialog]")).to_have_count(0)
