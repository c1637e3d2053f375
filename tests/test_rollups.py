"""The rollups (issue 21) never drift from the definition they replace: ``pending_rollup`` holds exactly the rows of
``queries/shared/pending_base.sql`` over the entity tables, on both engines, after an ingest, after decisions, after
an undo, after a refused decision and under concurrent decisions. (The incremental sync's batches are held to a
full sync's content, rollups included, by tests/test_sync_feed.py and tests/test_sync_inserver.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard import rollups
from dashboard.ingest.build import ingest
from dashboard.moderation import service as repo
from dashboard.moderation.config import pending_params
from dashboard.store.connect import Store, engine
from dashboard.store.queries import run_query
from tests.conftest import ENGINES, StoreFactory
from tests.data import ARTIST
from tests.sql import reads_held, rows
from tests.together import at_once

COLUMNS = ", ".join(rollups.PENDING_COLUMNS)


def _sorted(found: list[tuple[Any, ...]]) -> list[str]:
    return sorted(repr(r) for r in found)


@reads_held
def assert_in_step(store: Store, layout: str) -> int:
    """The rollup equals its definition over the entity tables; returns how many items wait."""
    kept = _sorted(rows(store, f"SELECT {COLUMNS} FROM pending_rollup"))
    defined = _sorted(rows(store, rollups.select_pending(layout)))
    assert kept == defined
    return len(kept)


def waiting(store: Store, entity: str) -> set[str]:
    return {r[0] for r in rows(store, "SELECT entity_id FROM pending_rollup WHERE entity = :e", e=entity)}


def test_pending_rollup_in_step_on_the_fixture_after_ingest_decisions_and_undo(new_store: StoreFactory,
                                                                              fixture_snapshot: Path) -> None:
    s = new_store()
    ingest([fixture_snapshot], s, "deployed", say=lambda _m: None)
    before = assert_in_step(s, "deployed")
    queue = run_query(s, "pending_items", **pending_params("deployed"))
    assert before == len(queue) == 19  # the fixture's queue, as the pages read it
    banner_key, banner = rows(s, "SELECT source_key, id FROM banner_ads WHERE status = 'pending_moderation' "
                                 "ORDER BY id")[0]
    concert_key, concert = rows(s, "SELECT source_key, id FROM concerts WHERE status = 'pending' ORDER BY id")[0]
    assert banner in waiting(s, "banner_ads") and concert in waiting(s, "concerts")
    assert repo.decide(s, [repo.Item("banner_ads", banner, banner_key)], "approve", "Анна")[0].applied
    assert repo.decide(s, [repo.Item("concerts", concert, concert_key)], "reject", "Анна", reason="Нет билетов")[0] \
        .applied
    assert assert_in_step(s, "deployed") == before - 2
    assert banner not in waiting(s, "banner_ads") and concert not in waiting(s, "concerts")
    assert len(run_query(s, "pending_items", **pending_params("deployed"))) == before - 2
    out = repo.undo(s, repo.Item("concerts", concert, concert_key, "rejected"), "Анна")
    assert out.applied and out.to_status == "pending"
    assert assert_in_step(s, "deployed") == before - 1 and concert in waiting(s, "concerts")


def test_pending_rollup_in_step_on_the_seed_layout_and_a_refused_decision_changes_nothing(seed_store: Store) -> None:
    s = seed_store
    before = assert_in_step(s, "seed")
    assert "t1" in waiting(s, "tracks")
    assert repo.decide(s, [repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1")], "approve", "Мария")[0].applied
    assert "t1" not in waiting(s, "tracks") and assert_in_step(s, "seed") == before - 1
    # a second decision on what the person saw as pending is refused, and the rollup stays as it is
    refused = repo.decide(s, [repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")], "reject", "Олег",
                          reason="Спам")[0]
    assert not refused.applied and assert_in_step(s, "seed") == before - 1
    assert repo.undo(s, repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "approved"), "Мария").applied
    assert "t1" in waiting(s, "tracks") and assert_in_step(s, "seed") == before


def decide_at_once(store: Store, decisions: list[tuple[repo.Item, str, str, str | None]]) -> list[bool]:
    """Each (item, action, who, reason) decided on a thread of its own, all let go at the same moment; whether each
    applied, in the order given."""
    def one(item: repo.Item, action: str, who: str, reason: str | None) -> Callable[[], bool]:
        return lambda: repo.decide(store, [item], action, who, reason=reason)[0].applied

    return at_once(*(one(*decision) for decision in decisions))


def test_concurrent_decisions_keep_the_rollup_in_step(seed_store: Store) -> None:
    """Four people decide at once: two on the same track (one applies), two on other items; the rollup loses exactly
    the decided items, in the decisions' own transactions."""
    s = seed_store
    before = assert_in_step(s, "seed")
    pending = rows(s, "SELECT entity, entity_id, source_key FROM pending_rollup ORDER BY entity, entity_id")
    assert len(pending) >= 3
    (e1, id1, k1), (e2, id2, k2), (e3, id3, k3) = pending[:3]
    jobs = [(e1, id1, k1, "Анна"), (e1, id1, k1, "Борис"), (e2, id2, k2, "Вера"), (e3, id3, k3, "Глеб")]
    outcomes = decide_at_once(s, [(repo.Item(e, i, k), "approve", who, None) for e, i, k, who in jobs])
    assert sorted(outcomes) == [False, True, True, True]
    assert assert_in_step(s, "seed") == before - 3
    left = {(r[0], r[1]) for r in rows(s, "SELECT entity, entity_id FROM pending_rollup")}
    assert not left & {(e1, id1), (e2, id2), (e3, id3)}


