"""Promo.music Insights: the Streamlit entrypoint (``streamlit run app.py``).

The shell: the sidebar (language switch, "view as" in demo mode; ``ui.shell_sidebar``) and the pages each role may
open (``st.navigation``).
"""

from __future__ import annotations

import streamlit as st

import ui
from dashboard.queries import shared_connection
from dashboard.store import StoreError

st.set_page_config(page_title="Promo.music Insights", page_icon="🎵", layout="wide")

ARTIST_PAGES = ("artist", "moderator", "manager", "admin")
# (file, title key, icon, roles allowed). Artist pages are also open to staff, who pick the artist.
PAGES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("pages/overview.py", "nav.overview", "📊", ("moderator", "manager", "admin")),
    ("pages/moderation_queue.py", "nav.moderation_queue", "🛡️", ("moderator", "admin")),
    ("pages/moderation_log.py", "nav.moderation_log", "📜", ("moderator", "admin")),
    ("pages/artist_overview.py", "nav.artist_overview", "🎤", ARTIST_PAGES),
    ("pages/artist_tracks.py", "nav.artist_tracks", "🎵", ARTIST_PAGES),
    ("pages/artist_audience.py", "nav.artist_audience", "🌍", ARTIST_PAGES),
    ("pages/artist_concerts.py", "nav.artist_concerts", "🎟️", ARTIST_PAGES),
    ("pages/artist_fans.py", "nav.artist_fans", "💝", ARTIST_PAGES),
    ("pages/artist_promotion.py", "nav.artist_promotion", "📣", ARTIST_PAGES),
    ("pages/revenue.py", "nav.revenue", "💰", ("manager", "admin")),
)
SECTIONS = {"pages/overview.py": "nav.section.platform", "pages/moderation_queue.py": "nav.section.moderation",
            "pages/moderation_log.py": "nav.section.moderation", "pages/revenue.py": "nav.section.revenue"}


def main() -> None:
    who = ui.shell_sidebar()
    if who is None:
        st.warning(ui.tr("shell.no_identity"))
        st.stop()
    sections: dict[str, list[st.Page]] = {}
    for path, title, icon, roles in PAGES:
        if who.role in roles:
            section = ui.tr(SECTIONS.get(path, "nav.section.artist"))
            sections.setdefault(section, []).append(st.Page(path, title=ui.tr(title), icon=icon))
    page = st.navigation(sections)
    try:
        page.run()
    except StoreError as exc:  # e.g. the store file is locked by an ingest or a CLI decision: one line, no traceback
        st.error(ui.tr("error.store", message=str(exc)))


with ui.shell_run(), shared_connection():
    main()

