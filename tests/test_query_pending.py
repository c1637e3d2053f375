"""Pending is defined once (queries/shared/pending_base.sql, read through its rollup: queries/shared/pending.sql), by
the store layout's configured statuses: the artist's overview counts exactly their items in the moderation queue;
a custom layout file names its own moderation rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from dashboard.cli import main as cli
from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.ingest.layout import LAYOUT_DIR, LayoutError
from dashboard.moderation import config as moderation
from dashboard.store.connect import Store
from dashboard.store.queries import load_query, run_query
from tests.apptest import open_page
from tests.conftest import AS_OF, StoreFactory
from tests.sql import rows, scalar

# every moderated table with the column of the owner its items are listed under (the catalogue's owner_column)
MODERATED = {raw["table"]: raw.get("owner_column", "user_id") for raw in moderation.load_config()["entities"].values()
             if raw.get("owner_column", "user_id")}  # AI news articles have no owner


def test_the_three_queries_include_the_one_definition() -> None:
    for name in ("pending_items", "artist_pending_items", "artist_current_state"):
        query = load_query(name)
        assert len(re.findall(r"\bpending AS (?:NOT MATERIALIZED )?\(", query.sql)) == 1, name
        assert "status = 'pending'" not in query.sql, name
        assert "pending_statuses" in query.params, name


def test_overview_pending_count_equals_the_queue_on_the_deployed_fixture(new_store: StoreFactory,
                                                                         fixture_snapshot: Path) -> None:
    store = new_store()
    ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    params = moderation.pending_params("deployed")
    queue = run_query(store, "pending_items", **params)
    assert set(queue["status"]) - {"pending"}, "the fixture should hold items pending under another status name"
    in_queue = Counter(queue["artist_id"])
    artists = {r[0] for table, owner in MODERATED.items() for r in rows(store, f"SELECT DISTINCT {owner} FROM {table}")}
    assert set(in_queue) <= artists and len(artists) > 1
    for artist in sorted(a for a in artists if a is not None):
        state = run_query(store, "artist_current_state", artist_id=artist, today=AS_OF, **params).iloc[0]
        listed = run_query(store, "artist_pending_items", artist_id=artist, **params)
        assert int(state["pending_items"]) == len(listed) == in_queue.get(artist, 0), artist
    assert sum(in_queue.values()) == len(queue)


def test_the_overview_page_shows_the_queue_count(tmp_path: Path, fixture_snapshot: Path) -> None:
    store = Store(str(tmp_path / "deployed.duckdb"))
    ingest([fixture_snapshot], store, "deployed", say=lambda _m: None)
    queue = run_query(store, "pending_items", **moderation.pending_params("deployed"))
    artist, count = Counter(queue.loc[queue["status"] != "pending", "artist_id"]).most_common(1)[0]
    expected = int((queue["artist_id"] == artist).sum())
    at = open_page(store, "ui/views/artist_overview.py", "artist", artist, lang="en")
    assert not at.exception, at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown[t("artist.kpi.pending_items", "en")] == str(expected) and count >= 1


# ------------------------------------------------------------------------------------------ custom layouts
SONGS = [("song/u1/s1", {"name": "Песня", "state": "waiting"}), ("song/u1/s2", {"name": "Другая", "state": "pending"})]


def custom_layout(tmp_path: Path, moderation_section: object | None, name: str = "mine.json") -> Path:
    doc: dict[str, object] = {"entries": [{"pattern": "song/{user_id}/{id}", "table": "tracks",
                                           "fields": {"title": ["name"], "status": ["state"]}}]}
    if moderation_section is not None:
        doc["moderation"] = moderation_section
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "songs.ndjson"
    path.write_text("\n".join(json.dumps({"key": k, "value": v}, ensure_ascii=False) for k, v in SONGS) + "\n",
                    encoding="utf-8")
    return path


def test_a_custom_layout_takes_its_moderation_rules_from_the_file(new_store: StoreFactory, tmp_path: Path) -> None:
    layout = custom_layout(tmp_path, {"rules": "seed", "entities": {
        "tracks": {"pending": ["waiting"], "approve": "published", "reject": "declined"}}})
    store = new_store()
    result = ingest([snapshot(tmp_path)], store, str(layout), say=lambda _m: None)
    assert "  moderation rules: from the layout file mine.json (seed, its own statuses for tracks)" in \
        result.summary_lines()
    stored = moderation.layout_name(rows(store, "SELECT layout FROM ingest_runs")[0][0])
    assert moderation.rules("tracks", stored).pending == ("waiting",)
    assert moderation.rules("videos", stored).pending == moderation.rules("videos", "seed").pending
    queue = run_query(store, "pending_items", **moderation.pending_params(stored))
    assert list(queue["entity_id"]) == ["s1"]  # 'waiting' is pending here; 'pending' is not
    assert cli(["moderate", "--db", store.name, "--entity", "tracks", "--id", "s1", "--action", "approve",
                "--actor", "Анна"]) == 0
    assert scalar(store, "SELECT status FROM tracks WHERE id = 's1'") == "published"


def test_without_a_section_the_summary_says_which_rules_apply(tmp_path: Path) -> None:
    store = Store(str(tmp_path / "s.duckdb"))
    plain = ingest([snapshot(tmp_path)], store, str(custom_layout(tmp_path, None)), say=lambda _m: None)
    assert "  moderation rules: seed (the layout file mine.json has no 'moderation' section)" in plain.summary_lines()
    named = ingest([snapshot(tmp_path)], store, str(custom_layout(tmp_path, None, "deployed.json")),
                   say=lambda _m: None)
    assert any(line.startswith("  moderation rules: deployed (") for line in named.summary_lines())
    built_in = ingest([snapshot(tmp_path)], store, "seed", say=lambda _m: None)
    assert "  moderation rules: seed" in built_in.summary_lines()
    assert json.loads((LAYOUT_DIR / "seed.json").read_text(encoding="utf-8")).get("moderation") is None


@pytest.mark.parametrize(("section", "message"), [
    ({"rules": "mine"}, "moderation 'rules' must be one of seed, deployed"),
    ({"entities": {"songs": {"pending": ["x"]}}}, "moderation of unknown entity 'songs'"),
    ({"entities": {"tracks": {"pending": []}}}, "'pending' needs a list of at least one status"),
    ({"entities": {"tracks": {"approve": "ok'; DROP TABLE tracks; --"}}}, "bad status"),
    ({"entities": {"tracks": {"pending": ["a"], "notify": "x"}}}, "takes 'pending', 'approve' and 'reject'"),
    (["seed"], "'moderation' must be an object"),
])
def test_a_bad_moderation_section_is_one_line(tmp_path: Path, section: object, message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    layout = custom_layout(tmp_path, section)
    with pytest.raises(LayoutError, match="moderation"):
        ingest([snapshot(tmp_path)], Store(str(tmp_path / "s.duckdb")), str(layout), say=lambda _m: None)
    code = cli(["ingest", str(snapshot(tmp_path)), "--db", str(tmp_path / "s.duckdb"), "--layout", str(layout)])
    out = capsys.readouterr()
    lines = [line for line in (out.out + out.err).splitlines() if line.strip()]
    assert code == 1 and len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], lines