QUEUE_QUERIES = ("pending_items", "pending_summary", "pending_page", "artist_pending_items")
REVENUE_QUERIES = ("revenue_payment_summary", "revenue_timeline", "revenue_data_range", "revenue_top_artists")


def test_the_queue_and_revenue_queries_read_the_rollups_on_postgresql(demo_stores: Any) -> None:
    """EXPLAIN of the store-wide queue and revenue queries on an ANALYZEd PostgreSQL store: the queue's plans read
    pending_rollup and none of the moderated entities' tables (millions of rows at 10M keys, with a status test no
    index serves); Revenue's read its rollups and none of the revenue lines' tables."""
    import datetime as dt
    import re

    from dashboard.moderation.config import sla_bounds
    from dashboard.store.queries import load_query
    from dashboard.store.schema import MODERATED_TABLES

    store = demo_stores["postgresql"]
    values: dict[str, Any] = {**pending_params("seed"), **sla_bounds(dt.datetime(2026, 11, 1, tzinfo=dt.UTC)),
                              "artist_id": "a", "offset": 0, "limit": 50, "types": "", "bands": "",
                              "artist_filter": "", "search": "", "start": dt.date(2026, 10, 5),
                              "end": dt.date(2026, 11, 1), "cur_start": dt.date(2026, 10, 5),
                              "cur_end": dt.date(2026, 11, 1), "prev_start": dt.date(2026, 9, 7),
                              "prev_end": dt.date(2026, 10, 4), "grain": "day"}
    with engine(store).begin() as conn:  # planner statistics, as every PostgreSQL load leaves them
        conn.execute(sa.text("ANALYZE"))
    for name in (*QUEUE_QUERIES, *REVENUE_QUERIES):
        query = load_query(name)
        plan = "\n".join(str(r[0]) for r in rows(store, "EXPLAIN " + query.sql, **{p: values[p] for p in query.params}))
        scanned = set(re.findall(r"Scan(?: using \w+)? on (\w+)", plan))
        if name in QUEUE_QUERIES:
            assert "pending_rollup" in scanned and not scanned & set(MODERATED_TABLES), (name, scanned)
        else:  # Revenue: the rollups, never the fifteen tables of the revenue lines
            read = set(rollups.REVENUE_ROLLUPS) | {rollups.ARTIST_LINES}
            assert scanned & read and not scanned & rollups.REVENUE_TABLES, (name, scanned)


@reads_held
def revenue_in_step(store: Store) -> dict[str, int]:
    """Each revenue rollup equals the revenue lines summed by its groups (one row per group, none empty), and
    artist_lines_daily its definition over them and the directory; returns each revenue rollup's line count."""
    lines: dict[str, int] = {}
    for table, (groups, measures) in rollups.REVENUE_ROLLUPS.items():
        kept = rows(store, f"SELECT {', '.join((*groups, *measures))} FROM {table}")
        defined = rows(store, rollups.revenue_select(table))
        assert _sorted(kept) == _sorted(defined), table
        assert all(row[len(groups)] != 0 for row in kept), table
        lines[table] = sum(int(row[len(groups)]) for row in kept)
    kept = rows(store, f"SELECT {', '.join(rollups.ARTIST_LINES_COLUMNS)} FROM {rollups.ARTIST_LINES}")
    assert _sorted(kept) == _sorted(rows(store, rollups.artist_lines_select())), rollups.ARTIST_LINES
    return lines


