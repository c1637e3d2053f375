"""The moderation queue paged on the server (issue 13): pending_page filters, orders and pages in SQL exactly as the
reference filter over the whole queue does, on both engines; pending_summary counts what pending_items lists; on
the page, a selection made on one page stays through the next."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.moderation import config as moderation
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.apptest import open_page
from tests.engines import assert_same_result

NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
BOUNDS = {"red_before": NOW - dt.timedelta(hours=72), "amber_before": NOW - dt.timedelta(hours=24)}
NO_FILTER = {"types": "", "bands": "", "artist_filter": "", "search": ""}


# ---- the reference the SQL paging is checked against: the whole queue, aged, filtered in pandas


def age_band(hours: float) -> str:
    """Reference: the SLA band of a waiting time (over 72 h, over 24 h, or less)."""
    return "gt72" if hours > 72 else "24to72" if hours > 24 else "lt24"


def with_age(queue: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Reference (the whole queue in pandas): ``age_hours`` and ``age_band`` columns, oldest first."""
    out = queue.copy()
    out["age_hours"] = moderation.age_hours(out["created_at"], now) if not out.empty else pd.Series(dtype=float)
    out["age_band"] = out["age_hours"].map(age_band) if not out.empty else pd.Series(dtype=str)
    return out.sort_values("age_hours", ascending=False, kind="stable").reset_index(drop=True)


def filter_queue(queue: pd.DataFrame, types: list[str] | None = None, bands: list[str] | None = None,
                 artist_id: str | None = None, text: str = "") -> pd.DataFrame:
    """Rows of the queue matching every given filter (text: case-insensitive, in title, description or id)."""
    mask = pd.Series(True, index=queue.index)
    if types:
        mask &= queue["entity"].isin(types)
    if bands:
        mask &= queue["age_band"].isin(bands)
    if artist_id:
        mask &= queue["artist_id"] == artist_id
    needle = text.strip().lower()
    if needle:
        hay = (queue["title"].fillna("").astype(str) + "\n" + queue["description"].fillna("").astype(str) + "\n"
               + queue["entity_id"].fillna("").astype(str) + "\n" + queue["artist_name"].fillna("").astype(str))
        mask &= hay.str.lower().str.contains(needle, regex=False)
    return queue[mask].reset_index(drop=True)


def whole_queue(store: Store) -> pd.DataFrame:
    return with_age(run_query(store, "pending_items", **moderation.pending_params("seed")), NOW)


def page(store: Store, limit: int, offset: int, **filters: str) -> pd.DataFrame:
    return run_query(store, "pending_page", **moderation.pending_params("seed"), **BOUNDS,
                     **{**NO_FILTER, **filters}, limit=limit, offset=offset)


def queue_table(at: AppTest) -> pd.DataFrame:
    return next(d for d in at.dataframe if str(d.key or "").startswith("mod_queue_table")).value


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_pages_partition_the_filtered_queue_oldest_first(engine: str, demo_stores: dict[str, Store]) -> None:
    store = demo_stores[engine]
    queue = whole_queue(store)
    assert len(queue) > 40
    artist = str(queue["artist_id"].dropna().value_counts().index[0])
    cases = [({}, queue),
             ({"types": ",tracks,videos,"}, filter_queue(queue, types=["tracks", "videos"])),
             ({"bands": ",gt72,"}, filter_queue(queue, bands=["gt72"])),
             ({"artist_filter": artist}, filter_queue(queue, artist_id=artist)),
             ({"search": "А"}, filter_queue(queue, text="а"))]
    for filters, expected in cases:
        pages = [page(store, 15, offset, **filters) for offset in range(0, len(expected) + 15, 15)]
        got = pd.concat([p for p in pages if not p.empty], ignore_index=True)
        assert list(moderation.item_refs(got)) == list(moderation.item_refs(expected)), filters
        assert all(len(p) <= 15 for p in pages)
        if not got.empty:
            assert set(got["matching"]) == {len(expected)}, filters
            assert list(got["age_band"]) == list(expected["age_band"]), filters


def test_both_engines_page_alike(demo_stores: dict[str, Store]) -> None:
    duck, pg = demo_stores["duckdb"], demo_stores["postgresql"]
    for filters in ({}, {"search": "а"}, {"bands": ",lt24,24to72,"}):
        assert_same_result(page(duck, 20, 20, **filters), page(pg, 20, 20, **filters), label=filters)
    summary = {e: run_query(s, "pending_summary", **moderation.pending_params("seed"), **BOUNDS)
               for e, s in (("duckdb", duck), ("postgresql", pg))}
    assert_same_result(summary["duckdb"], summary["postgresql"])
    assert int(summary["duckdb"]["items"].sum()) == len(whole_queue(duck))


def test_a_selection_stays_across_pages(demo_duckdb: Store) -> None:
    store = demo_duckdb
    total = len(whole_queue(store))
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    assert not at.exception, at.exception
    table = queue_table(at)
    assert len(table) == min(total, 150)
    at.selectbox(key="mod_page_size").set_value(100).run()
    table = queue_table(at)
    assert len(table) == min(total, 100)
    assert any(m.label == "Pending" and m.value.replace("\u00a0", "").replace(" ", "") == str(total)
               for m in at.metric)
    first = at.multiselect(key="mod_pick").options[0]
    at.multiselect(key="mod_pick").set_value([first]).run()
    assert total > 100, "the demo queue spans two pages"
    at.button(key="mod_page_next").click().run()
    assert not at.exception, at.exception
    second = queue_table(at)
    assert len(second) == min(total - 100, 100)
    assert first not in list(second.iloc[:, 2]), "page 2 holds other items"
    assert at.multiselect(key="mod_pick").value, "the item picked on page 1 is still selected on page 2"
    assert at.button(key="mod_approve"), "and can be decided from page 2"
    at.text_input(key="mod_f_text").set_value("no such text at all 🙈").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="mod_pick").value, "filtered out, still selected"
