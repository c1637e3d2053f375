"""The moderation configuration is data; a bad file is refused with a one-line reason before any SQL runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dashboard.moderation.config import CONFIG_FILE, ConfigError, load_config


def _write(tmp_path: Path, mutate) -> Path:  # type: ignore[no-untyped-def]
    doc = json.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    mutate(doc)
    path = tmp_path / "moderation.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_shipped_config_loads() -> None:
    doc = load_config()
    assert set(doc["entities"]) == {"tracks", "videos", "concerts", "news", "banner_ads", "promotion_campaigns",
                                    "pitching_submissions", "track_test_intake", "track_test_result",
                                    "publish_orders", "content_orders", "ai_news"}
    assert doc["reasons"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["entities"]["tracks"].update(table="users; DROP TABLE kv_store"), "an entity table"),
        (lambda d: d["entities"]["tracks"].update(title_column="title FROM x --"), "has no column"),
        (lambda d: d["entities"]["tracks"]["layouts"]["seed"].pop("approve"), "needs pending, approve and reject"),
        (lambda d: d.update(entities={}), "non-empty object"),
        (lambda d: d["entities"]["publish_orders"]["layouts"].update(seed="seed"), "must name another layout"),
        (lambda d: d["entities"]["publish_orders"]["layouts"].update(seed="staging"), "must name another layout"),
        (lambda d: d["entities"]["publish_orders"]["layouts"].pop("seed"), "needs pending, approve and reject"),
        (lambda d: d["entities"]["content_orders"].update(owner_column="x; --"), "has no column"),
        (lambda d: d["entities"]["publish_orders"]["layouts"]["deployed"]["approve_if"][0].update(column="nope"),
         "approve_if needs a column"),
        (lambda d: d["entities"]["publish_orders"]["layouts"]["deployed"].update(notification="sms"),
         "notification must be one of"),
        (lambda d: d["entities"]["ai_news"]["layouts"]["deployed"].update(moves="news:articles"), "'moves' is a key"),
    ],
)
def test_bad_config_is_refused(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, mutate))


def test_an_entity_only_the_deployed_code_writes_takes_its_rules_in_the_seed_layout() -> None:
    from dashboard.moderation.config import rules

    for entity in ("track_test_intake", "track_test_result", "publish_orders", "content_orders", "ai_news"):
        assert rules(entity, "seed") == rules(entity, "deployed")
    assert rules("tracks", "seed").notification == "list" and rules("tracks", "deployed").notification == "key"


def test_unreadable_config(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read moderation config"):
        load_config(path)


def test_each_moderated_entity_is_config_one_sql_branch_and_strings() -> None:
    """A moderated entity is declared in three places only: the catalogue (moderated_entities.json), its branch of
    queries/shared/pending_base.sql, and its strings. Everything else (tables with moderation columns, the queue's one
    bound parameter, the CLI's --entity choices) follows from the configuration."""
    import re

    from dashboard.i18n.translations import TEXTS
    from dashboard.moderation.config import entities, load_config, pending_params
    from dashboard.store import schema
    from dashboard.store.queries import QUERY_DIR

    pending_sql = (QUERY_DIR / "shared" / "pending_base.sql").read_text(encoding="utf-8")
    branches = dict(re.findall(r"SELECT '(\w+)'(?: AS entity)?, '(\w+)'", pending_sql))
    config = load_config()["entities"]
    assert set(branches) == set(entities())
    for entity in entities():
        assert config[entity]["table"] in schema.MODERATED_TABLES
        assert f"POSITION(',{entity}:' || status" in pending_sql
        assert f"mod.entity.{entity}" in TEXTS and f"artist.kind.{branches[entity]}" in TEXTS
        for layout in ("seed", "deployed"):
            rules = config[entity]["layouts"][layout]
            for status in (*rules["pending"], rules["approve"], rules["reject"]):
                assert f"status.{status}" in TEXTS, (entity, layout, status)
                assert f",{entity}:{status}," in pending_params(layout)["pending_statuses"] or status not in rules[
                    "pending"]
