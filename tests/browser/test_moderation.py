"""Moderators in Chromium: one moderator's day, and two moderators racing for the same items."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from dashboard.i18n.translations import quoted
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
    open_as,
    open_bulk,
    page_text,
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
    assert "Выберите элементы" in page_text(page)  # after a decision nothing is selected

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
        "Отменённое решение"])
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
    lines = grid_cells(b)
    for item in videos:
        assert any(line.startswith(quoted(item.title)) and "уже одобрено" in line for line in lines), lines
    log = audit_log(b)
    assert len(log) == log_before + 2
    for item in videos:
        assert list(log[log["Элемент"] == item.title]["Действие"]) == ["одобрил(а)"]

