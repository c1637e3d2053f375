"""Data health in Chromium, in Russian, as a moderator: each check's count on the page (its card and the summary
table) is the count ``dashboard.health`` computes for the same store (``App.health``, read before the server
started), and the fixes are shown as plain text, KV keys and all."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from dashboard.health.checks import CHECKS
from dashboard.i18n.formatting import number
from dashboard.i18n.translations import t
from tests.browser.people import App, go_to, grid_cells, open_as, screenshot

TITLE = "Качество данных"  # health.title / nav.health in dashboard/i18n/strings/health.json


def test_a_moderator_sees_the_counts_dashboard_health_computes(browser: Browser, app: App) -> None:
    assert set(app.health) == {c.name for c in CHECKS}
    # the tiny demo plants drifted balances, so there is a fix with a coins:…:balance key to look for
    assert app.health["coin_balance_drift"] > 0 and app.health_fixes["coin_balance_drift"]
    page = open_as(browser, app, "moderator")
    go_to(page, TITLE)
    expect(page.locator("h1").filter(has_text=TITLE).first).to_be_visible()
    screenshot(page, "data-health")

    # each check's card: its "Найдено" metric
    shown = {c.name: page.locator(f".st-key-health_{c.name} [data-testid=stMetricValue]").inner_text().strip()
             for c in CHECKS}
    assert shown == {name: number(n) for name, n in app.health.items()}

    # the summary table: check title, found, change (one row per check; no command-line names, issue 24)
    # (a table's key gives it no class to find it by, unlike a container's: the summary is the page's first table)
    cells = grid_cells(page.locator("[data-testid=stElementContainer]:has([data-testid=stDataFrame])").first)
    titles = {t(f"health.check.{name}.title", "ru"): name for name in app.health}
    summary = {titles[cell]: cells[i + 1] for i, cell in enumerate(cells[:-1]) if cell in titles}
    assert summary == {name: number(n) for name, n in app.health.items()}

    # the fixes, word for word, as text in each table of affected records; no table for a check that found nothing
    tables: dict[str, list[str]] = {}
    for check in CHECKS:
        scope = page.locator(f".st-key-health_{check.name}")
        if not app.health[check.name]:
            expect(scope.locator("[data-testid=stDataFrame]")).to_have_count(0)
            continue
        tables[check.name] = grid_cells(scope)  # what fits in the window: the fix column included
        assert set(app.health_fixes[check.name]) <= set(tables[check.name]), (check.name, tables[check.name])
    # e.g. "задать в coins:<user>:balance поле balance = 100", and the keys cell "coins:<user>:balance, …"
    coins = tables["coin_balance_drift"]
    coin_fix = app.health_fixes["coin_balance_drift"][0]
    key = re.search(r"coins:[^:\s]+:balance", coin_fix)
    assert key and coin_fix in coins and any(cell.startswith(key.group(0) + ",") for cell in coins), coins
