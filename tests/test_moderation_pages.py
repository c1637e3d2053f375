"""The moderation queue and audit log pages, run with AppTest on a real store."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.ingest.build import ingest
from dashboard.moderation import service as repo
from dashboard.moderation.config import item_ref
from dashboard.store.connect import Store
from tests.apptest import open_page, texts
from tests.sql import scalar
from tests.test_repository import ARTIST, SEED_RECORDS, write_snapshot


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(str(tmp_path / "s.duckdb"))
    ingest([write_snapshot(tmp_path / "seed.ndjson", SEED_RECORDS)], s, "seed", say=lambda _m: None)
    return s


def pick(at: AppTest, entity: str, eid: str, key: str) -> AppTest:
    ms = at.multiselect(key="mod_pick")
    ref = item_ref({"entity": entity, "entity_id": eid, "source_key": key})
    return ms.set_value([ref]).run()


def queue_ids(at: AppTest) -> list[str]:
    table = at.dataframe(key="mod_queue_table") if any(d.key == "mod_queue_table" for d in at.dataframe) else None
    return [] if table is None else list(table.value.iloc[:, -1].astype(str))


def test_queue_lists_everything_oldest_first_with_sla(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    assert not at.exception, at.exception
    ids = queue_ids(at)
    assert set(ids) == {"t1", "t2", "v1", "c1", "n1", "b1", "p1", "s1"}
    assert ids[0] == "t2"  # created first
    table = at.dataframe(key="mod_queue_table").value
    assert set(table["SLA"]) == {"🔴"}
    assert any(m.label == "Pending" and m.value == "8" for m in at.metric)


def test_select_approve_leaves_queue_and_appears_in_log(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = pick(at, "tracks", "t1", f"tracks:{ARTIST}:t1")
    assert not at.exception, at.exception
    assert "Первый трек" in texts(at)
    at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    assert "t1" not in queue_ids(at)
    assert any("Applied: 1" in str(t.value) for t in at.toast)
    assert scalar(store, "SELECT status FROM tracks WHERE id = 't1'") == "approved"
    assert scalar(store, "SELECT count(*) FROM moderation_log WHERE entity_id = 't1' AND action = 'approve'") == 1
    log = open_page(store, "ui/views/moderation_log.py", role="moderator", lang="en")
    assert not log.exception, log.exception
    table = log.dataframe[0].value
    assert list(table["ID"]) == ["t1"] and list(table["Action"]) == ["Approve"]
    assert list(table["To"]) == ["approved"]


def test_reject_without_reason_is_refused(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = pick(at, "videos", "v1", f"videos:{ARTIST}:v1")
    at.button(key="mod_reject").click().run()
    assert not at.exception, at.exception
    assert any("needs a reason" in str(e.value) for e in at.error)
    assert scalar(store, "SELECT status FROM videos WHERE id = 'v1'") == "pending"
    at.selectbox(key="mod_reason").set_value("rights").run()
    at.button(key="mod_reject").click().run()
    assert scalar(store, "SELECT status FROM videos WHERE id = 'v1'") == "rejected"
    assert scalar(store, "SELECT reason FROM videos WHERE id = 'v1'") == "Copyright infringement"


def test_hostile_title_is_text_and_javascript_link_is_not_a_link(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="admin", lang="en")
    assert "<img src=x onerror=alert(1)>" in at.dataframe(key="mod_queue_table").value["Title"].tolist()
    at = pick(at, "tracks", "t2", f"tracks:{ARTIST}:t2")
    assert "<img src=x onerror=alert(1)>" in [t.value for t in at.text]
    assert not [m for m in at.markdown if "onerror" in str(m.value)]
    assert not at.get("imgs")  # javascript: cover is not loaded as an image
    at = pick(at, "banner_ads", "b1", f"banners:{ARTIST}:b1")
    assert "javascript:alert(document.cookie)" in [t.value for t in at.text]
    assert not [b for b in at.get("link_button") if "javascript" in str(b.proto.url)]
    assert not [m for m in at.markdown if "javascript" in str(m.value)]


def test_conflict_is_listed(pg_url: str, tmp_path: Path) -> None:
    """Another moderator decides while this page still shows the item (PostgreSQL: cached results are reused
    until they expire or this session writes)."""
    from tests.conftest import _new_pg_store

    store = _new_pg_store(pg_url)
    ingest([write_snapshot(tmp_path / "seed.ndjson", SEED_RECORDS)], store, "seed", say=lambda _m: None)
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = pick(at, "news", "n1", f"news:{ARTIST}:n1")
    repo.decide(store, [repo.Item("news", "n1", f"news:{ARTIST}:n1", "pending")], "approve", "Кто-то")
    at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe if list(d.value.columns) == ["Message"]]
    assert len(tables) == 1, texts(at)
    conflicts = tables[0].iloc[:, 0].tolist()
    assert len(conflicts) == 1 and "already approved by Кто-то" in conflicts[0]
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 1


def test_artist_cannot_open_queue(store: Store) -> None:
    """Every page is registered (a link resolves), but the queue refuses an artist in the app's own words."""
    at = open_page(store, "ui/views/moderation_queue.py", role="artist", artist_id=ARTIST, lang="en")
    assert not at.exception
    assert [e.value for e in at.error] == ["This page is not available for your role."]
    assert not at.dataframe and not at.button


def test_bulk_approve_confirms_count_in_dialog(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="admin", lang="en")
    refs = [item_ref({"entity": "tracks", "entity_id": "t1", "source_key": f"tracks:{ARTIST}:t1"}),
            item_ref({"entity": "news", "entity_id": "n1", "source_key": f"news:{ARTIST}:n1"})]
    at = at.multiselect(key="mod_pick").set_value(refs).run()
    at.button(key="mod_bulk_approve").click().run()
    assert not at.exception, at.exception
    assert "Approve 2 items?" in [t.value for t in at.text]
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 0
    at.button(key="mod_bulk_yes").click().run()
    assert not at.exception, at.exception
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 2
    assert scalar(store, "SELECT count(DISTINCT batch_id) FROM moderation_log") == 1
    assert not {"t1", "n1"} & set(queue_ids(at))
