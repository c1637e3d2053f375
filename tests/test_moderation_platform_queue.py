"""The platform's own review queue (issue 18 §4, KEYS.md §B) on the deployed fixture, both engines.

The fixture (``deployed-kv-snapshot.ndjson``) has pending banners, a marketing campaign and a publish order, but
no track test waiting for moderation or for its final review and no content order: ``EXTRA`` adds one row of each,
in the shape the platform's code writes them (cab and pmf track tests, a pmf publish order double-encoded, a pmf
content order with its ``content_orders:pending`` list). Expected values are computed here from those rows.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.moderation import service
from dashboard.moderation.config import pending_params
from dashboard.store.connect import Store
from dashboard.store.queries import read_engine, run_query
from dashboard.sync.run import sync
from dashboard.sync.source import resolve_source
from tests.conftest import ENGINES, Servers, SessionStores
from tests.data import decoded
from tests.sync_platform import libpq, make_platform, platform_value
from tests.together import at_once

SANDRA = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"
DAN = "b81d4e77-2c3a-4f1e-a9d0-6e5c4b3a2f10"
MAXAM = "c0ffee00-1111-4222-8333-444455556666"
ENV = "PROMO_TEST_QUEUE_PLATFORM_URL"
_n = itertools.count()


def _tt(rid: str, user: str, title: str, status: str, **more: Any) -> dict[str, Any]:
    return {"key": f"track_test:requests:{rid}", "value": {
        "id": rid, "user_id": user, "track_id": None, "track_title": title, "artist_name": "Сандра", "genre": "Pop",
        "status": status, "payment_status": "completed", "payment_amount": 1000, "required_expert_count": 5,
        "completed_reviews_count": 0, "assigned_experts": [], "created_at": "2026-01-28T10:00:00.000Z",
        "updated_at": "2026-01-28T10:05:00.000Z", **more}}


CONTENT_ID = "order_1769594400000_k3x9p2m"
PAID_PUBLISH = "pub_1769594400000_a1b2c3"
EXTRA: list[dict[str, Any]] = [
    _tt("tt-cab-intake", SANDRA, "Тест: Летний вечер 🌅", "pending_moderation"),  # cab, after /payment
    _tt("tt-pmf-intake", DAN, "Тест: Неон", "payment_succeeded"),  # pmf, after /payment
    _tt("tt-cab-result", MAXAM, "Тест: Гроза", "pending_admin_review", completed_reviews_count=5,
        average_rating=7.5, consolidated_feedback="Сильный припев, слабое сведение"),
    _tt("tt-pmf-result", SANDRA, "Тест: Рассвет", "analysis_generated", admin_approval_status="pending",
        average_rating=8.1),
    # pmf publish-routes writes JSON.stringify(order): a double-encoded value
    {"key": f"publish_order:{PAID_PUBLISH}", "value": json.dumps({
        "id": PAID_PUBLISH, "userId": SANDRA, "type": "concert", "status": "in_review", "title": "Концерт в Казани",
        "plan": "standard", "price": 1490, "currency": "RUB", "createdAt": "2026-01-28T11:00:00.000Z",
        "updatedAt": "2026-01-28T11:30:00.000Z"}, ensure_ascii=False)},
    {"key": f"content_order:{CONTENT_ID}", "value": {
        "id": CONTENT_ID, "venueId": "venue-1", "venueName": "Бар «Пластинка»", "contentType": "jingles",
        "text": "Джингл к пятничной вечеринке, 15 секунд", "style": "energetic", "duration": 15,
        "voiceType": "female", "price": 2500, "status": "pending", "createdAt": "2026-01-28T12:00:00.000Z",
        "updatedAt": "2026-01-28T12:00:00.000Z"}},
    {"key": "content_orders:pending", "value": [CONTENT_ID]},
    # pmf ai-agent: collected articles wait in the list news:articles:pending, newest first
    {"key": "news:articles:pending", "value": [
        {"id": "art_1769598000000_0_k2f9", "title": "Рынок виниловых пластинок в России вырос на 30%",
         "tag": "Индустрия", "excerpt": "Аналитики фиксируют рекордный рост продаж винила.",
         "content": "По итогам года продажи виниловых пластинок выросли на 30%.", "source": "Billboard Russia",
         "coverImage": "https://picsum.photos/seed/1769598000000/800/400",
         "processedAt": "2026-01-28T13:00:00.000Z", "status": "pending"},
        {"id": "art_1769598000000_1_p8q1", "title": "Новый тренд: нейросети помогают в создании аранжировок",
         "tag": "Технологии", "excerpt": "Продюсеры всё чаще используют нейросетевые инструменты.",
         "content": "Более 40% продюсеров используют нейросети для демо.", "source": "The Flow",
         "coverImage": "https://picsum.photos/seed/1769598000001/800/400",
         "processedAt": "2026-01-28T13:00:00.000Z", "status": "pending"}]},
    {"key": "news:articles:published", "value": [
        {"id": "art_1769511600000_0_x1y2", "title": "Фестиваль «Дикая Мята» объявил первых хедлайнеров",
         "tag": "События", "excerpt": "Организаторы раскрыли имена первых артистов.", "content": "…",
         "source": "Sadwave", "processedAt": "2026-01-27T13:00:00.000Z", "status": "published",
         "publishedAt": "2026-01-27T15:00:00.000Z"}]},
    {"key": "venue_orders:venue-1", "value": [CONTENT_ID]},
]

# KEYS.md §B, written out here (not read from the catalogue): key prefix and the statuses waiting for a decision
PENDING: dict[str, tuple[str, set[str]]] = {
    "banner_ads": ("banner_ad_", {"pending_moderation"}),
    "promotion_campaigns": ("marketing_campaign:", {"pending_review"}),
    "track_test_intake": ("track_test:requests:", {"pending_moderation", "payment_succeeded"}),
    "track_test_result": ("track_test:requests:", {"pending_admin_review", "analysis_generated"}),
    "publish_orders": ("publish_order:", {"pending_review", "in_review"}),
    "content_orders": ("content_order:", {"pending"}),
}
AI_PENDING = "news:articles:pending"  # the AI news agent's articles wait by list membership
# approvals that belong to the other party of a deal: never moderation
DEAL_PREFIXES = ("booking:", "bookings_by_user:", "service_order:", "service_orders_by_", "collab_offers",
                 "radio_artist_requests:", "radio_venue_requests:", "dj:booking", "dj:collaborations:")


def records(fixture: Path) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in fixture.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows + EXTRA


def expected_pending(rows: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """entity → {id: value} of every row waiting for a decision, from the snapshot's rows."""
    out: dict[str, dict[str, dict[str, Any]]] = {e: {} for e in (*PENDING, "ai_news")}
    for rec in rows:
        value = decoded(rec["value"])
        if rec["key"] == AI_PENDING:
            out["ai_news"] |= {str(a["id"]): a for a in value}
        if not isinstance(value, dict):
            continue
        for entity, (prefix, statuses) in PENDING.items():
            if rec["key"].startswith(prefix) and value.get("status") in statuses:
                out[entity][str(value["id"])] = value
    return out


