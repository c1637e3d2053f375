"""The "Подозрительная активность" page (AppTest, on a DuckDB copy of the planted demo): staff see the flags with
their sentences and a planted spike's chart, a moderator dismisses one with a note, the decision shows and the
buttons are off; an artist may not open it. On the deployed demo (what ``make run`` shows) the page lists its
planted flags and draws a burst's donations with the flagged ones apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dashboard.anomalies.flags import compute_flags
from dashboard.anomalies.reviews import states
from dashboard.demo.deployed import write_deployed_snapshot
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from tests.apptest import open_page, texts
from tests.conftest import AS_OF

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


@pytest.fixture(scope="module")
def deployed_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    out = tmp_path_factory.mktemp("deployed_page") / "deployed.ndjson"
    write_deployed_snapshot(out, "tiny", seed=7, as_of=AS_OF)
    store = Store(str(out.with_suffix(".duckdb")))
    ingest([out], store, "deployed", say=lambda _m: None)
    return store


def test_the_deployed_demo_shows_its_planted_flags(deployed_store: Store) -> None:
    flags = compute_flags(deployed_store)
    assert len(flags) == 9  # 3 donation bursts, 2 self-donations, 2 coin farms, 2 refund clusters
    at = open_page(deployed_store, PAGE, role="manager", lang="ru")
    assert not at.exception, at.exception
    assert f"Найдено: {len(flags)} флагов" in texts(at)
    burst = next(f for f in flags if f.kind == "donation_burst")
    at.selectbox(key="anomaly_kind").set_value("donation_burst").run()
    at.selectbox(key="anomaly_pick").set_value(burst.id).run()
    assert not at.exception, at.exception
    assert "донатов за" in texts(at)
    [chart] = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    flagged = chart["data"][0]
    assert flagged["marker"]["color"] == "crimson" and len(flagged["x"]) == len(burst.items)
