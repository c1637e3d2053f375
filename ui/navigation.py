"""The app's navigation: one script run (``run_app``) sets up the page, decides who is looking in the sidebar
(language, then identity), lists the pages that role may open and runs the chosen one.

The jobs the pages share live in their own modules: ``ui.language``, ``ui.identity``, ``ui.kept_state``,
``ui.data_access``, ``ui.sync_status``, ``ui.artist_directory``, ``ui.artist_pages``. This module imports no
feature module (metrics, moderation, anomalies, health, sync); nothing under ``dashboard/`` imports Streamlit.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from dashboard.access import identity as ident
from dashboard.i18n.translations import TEXTS
from dashboard.store.connect import StoreError
from dashboard.store.queries import shared_connection
from ui import registry
from ui.artist_directory import staff_artist_picker
from ui.artist_directory import start_run as start_picker_run
from ui.data_access import current_store, start_run
from ui.heap_trim import start_heap_trimmer
from ui.identity import refuse_unsafe_demo, sign_in_configured, signed_in_identity, view_as_picker
from ui.language import language_switch, tr
from ui.plain_text import markdown_text
from ui.widget_metadata import forget_stale_widget_metadata


def run_app() -> None:
    """One script run of the app: page config, who is looking (checked on the server on every run), the sidebar,
    and navigation over every registered page.

    Every page is registered, so a link to any page resolves; the sidebar menu lists only the pages the role may
    open, and a page the role may not open says so in the app's own words (``require_page``). Switching "view as"
    to a role that may not open the current page lands on that role's first page; an address that names no page
    opens the first page with a note in the app's words (never Streamlit's English "Page not found")."""
    st.set_page_config(page_title="Promo.music Insights", page_icon="🎵", layout="wide")
    start_heap_trimmer()  # once per process: freed memory goes back to the system (ui/heap_trim.py)
    forget_stale_widget_metadata()  # Streamlit keeps gone widgets' callbacks for the session (ui/widget_metadata.py)
    with shared_connection():
        start_run()
        start_picker_run()
        who = sidebar()
        allowed = registry.allowed(who.role)
        default = allowed[0].name if allowed else registry.PAGES[0].name
        pages = {spec.name: st.Page(spec.path, title=page_title(spec, who), icon=spec.icon,
                                    default=spec.name == default)
                 for spec in registry.PAGES}
        unknown = unknown_page_asked()
        current = st.navigation(list(pages.values()), position="hidden")
        spec = next((s for s in registry.PAGES if pages[s.name] is current), None)
        if spec is not None and role_switched(who) and allowed and not registry.may_open(who.role, spec.name):
            st.switch_page(pages[allowed[0].name])  # "view as" changed: the role's first page, not a refusal
        if who.is_staff and spec is not None and spec.section_key == ARTIST_SECTION and who.role in spec.roles:
            staff_artist_picker()  # whose artist pages: at the top, above the page links
        section = None
        for page_spec in allowed:
            if page_spec.section_key != section:
                section = page_spec.section_key
                st.sidebar.caption(tr(section))
            st.sidebar.page_link(pages[page_spec.name], label=page_title(page_spec, who), icon=page_spec.icon)
        if who.demo:
            st.warning(tr("access.demo_banner"), icon="🧪")
        if unknown:
            st.info(tr("nav.not_found", page=markdown_text(unknown)))
        try:
            current.run()
        except StoreError as exc:  # e.g. the store file is locked by an ingest or a CLI decision: one line
            st.error(tr("error.store", message=markdown_text(exc)) if who.is_staff else tr("access.unavailable"))
        except Exception as exc:  # any other failure: its text may hold SQL and data, never shown
            show_page_failure(spec.name if spec is not None else "?", exc)


ARTIST_SECTION = "nav.section.artist"
LOG = logging.getLogger("promo.pages")


class PageFailed(Exception):
    """What a person sees when a page fails: one line in the app's words. Streamlit shows ``alternate_name`` in
    place of the exception's type; this exception has no traceback and no cause, so nothing else is shown."""

    def __init__(self, message: str, title: str) -> None:
        super().__init__(message)
        self.alternate_name = title


def show_page_failure(page: str, exc: Exception) -> None:
    """A page raised: the error (its SQL, parameters, traceback) goes to the server log only; the page shows one
    line in the app's words, as an exception box, so the tests and the browser helpers that fail on any exception
    box still see it (issue 27 item 10: no page ever shows SQL to a person)."""
    LOG.error("page %s failed", page, exc_info=exc)
    st.exception(PageFailed(tr("error.page"), tr("error.page.title")))


def page_title(spec: registry.PageSpec, who: ident.Identity) -> str:
    """A page's title in the menu: staff see an artist's overview as "Обзор артиста", not "Мой обзор"."""
    staff_key = f"{spec.title_key}.staff"
    return tr(staff_key) if who.is_staff and staff_key in TEXTS else tr(spec.title_key)


def role_switched(who: ident.Identity) -> bool:
    """Whether the role changed since this session's previous run (a "view as" switch)."""
    before = st.session_state.get("previous_role")
    st.session_state["previous_role"] = who.role
    return before is not None and before != who.role


def unknown_page_asked() -> str | None:
    """The page an address asks for when no page has that address (``/foo``): the run is then pointed at the first
    page, so Streamlit does not show its own English "Page not found" dialog, and the name is returned for a note
    in the app's words. Reads and resets Streamlit's page intent (not public in 1.67: if it changes, Streamlit's own
    dialog shows again, nothing breaks)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    manager = getattr(get_script_run_ctx(), "pages_manager", None)
    wanted = getattr(manager, "intended_page_name", None)
    if not wanted or getattr(manager, "intended_page_script_hash", None):
        return None
    if wanted in {Path(spec.path).stem for spec in registry.PAGES}:
        return None
    manager.set_script_intent("", "")
    return str(wanted)


def sidebar() -> ident.Identity:
    """The sidebar: language, then who is looking. Checked on the server on every run: in demo mode the "view as"
    choice; with sign-in the signed-in person's account (``dashboard.access.decision``). Anyone else gets a page
    that explains (sign in, no access, how to configure sign-in) and the run stops there."""
    st.session_state.pop("identity", None)  # decided afresh on every run, never carried over
    demo, auth = ident.demo_mode(), sign_in_configured()
    refuse_unsafe_demo(demo, auth)
    language_switch()
    if demo:
        who = view_as_picker()
        if who is None:
            st.stop()
        assert who is not None
        st.sidebar.caption(tr("shell.demo_mode"))
        st.sidebar.caption(tr("shell.store", store=markdown_text(current_store().label())))
    elif auth:
        who = signed_in_identity()
    else:
        st.title("Promo.music Insights")
        st.info(tr("access.not_configured"))
        st.stop()
    st.session_state["identity"] = who
    return who