def snapshot(tmp_path: Path, fixture: Path) -> Path:
    path = tmp_path / "platform.ndjson"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records(fixture)), encoding="utf-8")
    return path


def scalar(store: Store, sql: str, **params: object) -> object:
    with read_engine(store).connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


@pytest.fixture(scope="module")
def deployed_templates(servers: Servers, fixture_snapshot: Path,
                       tmp_path_factory: pytest.TempPathFactory) -> SessionStores:
    """The fixture and EXTRA ingested (deployed layout) once per engine, as templates for each test's own copy."""
    folder = tmp_path_factory.mktemp("queue_templates")
    return SessionStores("queue_deployed", lambda: snapshot(folder, fixture_snapshot), servers, folder,
                         layout="deployed")


@pytest.fixture(params=ENGINES)
def deployed_store(request: pytest.FixtureRequest, deployed_templates: SessionStores, tmp_path: Path) -> Store:
    """A store of this test's own with the fixture and EXTRA as ingested, on the parametrized engine."""
    return deployed_templates.copy(request.param, tmp_path)


def test_the_queue_holds_every_entity_of_the_platforms_review(deployed_store: Store, fixture_snapshot: Path) -> None:
    want = expected_pending(records(fixture_snapshot))
    assert {e: len(v) for e, v in want.items()} == {  # what the rows hold (a check on this test's own reading)
        "banner_ads": 4, "promotion_campaigns": 1, "track_test_intake": 2, "track_test_result": 2,
        "publish_orders": 2, "content_orders": 1, "ai_news": 2}
    queue = run_query(deployed_store, "pending_items", **pending_params("deployed"))
    for entity, items in want.items():
        got = queue[queue["entity"] == entity]
        assert sorted(got["entity_id"]) == sorted(items), entity
        for _, row in got.iterrows():
            value = items[row["entity_id"]]
            title = value.get("title") or value.get("track_title") or value.get("campaign_name") or \
                value.get("text")
            owner = value.get("user_id") or value.get("userId") or value.get("venueId")
            artist = None if pd.isna(row["artist_id"]) else row["artist_id"]
            assert (row["title"], artist, row["status"]) == (title, owner, value["status"]), entity
    # the summary counts the same, per type
    summary = run_query(deployed_store, "pending_summary", **pending_params("deployed"),
                        red_before="2000-01-01T00:00:00Z", amber_before="2000-01-01T00:00:00Z")
    per_type = summary.groupby("entity")["items"].sum().to_dict()
    for entity, items in want.items():
        assert per_type.get(entity, 0) == len(items), entity
    # a content order is named by its text (the platform keeps no title); a track test shows the artist and genre
    content = queue[queue["entity"] == "content_orders"].iloc[0]
    assert (content["title"], content["description"]) == ("Джингл к пятничной вечеринке, 15 секунд", "jingles")
    intake = queue[queue["entity_id"] == "tt-cab-intake"].iloc[0]
    assert intake["description"] == "Сандра · Pop"


