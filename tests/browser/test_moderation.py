"""Moderators in Chromium: one moderator's day, two moderators racing for the same items, a moderator working
with the keys only, and a claim that sends the next moderator elsewhere until it expires."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, Page, expect

from dashboard.i18n.translations import quoted
from tests.browser.conftest import CLAIM_SECONDS
from tests.browser.people import (
    App,
    Item,
    approve,
    audit_log,
    click,
    confirm,
    download_csv,
    expect_toast,
    go_to,
    grid_cells,
    keys_ready,
    open_as,
    open_bulk,
    open_id,
    open_item,
    press,
    press_to_next,
    queue_cells,
    reject,
    screenshot,
    select,
    type_reason,
    undo,
)


def pending_tracks(page: Page) -> int:
    """The overview's count of tracks waiting for moderation (its "waiting by type" CSV download)."""
    go_to(page, "Обзор")
    by_type = download_csv(page)
    tracks = by_type.loc[by_type.iloc[:, 0] == "Трек"]
    return int(tracks.iloc[0, 1]) if not tracks.empty else 0


def wait_for_cell(page: Page, text: str) -> None:
    """Until a table cell saying ``text`` is drawn (the page's tables draw one by one)."""
    page.locator("[data-testid=stDataFrame] [role=gridcell]").filter(has_text=text).first.wait_for(state="attached")


def in_words(item: Item, entity: str) -> str:
    return f"{quoted(item.title)} ({entity}, {item.artist})"


def test_a_moderators_day(browser: Browser, app: App) -> None:
    """Approve; reject with a reason; a rejection without one is refused; bulk approve through the dialog that
    lists the items; undo. The audit log then records each action, and the overview's counts follow."""
    track, = app.pending("tracks")
    video, = app.pending("videos")
    news = app.pending("news", 2)
    page = open_as(browser, app, "moderator")
    tracks_before = pending_tracks(page)

    go_to(page, "Очередь модерации")
    screenshot(page, "moderation-queue")
    approve(page, track)
    expect_toast(page, "Одобрено: " + in_words(track, "Трек"))

    reject(page, video)  # no reason
    expect(page.get_by_text("Для отклонения нужна причина")).to_be_visible()
    type_reason(page, "Нет прав на музыку")
    click(page, "Отклонить")
    expect_toast(page, "Отклонено: " + in_words(video, "Видео"))

    dialog = open_bulk(page, "approve", *news)
    assert "Одобрить 2 элемента?" in dialog.inner_text()
    listed = grid_cells(dialog)
    for item in news:
        assert {item.title, "Новость", item.artist} <= set(listed)
    screenshot(page, "moderation-bulk-dialog")
    confirm(page)
    expect_toast(page, "Одобрено: 2 элемента")
    undo(page)
    expect_toast(page, "Решение отменено, снова в очереди: 2 элемента")

    go_to(page, "Журнал решений")
    screenshot(page, "moderation-audit-log")
    log = download_csv(page)
    record = {(r["Элемент"], r["Действие"]) for _, r in log.iterrows()}
    assert (track.title, "одобрил(а)") in record and (video.title, "отклонил(а)") in record
    for item in news:
        assert (item.title, "одобрил(а)") in record and (item.title, "отменил(а) решение") in record
    rejected = log[log["Элемент"] == video.title].iloc[0]
    assert rejected["Причина"] == "Нет прав на музыку" and rejected["Стало"] == "отклонено"
    assert rejected["Тип"] == "Видео" and rejected["Артист"] == video.artist
    assert all(u.startswith("одобрил(а) — moderator-demo") for u in log[log["Действие"] == "отменил(а) решение"][
        "Отменённое решение"])  # the CSV keeps the undone decision in a column of its own
    assert "None" not in log.to_csv(index=False)

    assert pending_tracks(page) == tracks_before - 1


def test_two_moderators_on_one_item(browser: Browser, app: App) -> None:
    """A and B both pick the same item; A approves; B, without reloading, rejects: B sees "already approved by …",
    nothing else changes, and the audit log has exactly one entry for the item."""
    concert, = app.pending("concerts")
    a = open_as(browser, app, "moderator", path="moderation_queue")
    b = open_as(browser, app, "moderator", path="moderation_queue")
    log_before = len(audit_log(a))
    go_to(a, "Очередь модерации")
    select(a, concert)
    select(b, concert)
    type_reason(b, "Дубль")
    click(a, "Одобрить")
    click(b, "Отклонить")
    expect_toast(b, "Ничего не изменено")
    conflict = b.get_by_text("Не применено: эти элементы уже рассмотрел кто-то другой")
    expect(conflict).to_be_visible()
    wait_for_cell(b, "уже одобрено — moderator-demo")
    lines = grid_cells(b)
    assert any(line.startswith(quoted(concert.title)) and "уже одобрено — moderator-demo" in line for line in lines)
    log = audit_log(b)
    assert len(log) == log_before + 1
    assert list(log[log["Элемент"] == concert.title]["Действие"]) == ["одобрил(а)"]