@reads_held
def directory_in_step(store: Store) -> int:
    """The artist directory equals its definition over the tables; returns how many artists it holds."""
    kept = _sorted(rows(store, "SELECT artist_id, name, city FROM artist_directory"))
    assert kept == _sorted(rows(store, rollups.directory_select()))
    return len(kept)


@reads_held
def donations_in_step(store: Store) -> int:
    """donations_daily equals its definition over the donations; returns the donations it counts."""
    cols = ", ".join((*rollups.DONATION_GROUPS, *rollups.DONATION_MEASURES))
    kept = rows(store, f"SELECT {cols} FROM donations_daily")
    assert _sorted(kept) == _sorted(rows(store, rollups.donations_select()))
    return sum(int(r[1]) for r in kept)


@reads_held
def coins_in_step(store: Store) -> int:
    """coins_by_user and coins_daily equal their definitions over the coin transactions; returns the transactions
    coins_by_user counts."""
    cols = ", ".join(rollups.COINS_COLUMNS)
    kept = rows(store, f"SELECT {cols} FROM coins_by_user")
    assert _sorted(kept) == _sorted(rows(store, rollups.coins_select()))
    flow = ", ".join((*rollups.COIN_FLOW_GROUPS, *rollups.COIN_FLOW_MEASURES))
    assert _sorted(rows(store, f"SELECT {flow} FROM coins_daily")) == _sorted(rows(store, rollups.coin_flow_select()))
    return sum(int(r[1]) for r in kept)


@reads_held
def dangling_in_step(store: Store) -> int:
    """dangling_ids_rollup equals its definition over kv_index and the lists' tables; returns its rows."""
    kept = rows(store, f"SELECT {', '.join(rollups.DANGLING_COLUMNS)} FROM {rollups.DANGLING}")
    assert _sorted(kept) == _sorted(rows(store, rollups.dangling_select())), rollups.DANGLING
    return len(kept)


@reads_held
def orphans_in_step(store: Store) -> tuple[int, int]:
    """The orphan rollups (and the dangling list ids, ``dangling_in_step``) equal their definitions over the tables;
    returns (orphaned analytics rows, orphaned donations)."""
    dangling_in_step(store)
    found = []
    for table, columns, select in rollups._ORPHAN_ROLLUPS:
        kept = rows(store, f"SELECT {', '.join(columns)} FROM {table}")
        assert _sorted(kept) == _sorted(rows(store, select())), table
        found.append(len(kept))
    return found[0], found[1]


# two of the platform's reviews that move money, added to the fixture (which has none waiting): a paid track test at
# intake (KEYS.md §B: pending_moderation) and a paid publish order in review
MONEY_UNDER_REVIEW = [
    {"key": "track_test:requests:tt-money", "value": {
        "id": "tt-money", "user_id": "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01", "track_title": "Тест: Гроза ⚡",
        "status": "pending_moderation", "payment_status": "completed", "payment_amount": 1000,
        "created_at": "2026-01-28T10:00:00.000Z", "updated_at": "2026-01-28T10:05:00.000Z"}},
    {"key": "publish_order:pub-money", "value": {
        "id": "pub-money", "userId": "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01", "type": "concert",
        "status": "in_review", "title": "Концерт в Казани", "plan": "standard", "price": 1490, "currency": "RUB",
        "createdAt": "2026-01-28T11:00:00.000Z", "updatedAt": "2026-01-28T11:30:00.000Z"}},
]