def test_approvals_of_the_other_party_of_a_deal_never_reach_the_queue(deployed_store: Store,
                                                                       fixture_snapshot: Path) -> None:
    deal_ids: set[str] = set()
    for rec in records(fixture_snapshot):
        if rec["key"].startswith(DEAL_PREFIXES):
            value = decoded(rec["value"])
            items = value if isinstance(value, list) else [value]
            deal_ids |= {str(i["id"]) for i in items if isinstance(i, dict) and i.get("status") == "pending"}
    assert len(deal_ids) >= 10  # bookings, service orders, collab offers, radio requests waiting for their party
    queue = run_query(deployed_store, "pending_items", **pending_params("deployed"))
    assert not queue["source_key"].str.startswith(DEAL_PREFIXES).any()
    assert not set(queue["entity_id"]) & deal_ids
    assert set(queue["entity"]) <= {"tracks", "videos", "concerts", "news", "ai_news", *PENDING}


def race(store: Store, item: service.Item) -> tuple[service.Outcome, service.Outcome]:
    """An approve and a reject of one item at once: (the one applied, the other)."""
    results: list[service.Outcome] = at_once(
        lambda: service.decide(store, [item], "reject", "mod0", reason="Плохое качество")[0],
        lambda: service.decide(store, [item], "approve", "mod1")[0])
    assert sorted(o.kind for o in results) == ["applied", "conflict"]
    winner = next(o for o in results if o.applied)
    loser = next(o for o in results if not o.applied)
    assert loser.decided_by == winner.decided_by and loser.current_status == winner.to_status
    return winner, loser


def test_two_decisions_on_one_track_test_one_applies(deployed_store: Store) -> None:
    key = "track_test:requests:tt-pmf-intake"
    winner, _loser = race(deployed_store, service.Item("track_test_intake", "tt-pmf-intake", key, "payment_succeeded"))
    assert scalar(deployed_store, "SELECT count(*) FROM moderation_log") == 1
    row = (scalar(deployed_store, "SELECT status FROM track_test_requests WHERE id = 'tt-pmf-intake'"),
           scalar(deployed_store, "SELECT payment_status FROM track_test_requests WHERE id = 'tt-pmf-intake'"))
    assert row == (("moderation_rejected", "refunded") if winner.to_status == "moderation_rejected"
                   else ("pending_expert_assignment", "completed"))


