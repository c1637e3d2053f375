"""What a person does in the app, in the browser: open it as someone, go to a page, pick items, approve, reject,
undo, switch the language, download a CSV. Each helper waits until the app has finished its run and fails on a
Streamlit exception box, so a test reads as the flow it checks.

The helpers find widgets by the labels a person sees (Russian by default, English after ``switch_language``), so
the later browser tests (sign-in, translations) reuse them.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from dashboard.i18n.translations import quoted

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
BUSY = "[data-testid=stApp]:not([data-test-script-state=notRunning])"
LABELS = {  # the few UI texts the helpers click on, per language
    "ru": {"view_as": "Смотреть как", "pick": "Выбранные элементы", "approve": "Одобрить", "reject": "Отклонить",
           "reason": "Своя причина", "bulk_approve": "Одобрить выбранные", "bulk_reject": "Отклонить выбранные",
           "yes": "Да, применить", "undo": "Отменить последнее решение", "csv": "Скачать CSV",
           "admin": "Администратор", "moderator": "Модератор", "manager": "Менеджер", "artist": "Артист: {name}"},
    "en": {"view_as": "View as", "pick": "Selected items", "approve": "Approve", "reject": "Reject",
           "reason": "Your reason", "bulk_approve": "Approve selected", "bulk_reject": "Reject selected",
           "yes": "Yes, apply", "undo": "Undo the last decision", "csv": "Download CSV",
           "admin": "Admin", "moderator": "Moderator", "manager": "Manager", "artist": "Artist: {name}"},
}


@dataclass(frozen=True)
class Item:
    """A moderated item as a person sees it in the queue."""

    entity: str
    title: str
    artist: str


@dataclass
class App:
    """The running app: its address, what the demo store holds (read before the server started), and the requests
    any page made to another host."""

    url: str
    items: list[Item]
    artists: list[tuple[str, str]]  # (artist_id, name)
    tracks: list[tuple[str, str]]  # (artist_id, title)
    health: dict[str, int] = field(default_factory=dict)  # data health: each check's count (dashboard.health)
    health_fixes: dict[str, list[str]] = field(default_factory=dict)  # each check's fix texts, in Russian
    foreign_requests: list[str] = field(default_factory=list)
    sessions: list[Any] = field(default_factory=list)  # the browser contexts the current test opened

    def pending(self, entity: str, n: int = 1, skip: int = 0) -> list[Item]:
        """``n`` pending items of one type (each test takes its own, so the tests do not meet)."""
        found = [i for i in self.items if i.entity == entity][skip:skip + n]
        assert len(found) == n, f"the demo store has too few pending {entity}"
        return found


_LANGUAGE: dict[Page, str] = {}  # the UI language each page was switched to (Russian by default)


def lang_of(page: Page) -> str:
    return _LANGUAGE.get(page, "ru")


def label(page: Page, name: str) -> str:
    return LABELS[lang_of(page)][name]


def wait_idle(page: Page) -> None:
    """Wait until the run an action asked for is over; fail on any Streamlit exception box.

    The page's own watcher (``RUNS``, in every person's pages) says when the person last acted and when the app was
    last seen running and last went idle: the wait ends once the app is idle, 300 ms have passed since its last run
    ended (a run that one asked for, st.rerun, begins within them, and the grids it sent are drawn), and either a
    run began after the action or none began within 600 ms of it (an action that asks for no run). A run that began
    and ended before this call is seen too, so a quick run costs no fixed wait."""
    page.wait_for_function(SETTLED, timeout=60_000, polling=50)
    errors = page.locator("[data-testid=stException]")
    assert errors.count() == 0, errors.first.inner_text()


# In every page a person opens (``new_person``): when they last acted (a pointer, key or input event) and when the
# app was last seen running and last went idle (its stApp element's data-test-script-state), for ``wait_idle``.
RUNS = """
window.__promoRuns = {acted: 0, busy: -1, ended: 0, running: false};
(() => {
  const s = window.__promoRuns;
  for (const kind of ['pointerdown', 'keydown', 'input', 'change']) {
    window.addEventListener(kind, () => { s.acted = performance.now(); }, true);
  }
  new MutationObserver(() => {
    const app = document.querySelector('[data-testid=stApp]');
    if (!app) return;
    const now = performance.now();
    if (app.getAttribute('data-test-script-state') === 'notRunning') {
      if (s.running) { s.running = false; s.ended = now; }
    } else {
      s.running = true;
      s.busy = now;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true,
                        attributeFilter: ['data-test-script-state']});
})();
"""
SETTLED = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  const s = window.__promoRuns;
  if (!app || !s || app.getAttribute('data-test-script-state') !== 'notRunning' || s.running) return false;
  const now = performance.now();
  return now - s.ended >= 300 && (s.busy >= s.acted || now - s.acted >= 600);
}"""


# no CSS transitions or animations: the page is drawn once per change, not for every frame of a fade (Chromium's
# software drawing was most of the browser suite's CPU); what a person sees at rest is the same
STILL = ("document.addEventListener('DOMContentLoaded', () => { const s = document.createElement('style'); "
         "s.textContent = '*, *::before, *::after { transition: none !important; animation: none !important; "
         "caret-color: transparent !important; }'; document.head.appendChild(s); });")


def new_person(browser: Browser, **options: Any) -> BrowserContext:
    """A new browser context (another person: own cookies) in a 1400 × 1000 window, in Russian, drawn still."""
    context = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, "locale": "ru-RU", **options})
    context.add_init_script(STILL)
    context.add_init_script(RUNS)
    return context


