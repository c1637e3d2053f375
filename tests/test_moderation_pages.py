"""The moderation queue and audit log pages, run with AppTest on a real store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n.plural import count_of
from dashboard.ingest.build import ingest
from dashboard.moderation import selection
from dashboard.moderation import service as repo
from dashboard.moderation.config import item_ref
from dashboard.store.connect import Store
from tests.apptest import open_page, texts
from tests.data import ARTIST, SEED_RECORDS, write_snapshot
from tests.sql import scalar
from ui import table_widths


@pytest.fixture
def store(seed_duckdb: Store) -> Store:
    return seed_duckdb


def pick(at: AppTest, entity: str, eid: str, key: str) -> AppTest:
    ms = at.multiselect(key="mod_pick")
    ref = item_ref({"entity": entity, "entity_id": eid, "source_key": key})
    return ms.set_value([ref]).run()


def queue_table(at: AppTest) -> pd.DataFrame | None:
    """The queue table (its key changes with its rows, so it is found by prefix)."""
    tables = [d for d in at.dataframe if str(d.key or "").startswith("mod_queue_table")]
    return tables[0].value if tables else None


def queue_ids(at: AppTest) -> list[str]:
    table = queue_table(at)
    return [] if table is None else list(table.iloc[:, -1].astype(str))


def test_queue_lists_everything_oldest_first_with_sla(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    assert not at.exception, at.exception
    ids = queue_ids(at)
    assert set(ids) == {"t1", "t2", "v1", "c1", "n1", "b1", "p1", "s1"}
    assert ids[0] == "t2"  # created first
    table = queue_table(at)
    assert table is not None
    assert set(table["SLA"]) == {"🔴"}
    assert any(m.label == "Pending" and m.value == "8" for m in at.metric)


def test_select_approve_leaves_queue_and_appears_in_log(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = pick(at, "tracks", "t1", f"tracks:{ARTIST}:t1")
    assert not at.exception, at.exception
    assert "Первый трек" in texts(at)
    order = queue_ids(at)
    after_t1 = order[order.index("t1") + 1]
    at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    assert "t1" not in queue_ids(at)
    assert [str(t.value) for t in at.toast] == ["Approved: “Первый трек” (Track, Артист Один 🎤)"]
    assert not at.session_state["mod_selection"]  # the decided item left the selection
    # the next item in the queue's order is open, ready for the next decision
    assert at.session_state["mod_current"][0].endswith(f"\t{after_t1}") and at.button(key="mod_approve")
    assert scalar(store, "SELECT status FROM tracks WHERE id = 't1'") == "approved"
    assert scalar(store, "SELECT count(*) FROM moderation_log WHERE entity_id = 't1' AND action = 'approve'") == 1
    log = open_page(store, "ui/views/moderation_log.py", role="moderator", lang="en")
    assert not log.exception, log.exception
    table = log.dataframe[0].value
    assert list(table["Item"]) == ["Первый трек"] and list(table["Type"]) == ["Track"]
    assert list(table["Artist"]) == ["Артист Один 🎤"] and list(table["Action"]) == ["approved"]
    assert list(table["From"]) == ["pending"] and list(table["To"]) == ["approved"]
    assert "None" not in table.to_csv(index=False) and "nan" not in table.to_csv(index=False)


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
    table = queue_table(at)
    assert table is not None and "<img src=x onerror=alert(1)>" in table["Title"].tolist()
    at = pick(at, "tracks", "t2", f"tracks:{ARTIST}:t2")
    assert "<img src=x onerror=alert(1)>" in [t.value for t in at.text]
    assert not [m for m in at.markdown if "onerror" in str(m.value)]
    assert not at.get("imgs")  # javascript: cover is not loaded as an image
    at = pick(at, "banner_ads", "b1", f"banners:{ARTIST}:b1")
    assert "javascript:alert(document.cookie)" in [t.value for t in at.text]
    assert not [b for b in at.get("link_button") if "javascript" in str(b.proto.url)]
    assert not [m for m in at.markdown if "javascript" in str(m.value)]


def test_conflict_is_listed(seed_postgresql: Store) -> None:
    """Another moderator decides while this page still shows the item (PostgreSQL: cached results are reused
    until they expire or this session writes)."""
    store = seed_postgresql
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = pick(at, "news", "n1", f"news:{ARTIST}:n1")
    repo.decide(store, [repo.Item("news", "n1", f"news:{ARTIST}:n1", "pending")], "approve", "Кто-то")
    at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    tables = [d.value for d in at.dataframe if list(d.value.columns) == ["Message"]]
    assert len(tables) == 1, texts(at)
    conflicts = tables[0].iloc[:, 0].tolist()
    assert len(conflicts) == 1 and "“Новость” (News, Артист Один 🎤): already approved by Кто-то at" in conflicts[0]
    assert [str(t.value) for t in at.toast] == ["Nothing changed; not applied (already decided by others): 1 item"]
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
    listed = next(d.value for d in at.dataframe if list(d.value.columns) == ["Type", "Title", "Artist"])
    assert sorted(listed["Title"]) == ["Новость", "Первый трек"] and sorted(listed["Type"]) == ["News", "Track"]
    assert set(listed["Artist"]) == {"Артист Один 🎤"}
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 0
    at.button(key="mod_bulk_yes").click().run()
    assert not at.exception, at.exception
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 2
    assert scalar(store, "SELECT count(DISTINCT batch_id) FROM moderation_log") == 1
    assert not {"t1", "n1"} & set(queue_ids(at))


def test_selection_is_by_item_and_someone_elses_decision_leaves_it_with_a_note(store: Store) -> None:
    """The selection survives reruns while its items stay pending; an item decided elsewhere leaves it with a note
    naming who decided and when, and no decision is offered on the item that took its place."""
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    t1 = item_ref({"entity": "tracks", "entity_id": "t1", "source_key": f"tracks:{ARTIST}:t1"})
    v1 = item_ref({"entity": "videos", "entity_id": "v1", "source_key": f"videos:{ARTIST}:v1"})
    at = at.multiselect(key="mod_pick").set_value([t1, v1]).run()
    at.text_input(key="mod_f_text").set_value("").run()  # any rerun: the selection stays
    assert set(at.session_state["mod_selection"]) == {t1, v1}
    repo.decide(store, [repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")], "approve", "Другой модератор")
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["mod_selection"] == {v1: "pending"}
    notes = [str(w.value) for w in at.warning]
    assert any("“Первый трек” (Track, Артист Один 🎤) left your selection: decided by Другой модератор at" in n
               and "(approved)" in n for n in notes), notes
    assert at.button(key="mod_approve")  # one item left: the single decision is offered on it, not on t1's row
    at.button(key="mod_approve").click().run()
    assert scalar(store, "SELECT status FROM videos WHERE id = 'v1'") == "approved"
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 2  # the other moderator's and this one


def test_undo_says_what_happened_and_the_log_names_the_undone_entry(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="ru")
    at = pick(at, "news", "n1", f"news:{ARTIST}:n1")
    at.button(key="mod_approve").click().run()
    at.button(key="mod_undo").click().run()
    assert not at.exception, at.exception
    assert [str(t.value) for t in at.toast] == [
        "Решение отменено, снова в очереди: «Новость» (Новость, Артист Один 🎤)"]
    assert scalar(store, "SELECT status FROM news WHERE id = 'n1'") == "pending"
    log = open_page(store, "ui/views/moderation_log.py", role="moderator", lang="ru")
    assert not log.exception, log.exception
    table = log.dataframe[0].value
    assert list(table["Действие"]) == ["отменил(а) решение", "одобрил(а)"]
    assert list(table["Было"]) == ["одобрено", "на модерации"] and list(table["Стало"]) == ["на модерации", "одобрено"]
    # on screen the undone decision is in the one note column (the CSV keeps it in a column of its own)
    assert "Отменённое решение" not in table.columns
    notes = table["Заметка"].tolist()
    assert notes[0].startswith("одобрил(а) — moderator-demo, ") and notes[1] == ""
    # every column together fits the 1400 px window's room, a vertical scrollbar's width left over
    widths = table_widths.fit(table, squeezable=["Элемент", "Причина", "Заметка", "Артист"],
                              texts=["Модератор", "Действие"], text_min=70)
    assert table_widths.fits(widths), widths
    assert "None" not in table.to_csv(index=False) and "nan" not in table.to_csv(index=False)


def test_bulk_dialog_counts_in_russian_plural(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="admin", lang="ru")
    refs = [item_ref({"entity": e, "entity_id": i, "source_key": k}) for e, i, k in (
        ("tracks", "t1", f"tracks:{ARTIST}:t1"), ("news", "n1", f"news:{ARTIST}:n1"),
        ("videos", "v1", f"videos:{ARTIST}:v1"), ("concerts", "c1", f"concerts:{ARTIST}:c1"),
        ("banner_ads", "b1", f"banners:{ARTIST}:b1"))]
    at = at.multiselect(key="mod_pick").set_value(refs[:3]).run()
    at.button(key="mod_bulk_approve").click().run()
    assert "Одобрить 3 элемента?" in [t.value for t in at.text]
    at.button(key="mod_bulk_no").click().run()
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 0
    at = at.multiselect(key="mod_pick").set_value(refs).run()
    at.button(key="mod_bulk_approve").click().run()
    assert "Одобрить 5 элементов?" in [t.value for t in at.text]
    at.button(key="mod_bulk_yes").click().run()
    assert [str(t.value) for t in at.toast] == ["Одобрено: 5 элементов"]
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 5


@pytest.mark.parametrize(("n", "ru", "en"), [
    (1, "1 элемент", "1 item"), (2, "2 элемента", "2 items"), (3, "3 элемента", "3 items"),
    (5, "5 элементов", "5 items"), (11, "11 элементов", "11 items"), (14, "14 элементов", "14 items"),
    (21, "21 элемент", "21 items"), (22, "22 элемента", "22 items"), (111, "111 элементов", "111 items"),
    (0, "0 элементов", "0 items"),
])
def test_plural_forms(n: int, ru: str, en: str) -> None:
    assert count_of(n, "ru", "элемент|элемента|элементов") == ru
    assert count_of(n, "en", "item|items") == en


def test_selection_follows_items_not_rows() -> None:
    a, b, c = "tracks\tk\ta", "tracks\tk\tb", "news\tk\tc"
    statuses = {a: "pending", b: "pending", c: "pending"}
    chosen = selection.with_rows({}, [a, b, c], [0], statuses)
    assert chosen == {a: "pending"}
    # a redrawn table (a left the queue): its row 0 is b, and only a tick on it selects it
    assert selection.reconcile(chosen, {b: "pending", c: "pending"}) == ({}, [a])
    assert selection.with_rows({c: "pending"}, [a, b], [1], statuses) == {c: "pending", b: "pending"}
    assert selection.reconcile({a: "pending"}, {a: "approved"}) == ({}, [a])  # another status: it leaves
    assert selection.rows_of({b: "pending"}, [c, b, a]) == [1]
    assert selection.with_picked({a: "pending"}, [a, c], {c: "pending"}) == {a: "pending", c: "pending"}


def test_queue_shortens_ids_and_the_preview_has_them_in_full(tmp_path: Path) -> None:
    """The ID column follows the tables' convention (``ui.tables.short_id``: "1a2b3c4d…"); the full id, to copy,
    is in the item's preview."""
    long_id = "1a2b3c4d-5e6f-4711-8899-aabbccddeeff"
    key = f"tracks:{ARTIST}:{long_id}"
    track = {"key": key, "value": {"id": long_id, "user_id": ARTIST, "title": "Длинный номер", "status": "pending",
                                   "created_at": "2026-09-01T10:00:00+03:00"}}
    s = Store(str(tmp_path / "long.duckdb"))
    ingest([write_snapshot(tmp_path / "long.ndjson", [*SEED_RECORDS, track])], s, "seed", say=lambda _m: None)
    at = open_page(s, "ui/views/moderation_queue.py", role="moderator", lang="en")
    assert not at.exception, at.exception
    ids = queue_ids(at)
    assert ids[0] == "1a2b3c4d…" and long_id not in ids  # the oldest item first, its id shortened
    assert {"t1", "t2", "v1"} <= set(ids)  # short ids stay as they are
    at = pick(at, "tracks", long_id, key)
    assert f"Track · {long_id}" in [e.value for e in at.text]