def test_reject_and_undo_of_a_track_test_refund(deployed_store: Store) -> None:
    key = "track_test:requests:tt-cab-intake"
    item = service.Item("track_test_intake", "tt-cab-intake", key, "pending_moderation")
    [out] = service.decide(deployed_store, [item], "reject", "Анна", reason="Плохое качество")
    assert out.applied and out.to_status == "moderation_rejected"
    value = decoded(scalar(deployed_store, "SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k", k=key))
    assert (value["status"], value["payment_status"], value["rejection_reason"]) == \
        ("moderation_rejected", "refunded", "Плохое качество")
    assert scalar(deployed_store, "SELECT payment_status FROM track_test_requests WHERE id = 'tt-cab-intake'") == \
        "refunded"
    assert service.undo(deployed_store, service.Item("track_test_intake", "tt-cab-intake", key), "Анна").applied
    value = decoded(scalar(deployed_store, "SELECT CAST(value AS TEXT) FROM kv_store WHERE key = :k", k=key))
    assert (value["status"], value["payment_status"], value["rejection_reason"]) == \
        ("pending_moderation", "completed", None)
    assert scalar(deployed_store, "SELECT payment_status FROM track_test_requests WHERE id = 'tt-cab-intake'") == \
        "completed"


def test_two_decisions_on_one_ai_article_one_moves_it(deployed_store: Store) -> None:
    article = "art_1769598000000_0_k2f9"
    winner, _loser = race(deployed_store, service.Item("ai_news", article, AI_PENDING, "pending"))
    assert scalar(deployed_store, "SELECT count(*) FROM moderation_log") == 1
    target = f"news:articles:{winner.to_status}"
    assert scalar(deployed_store, "SELECT source_key FROM news_articles WHERE id = :i", i=article) == target
    lists = {k: [a["id"] for a in decoded(scalar(deployed_store, "SELECT CAST(value AS TEXT) FROM kv_store "
                                                                  "WHERE key = :k", k=k)) or []]
             for k in (AI_PENDING, "news:articles:published", "news:articles:rejected")}
    assert article not in lists[AI_PENDING] and lists[target][0] == article
    assert sum(article in ids for ids in lists.values()) == 1  # in exactly one list


# ---------------------------------------------------------------- write-back to the platform (sync path)