def open_as(browser: Browser, app: App, role: str, artist: str | None = None, path: str = "") -> Page:
    """A new browser session (its own cookies: another person) on ``path``, viewing as ``role`` (for "artist": the
    artist named ``artist``). Requests to any other host are recorded in ``app.foreign_requests``."""
    context = new_person(browser, accept_downloads=True)
    app.sessions.append(context)
    page = context.new_page()
    own = urlparse(app.url).netloc

    def watch(request: Any) -> None:
        host = urlparse(request.url).netloc
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host != own:
            app.foreign_requests.append(request.url)

    page.on("request", watch)
    page.goto(f"{app.url}/{path}")
    wait_idle(page)
    view_as(page, role, artist)
    return page


def choose(page: Page, widget: Locator, option: str, attempts: int = 3) -> None:
    """Pick ``option`` in a select box or multiselect: open it, type, click the option.

    A run of the app that ends while the list is open draws the widget again and closes its list (on a busy
    machine a run can still be drawing when the wait before this call ended): the list is opened again, up to
    ``attempts`` times, before the option's absence fails the test."""
    found = page.get_by_role("option").filter(has_text=option).first
    for attempt in range(attempts):
        widget.locator("input").first.click()
        widget.locator("input").first.fill(option)
        try:
            found.click(timeout=10_000 if attempt + 1 < attempts else None)
            break
        except PlaywrightTimeoutError:
            if attempt + 1 == attempts:
                raise
            page.keyboard.press("Escape")
            wait_idle(page)
    page.keyboard.press("Escape")  # a multiselect keeps its list open
    wait_idle(page)


def widget(scope: Page | Locator, kind: str, text: str) -> Locator:
    """The widget (``stSelectbox``, ``stMultiSelect``, ``stTextInput``…) labelled ``text``."""
    return scope.locator(f"[data-testid={kind}]").filter(has_text=text).first


def view_as(page: Page, role: str, artist: str | None = None) -> None:
    words = LABELS[lang_of(page)]
    wanted = words["artist"].format(name=artist) if role == "artist" else words[role]
    box = widget(page.locator("[data-testid=stSidebar]"), "stSelectbox", words["view_as"])
    choose(page, box, wanted)


def go_to(page: Page, title: str) -> None:
    """Open a page from the sidebar menu."""
    page.locator("[data-testid=stSidebar] [data-testid=stPageLink]").filter(has_text=title).first.click()
    wait_idle(page)


def switch_language(page: Page, lang: str) -> None:
    page.locator("[data-testid=stSidebar]").get_by_role("radio", name=lang.upper(), exact=True).click()
    _LANGUAGE[page] = lang
    wait_idle(page)


def pick_period(page: Page, text: str) -> None:
    page.locator("[data-testid=stRadio]").get_by_text(text, exact=True).click()
    wait_idle(page)


def select(page: Page, *items: Item) -> None:
    """Select queue items through the "selected items" box, by title (as the box writes it: a title's own «…»
    inside the item's quotes read „…“)."""
    for item in items:
        choose(page, widget(page, "stMultiSelect", label(page, "pick")), quoted(item.title)[1:-1])


def button(page: Page, name: str) -> Locator:
    """The button a person reads as ``name``; a button with a keyboard shortcut shows its key in the button (its
    accessible name is then "Одобрить Shortcut A"), and is found by its label all the same."""
    return page.get_by_role("button", name=re.compile("^" + re.escape(name) + r"( Shortcut [A-Z0-9])?$"))


def click(page: Page, name: str, exact: bool = True) -> None:
    (button(page, name) if exact else page.get_by_role("button", name=name)).click()
    wait_idle(page)


def approve(page: Page, item: Item) -> None:
    select(page, item)
    click(page, label(page, "approve"))


def type_reason(page: Page, reason: str) -> None:
    """Write a reason and leave the field (Tab): Enter in it would reject the open item with it at once."""
    box = widget(page, "stTextInput", label(page, "reason")).locator("input")
    box.fill(reason)
    box.press("Tab")
    wait_idle(page)


