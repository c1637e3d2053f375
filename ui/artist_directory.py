"""Finding an artist by name for the pickers ("view as" in demo mode, staff's artist on the artist pages): a server
query with a LIMIT, and each artist labelled so that equal names are told apart."""

from __future__ import annotations

import contextvars

import streamlit as st

from ui.data_access import query
from ui.kept_state import kept
from ui.language import tr

PICKER_MATCHES = 50  # an artist picker lists at most this many matches of what was typed


def artist_label(artist_id: str, name: object, city: object) -> str:
    """An artist as a picker shows them: the whole name, the city and the id (equal names told apart)."""
    parts = [str(name) if isinstance(name, str) and name else artist_id]
    if isinstance(city, str) and city:
        parts.append(city)
    if parts[0] != artist_id:
        parts.append(artist_id)
    return " · ".join(parts)


def artist_matches(search: str, keep: str | None) -> dict[str, tuple[str, str]]:
    """artist_id → (name, label) for the artists matching ``search`` (a server query with a LIMIT), plus ``keep``
    (the artist chosen before, if the store has them), so that a choice survives a new search."""
    found = query("artists_matching", search=search.strip(), limit=PICKER_MATCHES)
    matches = {str(a): (str(n), artist_label(str(a), n, c))
               for a, n, c in zip(found["artist_id"], found["name"], found["city"], strict=True)}
    if keep and keep not in matches:  # only an artist the store has (a link may name anyone)
        exact = query("artists_matching", search=keep, limit=PICKER_MATCHES)
        exact = exact[exact["artist_id"] == keep]
        if not exact.empty:
            name, city = exact["name"].iloc[0], exact["city"].iloc[0]
            matches = {keep: (str(name), artist_label(keep, name, city))} | matches
    return matches


# the staff artist picker of this script run: drawn once, at the top of the sidebar (``ui.navigation``), and read by
# the artist page (``ui.artist_pages``); NOT_DRAWN until the picker runs
NOT_DRAWN = "not drawn"
_picked: contextvars.ContextVar[str | None] = contextvars.ContextVar("promo_staff_artist", default=NOT_DRAWN)


def start_run() -> None:
    _picked.set(NOT_DRAWN)


def staff_artist_picker() -> str | None:
    """Staff on an artist page: whose pages they are looking at, chosen in the sidebar (the artist in a shared
    link, else the one chosen before). The select comes first, the search that fills it under it. Drawn once per
    run; later calls return the same artist."""
    drawn = _picked.get()
    if drawn != NOT_DRAWN:
        return drawn
    chosen = [st.session_state.get("keep_staff_artist"), st.session_state.get("staff_artist"),
              st.query_params.get("artist")]  # chosen before, set before the first run, a shared link
    keep = next((c for c in chosen if isinstance(c, str) and c), None)
    search = str(st.session_state.get("staff_artist_search") or "")
    artists = artist_matches(search, keep)
    picked: str | None = None
    if artists:
        labels = {a: label for a, (_name, label) in artists.items()}
        picked = kept(st.sidebar.selectbox, tr("scope.artist_picker"), list(labels), key="staff_artist",
                      url="artist", format_func=labels.__getitem__, help=tr("scope.artist_picker_help"))
    st.sidebar.text_input(tr("scope.find_artist"), key="staff_artist_search",
                          placeholder=tr("shell.find_artist_hint"))
    if not artists:
        st.sidebar.caption(tr("scope.no_match"))
    _picked.set(picked)
    return picked


def artist_card(artist_id: str) -> tuple[str, str]:
    """(name, "city · id …") of an artist, for the head of their pages: equal names are told apart by the id."""
    found = query("artists_matching", search=artist_id, limit=PICKER_MATCHES)
    found = found[found["artist_id"] == artist_id]
    name = str(found["name"].iloc[0]) if not found.empty else artist_id
    city = found["city"].iloc[0] if not found.empty else None
    parts = [str(city)] if isinstance(city, str) and city else []
    return name, " · ".join([*parts, tr("artist.header.id", id=artist_id)])