def test_two_moderators_on_one_bulk_decision(browser: Browser, app: App) -> None:
    """Both open the bulk dialog on the same two items; A confirms first: B's confirmation changes nothing."""
    videos = app.pending("videos", 2, skip=1)
    a = open_as(browser, app, "moderator", path="moderation_queue")
    b = open_as(browser, app, "moderator", path="moderation_queue")
    log_before = len(audit_log(a))
    go_to(a, "Очередь модерации")
    open_bulk(a, "approve", *videos)
    open_bulk(b, "approve", *videos)
    confirm(a)
    expect_toast(a, "Одобрено: 2 элемента")
    confirm(b)
    expect_toast(b, "Ничего не изменено; не применено (уже решено другими): 2 элемента")
    wait_for_cell(b, "уже одобрено")
    lines = grid_cells(b)
    for item in videos:
        assert any(line.startswith(quoted(item.title)) and "уже одобрено" in line for line in lines), lines
    log = audit_log(b)
    assert len(log) == log_before + 2
    for item in videos:
        assert list(log[log["Элемент"] == item.title]["Действие"]) == ["одобрил(а)"]



def test_a_claim_sends_the_next_moderator_elsewhere_until_it_expires(browser: Browser, app: App) -> None:
    """A opens the queue: its first item is A's for CLAIM_SECONDS. B, opening the queue, gets the next one, reads
    "смотрит moderator-demo" on A's, and K does not take B there; once A's claim expires, K does."""
    a = open_as(browser, app, "moderator", path="moderation_queue")
    mine = open_item(a)
    b = open_as(browser, app, "moderator", path="moderation_queue")
    keys_ready(b)
    assert open_item(b) != mine  # B's next-item flow skipped the item A has open
    assert "смотрит moderator-demo" in queue_cells(b)
    screenshot(b, "moderation-claim")
    keys_ready(a)  # A opens the next free item and comes back: the claim starts again now (a slow machine)
    press_to_next(a, "j")
    assert press_to_next(a, "k") == mine
    claimed_at = time.monotonic()
    press(b, "k")
    assert open_item(b) != mine
    time.sleep(max(0.0, claimed_at + CLAIM_SECONDS + 0.5 - time.monotonic()))
    assert press_to_next(b, "k") == mine  # the claim expired: the item is free again


APPROVALS_BY_KEY = 20  # issue 23: twenty items approved with A, each once, on the item shown


def test_a_moderator_reviews_with_the_keys_only(browser: Browser, app: App) -> None:
    """J/K move the preview, ? shows the keys, R then 2 rejects with the second canned reason, U undoes it, and
    twenty A presses approve twenty items, each once and each the item shown, the next one opening by itself.
    (Last in this module: it decides most of the demo's queue.)"""
    page = open_as(browser, app, "moderator", path="moderation_queue")
    keys_ready(page)
    first = open_item(page)
    second = press_to_next(page, "j")
    assert second != first and press_to_next(page, "k") == first
    page.keyboard.press("?")
    expect(page.get_by_text("следующий / предыдущий элемент")).to_be_visible()
    screenshot(page, "moderation-keys")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    expect(page.locator(".st-key-mod_reason_text input")).to_be_focused()
    assert press_to_next(page, "2") == second
    expect_toast(page, f"Отклонено: «{first}»")
    press(page, "u")
    expect_toast(page, f"Решение отменено, снова в очереди: «{first}»")
    assert open_item(page) == first  # the undone item is open again
    screenshot(page, "moderation-workbench")

    first_id = open_id(page)
    approved = []
    for _ in range(APPROVALS_BY_KEY):
        approved.append(open_id(page))
        press_to_next(page, "a")
    assert len(set(approved)) == APPROVALS_BY_KEY and approved[0] == first_id
    log = audit_log(page)
    done = log[(log["Действие"] == "одобрил(а)") & log["ID"].isin(approved)]
    assert sorted(done["ID"]) == sorted(approved)  # each approved once, and the one shown when A was pressed
    first_log = log[log["ID"] == first_id]
    assert sorted(first_log["Действие"]) == ["одобрил(а)", "отклонил(а)", "отменил(а) решение"]
    assert "Нарушение авторских прав" in set(first_log["Причина"])
