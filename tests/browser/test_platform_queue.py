"""The platform's own review queue in Chromium, in Russian (issue 18 §4): a store ingested from the deployed fixture
plus one row of each kind the fixture lacks (tests/test_moderation_platform_queue.py EXTRA), served in demo mode. A
moderator sees every new type with its Russian name, title, owner and status, approves an AI news article (it moves
to the published list) and rejects a paid track test (refunded); outcomes are checked in the store's KV values."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser

from dashboard.i18n.translations import quoted
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from dashboard.store.queries import read_engine
from tests.browser.conftest import require_chromium, streamlit_server, watched
from tests.browser.people import (
    App,
    Item,
    choose,
    click,
    expect_toast,
    go_to,
    open_as,
    queue_cells,
    screenshot,
    select,
    type_reason,
    widget,
)
from tests.conftest import FIXTURE
from tests.test_moderation_platform_queue import AI_PENDING, EXTRA

ARTICLE = Item("ai_news", "Новый тренд: нейросети помогают в создании аранжировок", "—")
TRACK_TEST = Item("track_test_intake", "Тест: Неон", "Дэн")
# the types the fixture alone does not bring (9 rows: the table draws them all at once)
TYPES = ("Тест трека: заявка", "Тест трека: результат", "Заказ публикации", "Заказ контента", "Новость ИИ-агента")


@pytest.fixture(scope="module")
def platform_app() -> Iterator[tuple[App, Store]]:
    require_chromium()
    folder = Path(tempfile.mkdtemp(prefix="promo-platform-queue-"))
    extra = folder / "extra.ndjson"
    extra.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in EXTRA), encoding="utf-8")
    store = Store(str(folder / "deployed.duckdb"))
    ingest([FIXTURE, extra], store, "deployed", say=lambda _m: None)
    try:
        with streamlit_server(folder, {"PROMO_DB": store.name, "PROMO_DEMO_MODE": "1"}) as url:
            yield App(url=url, items=[ARTICLE, TRACK_TEST], artists=[], tracks=[]), store
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def moderators(chromium: Browser, platform_app: tuple[App, Store]) -> Iterator[Browser]:
    yield from watched(chromium, platform_app[0])  # type: ignore[misc]


def kv(store: Store, key: str) -> object:
    with read_engine(store).connect() as conn:
        text = conn.execute(sa.text("SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k"), {"k": key}).scalar()
    return json.loads(text) if text is not None else None


def test_a_moderator_decides_the_platforms_own_review(moderators: Browser, platform_app: tuple[App, Store]) -> None:
    app, store = platform_app
    page = open_as(moderators, app, "moderator")
    go_to(page, "Очередь модерации")
    for name in TYPES:
        choose(page, widget(page, "stMultiSelect", "Тип"), name)
    cells = queue_cells(page)
    for name in TYPES:
        assert name in cells, name
    for words in ("Тест: Гроза", "ждёт проверки результата", "оплачено, ждёт модерации", "анализ готов, ждёт проверки",
                  "Концерт в Казани", "Джингл к пятничной вечеринке, 15 секунд", ARTICLE.title, "на проверке"):
        assert words in cells, words
    select(page, ARTICLE)
    screenshot(page, "moderation-platform-queue")
    click(page, "Одобрить")
    expect_toast(page, f"Одобрено: {quoted(ARTICLE.title)} (Новость ИИ-агента, —)")
    published = kv(store, "news:articles:published")
    assert isinstance(published, list) and published[0]["title"] == ARTICLE.title
    assert published[0]["status"] == "published"
    assert ARTICLE.title not in [a["title"] for a in kv(store, AI_PENDING)]  # type: ignore[union-attr]

    select(page, TRACK_TEST)
    type_reason(page, "Тишина вместо трека")
    click(page, "Отклонить")
    expect_toast(page, "Отклонено: «Тест: Неон» (Тест трека: заявка, Дэн)")
    value = kv(store, "track_test:requests:tt-pmf-intake")
    assert isinstance(value, dict)
    assert (value["status"], value["payment_status"], value["rejection_reason"]) == \
        ("moderation_rejected", "refunded", "Тишина вместо трека")
