"""The "Подозрительная активность" page (AppTest, on a DuckDB copy of the planted demo): staff see the flags with
their sentences and a planted spike's chart, a moderator dismisses one with a note, the decision shows and the
buttons are off; an artist may not open it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.anomalies.flags import compute_flags
from dashboard.anomalies.reviews import states
from dashboard.store.connect import Store
from tests.apptest import open_page, texts

PAGE = "ui/views/suspicious_activity.py"


@pytest.fixture()
def store(demo_stores: dict[str, Store], tmp_path: Path) -> Store:
    copy = tmp_path / "demo.duckdb"
    shutil.copy(demo_stores["duckdb"].name, copy)
    return Store(str(copy))


def test_moderator_sees_a_spike_and_dismisses_it(store: Store) -> None:
    flags = compute_flags(store)
    spike = next(f for f in flags if f.kind == "play_spike")
    at = open_page(store, PAGE, role="moderator", lang="ru")
    assert not at.exception, at.exception
    page = texts(at)
    assert "Подозрительная активность" in page and f"Найдено: {len(flags)} флагов" in page
    at.selectbox(key="anomaly_kind").set_value("play_spike").run()
    at.selectbox(key="anomaly_pick").set_value(spike.id).run()
    assert not at.exception, at.exception
    assert "прослушиваний при обычных" in texts(at)
    at.text_input(key="anomaly_note").input("органика: клип в рекомендациях").run()
    at.button(key="anomaly_dismiss").click().run()
    assert not at.exception, at.exception
    assert "Флаг отклонён" in texts(at)
    found = states(store)[spike.id]
    assert (found.status, found.note) == ("dismissed", "органика: клип в рекомендациях")
    assert at.button(key="anomaly_dismiss").disabled and at.button(key="anomaly_confirm").disabled


def test_english_and_filters(store: Store) -> None:
    at = open_page(store, PAGE, role="manager", lang="en")
    assert not at.exception, at.exception
    at.selectbox(key="anomaly_kind").set_value("donation_burst").run()
    assert "donations within" in texts(at) and "Suspicious activity" in texts(at)
    at.text_input(key="anomaly_artist").input("no such artist anywhere").run()
    assert "No suspicious activity found." in texts(at)


def test_artist_cannot_open_it(store: Store) -> None:
    artist = compute_flags(store)[0].artist_id
    at = open_page(store, PAGE, role="artist", artist_id=artist, lang="ru")
    assert "Подозрительная активность" not in texts(at).replace("nav", "")
