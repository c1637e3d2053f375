"""State a person keeps (ui.kept_state.kept), with AppTest: "view as" survives a language switch, and a URL never
widens an artist's scope."""

from __future__ import annotations

import pytest

from dashboard.store.connect import Store
from tests.apptest import open_page
from tests.data import ARTIST


@pytest.fixture
def store(seed_duckdb: Store) -> Store:
    return seed_duckdb


def test_language_switch_keeps_view_as(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_log.py", role="moderator", lang="ru")
    at.button_group(key="lang_switch").set_value("en").run()
    assert not at.exception, at.exception
    assert at.session_state["lang"] == "en"
    assert at.selectbox(key="view_as").value == ("moderator", None)
    assert at.title[0].value == "Audit log"


def test_a_url_never_widens_an_artists_scope(store: Store) -> None:
    at = open_page(store, "ui/views/artist_tracks.py", role="artist", artist_id=ARTIST, lang="en")
    at.query_params["artist"] = "someone-else"
    at.run()
    assert not at.exception, at.exception
    assert not [s for s in at.selectbox if s.key == "staff_artist"]  # an artist has no artist picker
    assert at.session_state["identity"].artist_id == ARTIST