def test_revenue_rollups_in_step_after_ingest_decisions_and_undo(new_store: StoreFactory, fixture_snapshot: Path,
                                                                tmp_path: Path) -> None:
    """The fixture's revenue lines plus a paid track test and a paid publish order under review: the track test
    rejected (its payment refunded: the line's status moves) and undone, the publish order rejected (a rejected
    order moved no money: its line goes), a banner approved (no budget: no line either way)."""
    import json

    snapshot = tmp_path / "money.ndjson"
    snapshot.write_text(fixture_snapshot.read_text(encoding="utf-8") + "".join(
        json.dumps(r, ensure_ascii=False) + "\n" for r in MONEY_UNDER_REVIEW), encoding="utf-8")
    s = new_store()
    ingest([snapshot], s, "deployed", say=lambda _m: None)
    assert revenue_in_step(s) == {"revenue_daily": 65, "revenue_artist_daily": 65}  # the fixture's 63, and 2
    artists = directory_in_step(s)
    orphans = orphans_in_step(s)
    assert donations_in_step(s) == rows(s, "SELECT COUNT(*) FROM donations WHERE LOWER(status) = 'completed'")[0][0] > 3
    assert coins_in_step(s) == rows(s, "SELECT COUNT(amount) FROM coins_transactions")[0][0] > 3
    assert artists == rows(s, "SELECT artists FROM (SELECT COUNT(DISTINCT user_id) AS artists FROM (SELECT user_id "
                              "FROM tracks UNION ALL SELECT user_id FROM videos UNION ALL SELECT user_id FROM "
                              "concerts) AS o) AS n")[0][0] > 3
    refunded = "SELECT CAST(COALESCE(SUM(lines), 0) AS BIGINT) FROM revenue_daily WHERE stream = 'track_tests' " \
               "AND status = 'refunded'"
    assert rows(s, refunded)[0][0] == 1
    test = repo.Item("track_test_intake", "tt-money", "track_test:requests:tt-money", "pending_moderation")
    assert repo.decide(s, [test], "reject", "Анна", reason="Плохое качество")[0].applied
    assert revenue_in_step(s)["revenue_daily"] == 65 and rows(s, refunded)[0][0] == 2
    assert repo.undo(s, repo.Item(test.entity, test.entity_id, test.source_key, "moderation_rejected"), "Анна").applied
    assert revenue_in_step(s)["revenue_daily"] == 65 and rows(s, refunded)[0][0] == 1
    order = repo.Item("publish_orders", "pub-money", "publish_order:pub-money", "in_review")
    assert repo.decide(s, [order], "reject", "Анна", reason="Нет прав")[0].applied
    assert revenue_in_step(s) == {"revenue_daily": 64, "revenue_artist_daily": 64}
    banner_key, banner = rows(s, "SELECT source_key, id FROM banner_ads WHERE status = 'pending_moderation' "
                                 "ORDER BY id")[0]
    assert repo.decide(s, [repo.Item("banner_ads", banner, banner_key)], "approve", "Анна")[0].applied
    assert revenue_in_step(s)["revenue_daily"] == 64
    assert directory_in_step(s) == artists  # decisions move statuses, never who owns what
    donations_in_step(s)
    assert orphans_in_step(s) == orphans  # nor which parents exist


def test_two_money_decisions_of_one_artist_at_once_keep_the_artist_lines(new_store: StoreFactory,
                                                                          fixture_snapshot: Path,
                                                                          tmp_path: Path) -> None:
    """Two moderators at once: one rejects the artist's paid track test (its payment refunded), the other the
    artist's paid publish order (its line goes). Both decisions remake the same artist's artist_lines_daily rows;
    after both, every revenue rollup and artist_lines_daily equal their definitions; the artist's completed RUB
    payments lost the refunded 1 000 RUB (the order, under review, was never a completed payment) and the artist's
    lines one (the order's)."""
    import json

    snapshot = tmp_path / "money.ndjson"
    snapshot.write_text(fixture_snapshot.read_text(encoding="utf-8") + "".join(
        json.dumps(r, ensure_ascii=False) + "\n" for r in MONEY_UNDER_REVIEW), encoding="utf-8")
    s = new_store()
    ingest([snapshot], s, "deployed", say=lambda _m: None)
    artist = MONEY_UNDER_REVIEW[0]["value"]["user_id"]
    paid = ("SELECT CAST(COALESCE(SUM(platform_net), 0) AS DECIMAL(18,2)), CAST(COALESCE(SUM(lines), 0) AS BIGINT) "
            "FROM artist_lines_daily WHERE artist_id = :a")
    (net_before, lines_before), = rows(s, paid, a=artist)
    items = [repo.Item("track_test_intake", "tt-money", "track_test:requests:tt-money", "pending_moderation"),
             repo.Item("publish_orders", "pub-money", "publish_order:pub-money", "in_review")]
    outcomes = decide_at_once(s, [(items[n], "reject", f"Модератор {n}", "Нет") for n in range(2)])
    assert outcomes == [True, True]
    assert revenue_in_step(s) == {"revenue_daily": 64, "revenue_artist_daily": 64}  # the order's line went
    (net_after, lines_after), = rows(s, paid, a=artist)
    assert float(net_before) - float(net_after) == 1000 and int(lines_before) - int(lines_after) == 1


