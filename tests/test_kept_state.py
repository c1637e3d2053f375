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


def test_one_set_of_period_presets_and_old_links_keep_working(store: Store) -> None:
    """The artist pages and revenue offer the same presets (dashboard.period_presets) on the one ``?period=``; links
    from before keep working: the artist pages' bare day counts, revenue's ``7d`` and ``30d`` (now the 28 days)."""
    from dashboard import period_presets as presets
    from dashboard.i18n.translations import t

    assert presets.from_url("28") == "28d" and presets.from_url("7d") == "7d" and presets.from_url("30d") == "28d"
    assert presets.from_url("30") == "28d" and presets.from_url(" 90 ") == "90d" and presets.from_url("LAST_MONTH") \
        == "last_month" and presets.from_url("29") is None and presets.from_url("<b>") is None
    cases = [("ui/views/artist_tracks.py", "artist", "artist_period", "radio", ("28", "30d", "last_month")),
             ("ui/views/revenue.py", "manager", "rev_preset", "selectbox", ("30d", "7d"))]
    for path, role, key, kind, links in cases:
        for old in links:
            at = open_page(store, path, role=role, artist_id=ARTIST if role == "artist" else None, lang="en",
                           url={"period": old})
            assert not at.exception, at.exception
            widget = getattr(at, kind)(key=key)
            assert list(widget.options) == [t(f"period.preset.{p}", "en") for p in presets.PRESETS]
            now = presets.from_url(old)
            assert widget.value == now and at.query_params["period"] == now, (path, old)
