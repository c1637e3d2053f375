"""Promo.music Insights: the Streamlit entrypoint (``streamlit run app.py``).

The shell: language switch, "view as" in demo mode, and the pages each role may open (``st.navigation``).
"""

from __future__ import annotations

import streamlit as st

import ui
from dashboard import identity as ident
from dashboard.i18n import LANGUAGES
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


def language_switch() -> None:
    current = ui.lang()
    choice = st.sidebar.segmented_control(
        ui.tr("shell.language"), LANGUAGES, default=current, format_func=str.upper, key="lang_switch"
    )
    if choice and choice != current:
        st.session_state["lang"] = choice
        st.rerun()


def view_as_picker() -> ident.Identity | None:
    """Demo mode: choose whom to view as. Staff roles first, then every artist in the store."""
    try:
        artists = ui.query("known_artists")
    except StoreError as exc:
        st.error(ui.tr("error.store", message=str(exc)))
        return None
    options: list[tuple[str, str | None]] = [(role, None) for role in ("admin", "moderator", "manager")]
    names = dict(zip(artists["artist_id"], artists["name"], strict=True))
    options += [("artist", a) for a in names]

    labels = {
        option: ui.tr("shell.view_as_artist", name=names.get(option[1], option[1])) if option[0] == "artist"
        else ui.tr(f"role.{option[0]}")
        for option in options
    }
    # format_func must not read session state: AppTest calls it outside a script run
    chosen = st.sidebar.selectbox(ui.tr("shell.view_as"), options, format_func=labels.__getitem__, key="view_as")
    role, artist = chosen
    return ident.demo_identity(role, artist, names.get(artist, "") if artist else "")


def main() -> None:
    language_switch()
    if ident.demo_mode():
        who = view_as_picker()
        st.session_state["identity"] = who
        st.sidebar.caption(ui.tr("shell.demo_mode"))
    else:
        who = ui.current_identity()
    if who is None:
        st.warning(ui.tr("shell.no_identity"))
        st.stop()
    st.sidebar.caption(ui.tr("shell.store", store=ui.store().label()))
    sections: dict[str, list[st.Page]] = {}
    for path, title, icon, roles in PAGES:
        if who.role in roles:
            section = ui.tr(SECTIONS.get(path, "nav.section.artist"))
            sections.setdefault(section, []).append(st.Page(path, title=ui.tr(title), icon=icon))
    st.navigation(sections).run()


with ui.shell_run(), shared_connection():
    main()