@pytest.fixture(params=["duckdb", "same_postgresql"])
def synced(request: pytest.FixtureRequest, pg_url: str, fixture_snapshot: Path, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> tuple[Store, str]:
    """(a store synced from a platform table holding the fixture and EXTRA, the platform's URL)."""
    url = make_platform(pg_url, f"queue_platform_{os.getpid()}_{next(_n)}", snapshot(tmp_path, fixture_snapshot))
    monkeypatch.setenv(ENV, libpq(url))
    store = Store(str(tmp_path / "synced.duckdb")) if request.param == "duckdb" else Store(url)
    sync(resolve_source(f"env:{ENV}"), store, "auto", say=lambda _m: None)
    return store, url


def test_an_approve_of_each_new_type_is_written_back_as_the_platforms_endpoint_does(
        synced: tuple[Store, str]) -> None:
    store, platform = synced
    banner_key = f"banner_ad_{SANDRA}_banner_1769468400135_tnifsoqfv"
    campaign_key = "marketing_campaign:campaign_1769526000233_7szyfi3d6"
    items = [
        service.Item("banner_ads", "banner_1769468400135_tnifsoqfv", banner_key, "pending_moderation"),
        service.Item("promotion_campaigns", "campaign_1769526000233_7szyfi3d6", campaign_key, "pending_review"),
        service.Item("track_test_intake", "tt-cab-intake", "track_test:requests:tt-cab-intake", "pending_moderation"),
        service.Item("track_test_intake", "tt-pmf-intake", "track_test:requests:tt-pmf-intake", "payment_succeeded"),
        service.Item("track_test_result", "tt-cab-result", "track_test:requests:tt-cab-result",
                     "pending_admin_review"),
        service.Item("track_test_result", "tt-pmf-result", "track_test:requests:tt-pmf-result",
                     "analysis_generated"),
        service.Item("publish_orders", "pub_demo_3", "publish_order:pub_demo_3", "pending_review"),
        service.Item("publish_orders", PAID_PUBLISH, f"publish_order:{PAID_PUBLISH}", "in_review"),
        service.Item("content_orders", CONTENT_ID, f"content_order:{CONTENT_ID}", "pending"),
        service.Item("ai_news", "art_1769598000000_1_p8q1", AI_PENDING, "pending"),
    ]
    outcomes = service.decide(store, items, "approve", "Анна")
    assert all(o.applied for o in outcomes), [o.message for o in outcomes]

    def value(key: str) -> dict[str, Any]:
        return decoded(platform_value(platform, key)[1])

    banner = value(banner_key)  # none mounted: the code's model (manageBannerAd) approves to awaiting payment
    assert banner["status"] == "pending_payment" and banner["approved_at"].endswith("Z")
    assert value(campaign_key)["status"] == "approved"
    for rid in ("tt-cab-intake", "tt-pmf-intake"):  # POST /api/track-test/moderate approve
        v = value(f"track_test:requests:{rid}")
        assert (v["status"], v["payment_status"]) == ("pending_expert_assignment", "completed")
    for rid in ("tt-cab-result", "tt-pmf-result"):  # POST /api/track-test/finalize
        v = value(f"track_test:requests:{rid}")
        assert v["status"] == "completed" and v["completed_at"].endswith("Z")
        assert v["admin_approval_status"] == "approved"
    free = value("publish_order:pub_demo_3")  # free: published at once
    assert free["status"] == "published" and free["publishedAt"].endswith("Z") and free["moderatedAt"]
    kind, text = platform_value(platform, f"publish_order:{PAID_PUBLISH}")
    assert kind == "string"  # pmf's JSON.stringify kept
    paid = json.loads(text)
    assert paid["status"] == "pending_payment" and "publishedAt" not in paid
    order = value(f"content_order:{CONTENT_ID}")
    assert order["status"] == "processing" and order["updatedAt"] != "2026-01-28T12:00:00.000Z"
    assert value("content_orders:pending") == [] and value("content_orders:processing") == [CONTENT_ID]
    # POST /api/ai-agent/:id/approve: out of the pending list, first in the published list
    assert [a["id"] for a in value(AI_PENDING)] == ["art_1769598000000_0_k2f9"]
    published = value("news:articles:published")
    assert [a["id"] for a in published] == ["art_1769598000000_1_p8q1", "art_1769511600000_0_x1y2"]
    assert published[0]["status"] == "published" and published[0]["publishedAt"].endswith("Z")
    assert published[0]["coverImage"] == "https://picsum.photos/seed/1769598000001/800/400"
    assert scalar(store, "SELECT source_key FROM news_articles WHERE id = 'art_1769598000000_1_p8q1'") == \
        "news:articles:published"
    # the store agrees, and logged one row per item
    assert scalar(store, "SELECT status FROM publish_orders WHERE id = 'pub_demo_3'") == "published"
    assert scalar(store, "SELECT status FROM content_orders WHERE id = :i", i=CONTENT_ID) == "processing"
    assert scalar(store, "SELECT count(*) FROM moderation_log") == len(items)
    # the queue no longer holds them
    queue = run_query(store, "pending_items", **pending_params("deployed"))
    assert not set(queue["entity_id"]) & {i.entity_id for i in items}


def test_a_rejected_track_test_is_refunded_on_the_platform(synced: tuple[Store, str]) -> None:
    store, platform = synced
    key = "track_test:requests:tt-pmf-intake"
    [out] = service.decide(store, [service.Item("track_test_intake", "tt-pmf-intake", key, "payment_succeeded")],
                           "reject", "Анна", reason="Плохое качество")
    assert out.applied, out.message
    v = decoded(platform_value(platform, key)[1])
    assert (v["status"], v["payment_status"], v["rejection_reason"]) == \
        ("moderation_rejected", "refunded", "Плохое качество")