def test_the_workbench_shows_context_claims_and_my_decisions(store: Store) -> None:
    """Beside the open item: the artist's other submissions (counts, the last five) and the item's own history; an
    item another session has open reads as theirs, a decision on it is made all the same and the log says whose it
    was; my decisions of the last hour each have an undo; the keys' help is in the page's language."""
    from dashboard.moderation import claims

    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    assert any("J / K | next / previous item" in str(m.value) for m in at.markdown)  # the keys' help popover
    t1 = item_ref({"entity": "tracks", "entity_id": "t1", "source_key": f"tracks:{ARTIST}:t1"})
    claims.claim(store, t1, "another-session", "Ирина")
    at = pick(at, "tracks", "t1", f"tracks:{ARTIST}:t1")  # opened on purpose
    assert any("Ирина has this item open" in str(w.value) for w in at.warning), [w.value for w in at.warning]
    captions = [str(c.value) for c in at.caption]
    assert any(c.startswith("The artist's other submissions: 8 — approved 1, rejected 0, pending 7") for c in captions)
    recent = next(d.value for d in at.dataframe if "Submission" in d.value.columns)
    assert len(recent) == 5 and "Concert · Старый" in set(recent["Submission"])
    assert "No decision on this item yet." in captions
    at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    assert scalar(store, "SELECT note FROM moderation_log") == "claimed by Ирина"
    assert scalar(store, "SELECT status FROM tracks WHERE id = 't1'") == "approved"
    log_id = str(scalar(store, "SELECT id FROM moderation_log"))
    assert at.button(key=f"mod_undo_{log_id}")  # the list of my decisions of the last hour
    log = open_page(store, "ui/views/moderation_log.py", role="moderator", lang="ru")
    assert list(log.dataframe[0].value["Заметка"]) == ["в это время элемент смотрел(а) Ирина"]
    at.button(key=f"mod_undo_{log_id}").click().run()
    assert scalar(store, "SELECT status FROM tracks WHERE id = 't1'") == "pending"
    assert at.session_state["mod_current"] == (t1, "pending")  # the undone item is open again