# two AI news articles in one KV value (the platform's pending list): two decisions refresh the same key's rows
AI_PENDING = {"key": "news:articles:pending", "value": [
    {"id": f"art-{n}", "title": f"Новость {n} 🎧", "tag": "Индустрия", "excerpt": "Кратко", "content": "Текст",
     "source": "Billboard Russia", "processedAt": "2026-01-28T13:00:00.000Z", "status": "pending"} for n in range(4)]}


def test_two_decisions_under_one_key_at_once_keep_the_rollup_in_step(new_store: StoreFactory, fixture_snapshot: Path,
                                                                     tmp_path: Path) -> None:
    """Four people decide four AI articles of one list key at once (each decision rewrites that key's pending rows):
    every decision applies and none of the four stays in the rollup."""
    import json

    snapshot = tmp_path / "ai.ndjson"
    snapshot.write_text(fixture_snapshot.read_text(encoding="utf-8") + json.dumps(AI_PENDING, ensure_ascii=False)
                        + "\n", encoding="utf-8")
    s = new_store()
    ingest([snapshot], s, "deployed", say=lambda _m: None)
    before = assert_in_step(s, "deployed")
    assert waiting(s, "ai_news") == {f"art-{n}" for n in range(4)}
    outcomes = decide_at_once(s, [
        (repo.Item("ai_news", f"art-{n}", "news:articles:pending", "pending"), *(
            ("approve", f"Модератор {n}", None) if n % 2 else ("reject", f"Модератор {n}", "Не про музыку")))
        for n in range(4)])
    assert outcomes == [True] * 4
    assert waiting(s, "ai_news") == set() and assert_in_step(s, "deployed") == before - 4


@pytest.fixture(params=ENGINES)
def demo_copy(request: pytest.FixtureRequest, session_demo: Any, tmp_path: Path) -> Store:
    """A store of its own holding the small seed demo (which plants an id with no banner in banners:active:list)."""
    return session_demo.copy(request.param, tmp_path)


def test_two_approvals_into_one_list_at_once_keep_the_dangling_ids_in_step(demo_copy: Store) -> None:
    """Two moderators approve two pending banners at the same moment: each approval puts its banner into
    banners:active:list (the ids after it move down a place), and an undo takes one out again. After each step the
    dangling-ids rollup equals its definition, the planted id that has no banner is still the list's one dangling
    id, at the place kv_index gives it, and data health's check reads the same rows."""
    s = demo_copy
    active = "banners:active:list"
    where = "SELECT item_id, position FROM dangling_ids_rollup WHERE kv_key = :k"
    planted = rows(s, where, k=active)
    assert len(planted) == 1
    ghost = planted[0][0]
    place = "SELECT position FROM kv_index WHERE list_key = :k AND item_id = :id"
    assert rows(s, place, k=active, id=ghost) == [(planted[0][1],)]
    total = dangling_in_step(s)
    pending = [repo.Item("banner_ads", str(i), str(k), "pending") for i, k in rows(
        s, "SELECT id, source_key FROM banner_ads WHERE status = 'pending' ORDER BY id LIMIT 2")]
    outcomes = decide_at_once(s, [(pending[n], "approve", f"Модератор {n}", None) for n in range(2)])
    assert outcomes == [True, True]
    listed = {str(i) for (i,) in rows(s, "SELECT item_id FROM kv_index WHERE list_key = :k", k=active)}
    assert {p.entity_id for p in pending} <= listed
    assert dangling_in_step(s) == total
    (moved,), = rows(s, place, k=active, id=ghost)
    assert rows(s, where, k=active) == [(ghost, moved)]
    status = rows(s, "SELECT status FROM banner_ads WHERE id = :id", id=pending[0].entity_id)[0][0]
    first = repo.Item("banner_ads", pending[0].entity_id, pending[0].source_key, str(status))
    assert repo.undo(s, first, "Модератор 0").applied
    assert pending[0].entity_id not in {str(i) for (i,) in rows(
        s, "SELECT item_id FROM kv_index WHERE list_key = :k", k=active)}
    assert dangling_in_step(s) == total
    (back,), = rows(s, place, k=active, id=ghost)
    assert rows(s, where, k=active) == [(ghost, back)]
    found = run_query(s, "health_dangling_list_ids")
    assert sorted(zip(found["kv_key"], found["item_id"].fillna(""), found["position"].astype(int), strict=True)) == \
        sorted((str(k), str(i or ""), int(n)) for k, i, n in rows(s, "SELECT kv_key, item_id, position FROM "
                                                                         f"{rollups.DANGLING}"))
    assert len(found) == total
