"""Issue 27 item 10 on the pages, on both engines: one odd analytics count never breaks a page, and no page ever
shows SQL to a person.

A count inside a JSON map that is not an integer is coerced or dropped at ingest (tests/test_build_plan.py), so the
Audience page reads it like any other. A page that fails all the same (here: a store written before that coercion,
still holding ``{"RU": "many"}``) shows one line in the app's words; the error, with its SQL, goes to the server log
only. An error outside the pages' run (a callback, a fragment) shows its type only: .streamlit/config.toml."""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store, engine
from tests.apptest import open_page
from tests.conftest import REPO, StoreFactory
from tests.test_repository import write_snapshot

AUDIENCE = "ui/views/artist_audience.py"
DAY = "2026-10-30"


def _store(new_store: StoreFactory, tmp_path: Path, countries: dict[str, Any]) -> Store:
    records = [
        {"key": "users:art-9:profile", "value": {"id": "art-9", "name": "Артист"}},
        {"key": "tracks:art-9:trk-9", "value": {"id": "trk-9", "user_id": "art-9", "title": "Песня",
                                                "status": "approved"}},
        {"key": f"analytics:tracks:trk-9:{DAY}", "value": {"id": "a1", "track_id": "trk-9", "date": DAY, "plays": 10,
                                                           "geographic_stats": countries,
                                                           "platform_stats": {"spotify": "many", "vk": "4"}}},
    ]
    store = new_store()
    ingest([write_snapshot(tmp_path / "odd.ndjson", records)], store, "seed", say=lambda _m: None)
    return store


def _page_text(at: Any) -> str:
    """Every element the page shows, as its protobuf text (labels, values, messages, stack traces)."""
    def walk(node: Any) -> Any:
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)

    return "\n".join(str(node.proto) for node in walk(at._tree) if getattr(node, "proto", None) is not None)


def test_odd_counts_are_read_on_the_audience_page(new_store: StoreFactory, tmp_path: Path) -> None:
    store = _store(new_store, tmp_path, {"RU": "10", "KZ": "many", "BY": 2.5, "AM": 3})
    at = open_page(store, AUDIENCE, role="artist", artist_id="art-9", lang="en")
    assert not at.exception, [e.message for e in at.exception]
    [top] = [m for m in at.metric if m.label == t("artist.audience.top_country", "en")]
    assert top.value == "Russia"  # "10" counted as 10 (over AM 3); "many" and 2.5 dropped at ingest


def test_a_failing_page_shows_one_line_and_no_sql(new_store: StoreFactory, tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    store = _store(new_store, tmp_path, {"RU": 7})
    json_type = "JSONB" if store.is_postgres else "JSON"
    with engine(store).begin() as conn:  # what a store written before the coercion holds
        conn.execute(sa.text(f"UPDATE track_analytics SET geographic_stats = CAST(:m AS {json_type})"),
                     {"m": '{"RU": "many"}'})
    for lang in ("ru", "en"):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="promo.pages"):
            at = open_page(store, AUDIENCE, role="artist", artist_id="art-9", lang=lang)
        [box] = at.exception  # still an exception box: the suite's checks for a failed page see it
        assert box.message == t("error.page", lang) and "\n" not in box.message
        assert box.proto.type == t("error.page.title", lang) and not box.stack_trace
        shown = _page_text(at)
        for leak in ("SELECT", "track_analytics", "json_each", "Traceback", "[SQL"):
            assert leak not in shown, leak
        [logged] = [r for r in caplog.records if r.name == "promo.pages"]
        assert logged.exc_info is not None and "SELECT" in caplog.text  # the details are in the server log


def test_errors_no_page_caught_show_their_type_only() -> None:
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] in ("type", "none")