def bulk_listing(at: AppTest) -> pd.DataFrame:
    """The bulk dialog's table of the items it will decide."""
    return next(d.value for d in at.dataframe if set(d.value.columns) <= {"Cover", "Type", "Title", "Artist"})


def test_the_bulk_dialog_shows_the_covers_on_request(store: Store) -> None:
    at = open_page(store, "ui/views/moderation_queue.py", role="admin", lang="en")
    refs = [item_ref({"entity": "tracks", "entity_id": "t1", "source_key": f"tracks:{ARTIST}:t1"}),
            item_ref({"entity": "banner_ads", "entity_id": "b1", "source_key": f"banners:{ARTIST}:b1"})]
    at = at.multiselect(key="mod_pick").set_value(refs).run()
    at.button(key="mod_bulk_approve").click().run()
    listed = bulk_listing(at)
    assert list(listed.columns) == ["Type", "Title", "Artist"]  # nothing loaded from the media host by itself
    at.toggle(key="mod_bulk_media").set_value(True).run()
    listed = bulk_listing(at)
    assert list(listed.columns) == ["Cover", "Type", "Title", "Artist"]
    assert dict(zip(listed["Title"], listed["Cover"], strict=True))["Баннер"] == "https://cdn.example/b.jpg"
    assert scalar(store, "SELECT count(*) FROM moderation_log") == 0
