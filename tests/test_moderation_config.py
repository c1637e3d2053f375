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
                                    "pitching_submissions"}
    assert doc["reasons"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["entities"]["tracks"].update(table="users; DROP TABLE kv_store"), "table must be one of"),
        (lambda d: d["entities"]["tracks"].update(title_column="title FROM x --"), "has no column"),
        (lambda d: d["entities"]["tracks"]["layouts"]["seed"].pop("approve"), "needs pending, approve and reject"),
        (lambda d: d.update(entities={}), "non-empty object"),
    ],
)
def test_bad_config_is_refused(tmp_path: Path, mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=message):
        load_config(_write(tmp_path, mutate))


def test_unreadable_config(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot read moderation config"):
        load_config(path)
