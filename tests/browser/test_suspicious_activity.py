"""Suspicious activity in Chromium, in Russian, as a moderator: the page lists a planted play spike, its evidence
chart draws, the moderator dismisses it with a note; after a re-ingest of the same snapshot the flag is still there
and still dismissed (its id is stable, the review is kept). Its own server, on the small demo (the tiny demo the
other browser tests share has no planted spike)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from dashboard.anomalies.flags import compute_flags
from dashboard.anomalies.reviews import states
from dashboard.demo.snapshot import write_demo_snapshot
from dashboard.i18n.translations import quoted
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from tests.browser.conftest import require_chromium, streamlit_server
from tests.browser.people import App, choose, go_to, open_as, page_text, screenshot, wait_idle, widget
from tests.conftest import AS_OF

TITLE = "Подозрительная активность"  # nav.suspicious_activity in dashboard/i18n/strings/anomalies.json


@pytest.fixture(scope="module")
def planted_app() -> Iterator[tuple[App, Store, Path]]:
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="promo-anomalies-"))
    snapshot = folder / "demo.ndjson"
    write_demo_snapshot(snapshot, scale="small", seed=7, as_of=AS_OF)
    store = Store(str(folder / "demo.duckdb"))
    ingest([snapshot], store, "seed", say=lambda _m: None)
    try:
        with streamlit_server(folder, {"PROMO_DB": store.name, "PROMO_DEMO_MODE": "1"}) as url:
            yield App(url=url, items=[], artists=[], tracks=[]), store, snapshot
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_moderator_dismisses_a_spike_and_it_stays_dismissed(chromium: Browser,
                                                                 planted_app: tuple[App, Store, Path]) -> None:
    app, store, snapshot = planted_app
    spike = next(f for f in compute_flags(store) if f.kind == "play_spike")  # the newest planted spike
    page = open_as(chromium, app, "moderator")
    go_to(page, TITLE)
    expect(page.locator("h1").filter(has_text=TITLE).first).to_be_visible()
    choose(page, widget(page, "stSelectbox", "Тип"), "Всплеск прослушиваний")
    evidence = page.locator(".st-key-anomaly_evidence")
    expect(evidence).to_contain_text(quoted(spike.title))
    expect(evidence).to_contain_text("прослушиваний при обычных")
    chart = evidence.locator("[data-testid=stPlotlyChart]")
    expect(chart).to_be_visible()
    expect(chart.locator(".scatterlayer .trace")).to_have_count(2)  # plays and listeners
    expect(chart.locator(".legendtext").filter(has_text="Прослушивания")).to_have_count(1)
    chart.evaluate("e => e.scrollIntoView({block: 'center'})")  # the flag's sentence and its chart in view
    screenshot(page, "suspicious-activity")

    note = widget(page, "stTextInput", "Заметка").locator("input")
    note.fill("органика: трек попал в подборку")
    note.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Отклонить (ложная тревога)").click()
    wait_idle(page)
    assert "Флаг отклонён" in page_text(page)
    assert states(store)[spike.id].status == "dismissed"

    ingest([snapshot], store, "seed", say=lambda _m: None)  # a re-ingest while the app runs
    assert spike.id in {f.id for f in compute_flags(store)}
    page.reload()
    wait_idle(page)
    go_to(page, TITLE)
    choose(page, widget(page, "stSelectbox", "Тип"), "Всплеск прослушиваний")
    evidence = page.locator(".st-key-anomaly_evidence")
    expect(evidence).to_contain_text("Отклонён")
    expect(evidence).to_contain_text("органика: трек попал в подборку")
    expect(page.get_by_role("button", name="Отклонить (ложная тревога)")).to_be_disabled()
    assert not app.foreign_requests, app.foreign_requests[:5]
