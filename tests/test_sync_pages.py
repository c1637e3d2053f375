"""The app on a synced store (AppTest): "data as of" names the last sync, admins get "refresh now", a read-only
platform role makes the queue read-only with a note, and a platform conflict is listed as such."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from dashboard.i18n.formatting import moscow_time
from dashboard.store.connect import Store
from dashboard.store.queries import read_engine
from dashboard.sync.run import sync
from dashboard.sync.source import resolve_source
from tests.apptest import open_page, texts
from tests.sync_platform import TABLE, libpq, make_platform, platform_execute, read_only_role

_n = itertools.count()
BANNER_KEY = "banner_ad_3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01_banner_1769468400135_tnifsoqfv"
BANNER_ID = "banner_1769468400135_tnifsoqfv"


@pytest.fixture
def platform(pg_url: str, fixture_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_platform(pg_url, f"platform_ui_{os.getpid()}_{next(_n)}", fixture_snapshot)
    monkeypatch.setenv("PROMO_TEST_UI_PLATFORM", libpq(url))
    return url


def synced_store(tmp_path: Path, spec: str) -> Store:
    store = Store(str(tmp_path / "synced.duckdb"))
    sync(resolve_source(spec), store, "auto", say=lambda _m: None)
    return store


def test_overview_names_the_sync_and_admins_refresh(platform: str, tmp_path: Path) -> None:
    store = synced_store(tmp_path, "env:PROMO_TEST_UI_PLATFORM")
    at = open_page(store, "ui/views/overview.py", role="admin", lang="en")
    assert not at.exception, at.exception
    assert "last sync from the platform" in texts(at)
    platform_execute(platform, f"INSERT INTO {TABLE} VALUES ('profile:new-artist', "
                               "'{\"id\": \"new-artist\", \"name\": \"Новый\"}')")
    at.button(key="sync_refresh_now").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    from tests.sql import scalar

    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 487
    moderator = open_page(store, "ui/views/overview.py", role="moderator", lang="en")
    assert not any(b.key == "sync_refresh_now" for b in moderator.button)


def test_read_only_role_gives_a_read_only_queue(platform: str, pg_url: str, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMO_TEST_UI_RO", read_only_role(pg_url, platform, f"promo_ui_ro_{os.getpid()}"))
    store = synced_store(tmp_path, "env:PROMO_TEST_UI_RO")
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    assert not at.exception, at.exception
    assert any("Moderation is read-only" in i.value for i in at.info)
    from streamlit.testing.v1 import AppTest

    from dashboard.moderation.config import item_ref

    ref = item_ref({"entity": "banner_ads", "entity_id": BANNER_ID, "source_key": BANNER_KEY})
    at = at.multiselect(key="mod_pick").set_value([ref]).run()
    assert isinstance(at, AppTest)
    assert at.button(key="mod_approve").disabled


def test_a_platform_conflict_is_shown_as_such(platform: str, tmp_path: Path) -> None:
    store = synced_store(tmp_path, "env:PROMO_TEST_UI_PLATFORM")
    platform_execute(platform, f"UPDATE {TABLE} SET value = jsonb_set(value, '{{campaign_name}}', '\"Правка\"') "
                               "WHERE key = %s", [BANNER_KEY])
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    from dashboard.moderation.config import item_ref

    ref = item_ref({"entity": "banner_ads", "entity_id": BANNER_ID, "source_key": BANNER_KEY})
    at = at.multiselect(key="mod_pick").set_value([ref]).run()
    at = at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    shown = texts(at)
    assert "changed on the platform since the sync" in shown


def test_the_change_feed_on_the_overview(platform: str, tmp_path: Path) -> None:
    """With the platform's change log: "refresh now" applies the changes since the last sync, "data as of" names the
    last change applied; admins read whether the feed follows; everyone is warned when it stops or falls behind."""
    import streamlit as st

    from dashboard.sync import changelog
    from dashboard.sync.feed import follower_lock
    from tests.sql import scalar

    changelog.install(resolve_source("env:PROMO_TEST_UI_PLATFORM"))
    store = synced_store(tmp_path, "env:PROMO_TEST_UI_PLATFORM")
    platform_execute(platform, f"INSERT INTO {TABLE} VALUES ('profile:feed-artist', "
                               "'{\"id\": \"feed-artist\", \"name\": \"Новый\"}')")
    # the change was made three hours ago (as the log has it): "data as of" is its time, not the refresh's
    platform_execute(platform, f"UPDATE {changelog.LOG} SET changed_at = changed_at - interval '3 hours'")
    at = open_page(store, "ui/views/overview.py", role="admin", lang="en")
    at.button(key="sync_refresh_now").click().run()
    assert not at.exception and not at.error, at.exception or [e.value for e in at.error]
    toasts = [t.value.replace("\\", "") for t in at.toast]  # markdown_text escapes : and .
    assert len(toasts) == 1 and toasts[0].startswith("Platform changes applied: 1 in "), toasts
    assert scalar(store, "SELECT name FROM profiles WHERE id = 'feed-artist'") == "Новый"
    with psycopg.connect(libpq(platform)) as conn:
        changed = conn.execute(f"SELECT max(changed_at) FROM {changelog.LOG}").fetchone()[0]  # type: ignore[index]
    assert scalar(store, "SELECT last_change_at FROM sync_feed") == changed
    when = moscow_time(changed, "MSK", "en")  # in the page's language
    assert when != moscow_time(dt.datetime.now(dt.UTC), "MSK", "en")
    shown = texts(at).replace("\\", "")
    assert f"Data as of {when} · last change from the platform" in shown, shown[:600]
    assert f"Platform change feed: not following (changes are applied when sync runs) · last change {when}" in shown
    assert "waiting: 0 changes" in shown

    def overview(role: str) -> str:
        st.cache_data.clear()
        page = open_page(store, "ui/views/overview.py", role=role, lang="en")
        assert not page.exception, page.exception
        return texts(page)

    with read_engine(store).begin() as conn:  # the last batch's lag as a follower's batches have it
        conn.execute(sa.text("UPDATE sync_feed SET lag_p95_ms = 1200"))
    with follower_lock(store):  # a sync --follow runs
        following = overview("admin")
        assert f"Platform change feed: following · last change {when} · lag p95 1.2 s · waiting: 0 changes" in \
            following.replace("\\", ""), following[:600]
        with read_engine(store).begin() as conn:
            conn.execute(sa.text("UPDATE sync_feed SET follower = 'host:1', lag_p95_ms = 95000"))
        assert "The data is behind the platform: 0 changes waiting" in overview("moderator")
    # the follower that recorded itself is gone
    assert "The platform change feed has stopped" in overview("moderator")
