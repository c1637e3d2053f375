"""The app's navigation: one script run (``run_app``) sets up the page, decides who is looking in the sidebar
(language, then identity), lists the pages that role may open and runs the chosen one.

The jobs the pages share live in their own modules: ``ui.language``, ``ui.identity``, ``ui.kept_state``,
``ui.data_access``, ``ui.sync_status``, ``ui.artist_directory``, ``ui.artist_pages``. This module imports no
feature module (metrics, moderation, anomalies, health, sync); nothing under ``dashboard/`` imports Streamlit.
"""

from __future__ import annotations

import streamlit as st

from dashboard.access import identity as ident
from dashboard.store.connect import StoreError
from dashboard.store.queries import shared_connection
from ui import registry
from ui.data_access import current_store, start_run
from ui.identity import refuse_unsafe_demo, sign_in_configured, signed_in_identity, view_as_picker
from ui.language import language_switch, tr
from ui.plain_text import markdown_text


def run_app() -> None:
    """One script run of the app: page config, who is looking (checked on the server on every run), the sidebar,
    and navigation over every registered page.

    Every page is registered, so a link to any page resolves; the sidebar menu lists only the pages the role may
    open, and a page the role may not open says so in the app's own words (``require_page``)."""
    st.set_page_config(page_title="Promo.music Insights", page_icon="🎵", layout="wide")
    with shared_connection():
        start_run()
        who = sidebar()
        allowed = registry.allowed(who.role)
        default = allowed[0].name if allowed else registry.PAGES[0].name
        pages = {spec.name: st.Page(spec.path, title=tr(spec.title_key), icon=spec.icon, default=spec.name == default)
                 for spec in registry.PAGES}
        current = st.navigation(list(pages.values()), position="hidden")
        section = None
        for spec in allowed:
            if spec.section_key != section:
                section = spec.section_key
                st.sidebar.caption(tr(section))
            st.sidebar.page_link(pages[spec.name], label=tr(spec.title_key), icon=spec.icon)
        if who.demo:
            st.warning(tr("access.demo_banner"), icon="🧪")
        try:
            current.run()
        except StoreError as exc:  # e.g. the store file is locked by an ingest or a CLI decision: one line
            st.error(tr("error.store", message=markdown_text(exc)) if who.is_staff else tr("access.unavailable"))


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