def reject(page: Page, item: Item, reason: str = "") -> None:
    """Reject with a free-text reason (an empty one: the app must refuse)."""
    select(page, item)
    if reason:
        type_reason(page, reason)
    click(page, label(page, "reject"))


def open_bulk(page: Page, action: str, *items: Item) -> Locator:
    """Select the items and press "Approve/Reject selected (n)" (its count in full, never cut off): the
    confirmation dialog."""
    select(page, *items)
    bulk = button(page, f"{label(page, 'bulk_' + action)} ({len(items)})")
    expect(bulk).to_be_visible()
    assert bulk.evaluate("b => [b, ...b.querySelectorAll('*')].every(e => e.scrollWidth <= e.clientWidth + 1)")
    bulk.click()
    wait_idle(page)
    dialog = page.locator("[role=dialog]")
    expect(dialog).to_be_visible()
    return dialog


def confirm(page: Page) -> None:
    page.locator("[role=dialog]").get_by_role("button", name=label(page, "yes")).click()
    wait_idle(page)


def undo(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^" + re.escape(label(page, "undo")))).click()
    wait_idle(page)


PREVIEW = ".st-key-mod_preview [data-testid=stText]"  # the open item: "Трек · id", its title, its artist


def queue_cells(page: Page) -> list[str]:
    """The texts of the queue table's cells (scrolled into view: the grid draws the rows it shows)."""
    table = page.locator("[class*=st-key-mod_queue_table]").first
    table.scroll_into_view_if_needed()
    return grid_cells(table)


def open_item(page: Page) -> str:
    """The title of the item open in the queue's workbench."""
    return page.locator(PREVIEW).nth(1).inner_text()


def open_id(page: Page) -> str:
    """The id of the item open in the queue's workbench (its first line reads "Трек · id")."""
    return page.locator(PREVIEW).first.inner_text().rsplit(" · ", 1)[-1]


def keys_ready(page: Page) -> None:
    """Take the focus out of any text field (the sidebar's picker keeps it after "view as"), as a click on the
    page would: the queue's keys work everywhere else."""
    page.locator("h1").first.click()


def press(page: Page, key: str) -> None:
    """Press a key and wait for the app's run to end."""
    page.keyboard.press(key)
    wait_idle(page)


def press_to_next(page: Page, key: str) -> str:
    """Press a key that decides or moves, and wait until the workbench opens another item; its title."""
    before = page.locator(PREVIEW).first.inner_text()  # "Трек · id": titles may repeat
    page.keyboard.press(key)
    expect(page.locator(PREVIEW).first).not_to_have_text(before, timeout=30_000)
    page.wait_for_selector(IDLE, timeout=60_000)  # the run that drew it is over (it began: the item changed)
    errors = page.locator("[data-testid=stException]")
    assert errors.count() == 0, errors.first.inner_text()
    return open_item(page)


def expect_toast(page: Page, text: str) -> None:
    """A toast saying ``text`` shows up (waiting for it: an earlier toast may still be on screen)."""
    expect(page.locator("[data-testid=stToast]").filter(has_text=text).last).to_be_visible()


def page_text(page: Page) -> str:
    # what a person reads: the invisible word joiners that keep data from becoming links (ui/plain_text.py) left out
    return page.locator("[data-testid=stMain]").inner_text().replace("\u2060", "")


def grid_cells(scope: Page | Locator) -> list[str]:
    """The texts of the cells of the tables in ``scope`` (the grids' accessible tables, drawn off screen)."""
    cells = scope.locator("[data-testid=stDataFrame] [role=gridcell]")
    cells.first.wait_for(state="attached")
    return [text.strip() for text in cells.all_text_contents()]


def download_csv(page: Page, index: int = 0) -> pd.DataFrame:
    """Press the page's ``index``-th "Download CSV" button and read the file."""
    with page.expect_download() as caught:
        page.get_by_role("button", name=label(page, "csv")).nth(index).click()
    path = caught.value.path()
    return pd.read_csv(Path(str(path)), encoding="utf-8-sig", keep_default_na=False)


def audit_log(page: Page) -> pd.DataFrame:
    """The audit log as its CSV download (empty when there is no entry yet)."""
    go_to(page, "Журнал решений")
    if "В журнале нет записей" in page_text(page):
        return pd.DataFrame()
    return download_csv(page)


def csv_text(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    frame.to_csv(out, index=False)
    return out.getvalue()


def screenshot(page: Page, name: str) -> None:
    """Save a screenshot to ``$PROMO_SCREENSHOTS/<name>.png`` when that folder is set (``make screenshots``)."""
    folder = os.environ.get("PROMO_SCREENSHOTS")
    if folder:
        page.wait_for_timeout(1500)  # widgets draw after the run ends
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))
