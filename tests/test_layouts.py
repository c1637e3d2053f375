"""Layout files are data: a bad one is refused with a one-line reason before any SQL is built from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dashboard.ingest.build import ingest
from dashboard.ingest.layout import LayoutError, compile_pattern, load_layout, parse_layout
from tests.conftest import StoreFactory
from tests.sql import rows


def entry(**kw: Any) -> dict[str, Any]:
    return {"entries": [{"pattern": "tracks:{user_id}:{id}", "table": "tracks", **kw}]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"nope": []}, "expected an object with an 'entries' list"),
        (entry(table="kv_store; DROP TABLE tracks"), "must be one of the 24 reference tables"),
        (entry(shape="blob"), "unknown shape"),
        (entry(fields={"title": ["x'); DROP TABLE tracks; --"]}), "bad field name"),
        (entry(fields={"no_such_column": ["x"]}), "has no column"),
        (entry(constants={"no_such_column": 1}), "has no column"),
        ({"entries": [{"pattern": "a:{id:(x)}", "table": "tracks"}]}, "must not contain capture groups"),
        ({"entries": [{"pattern": "a:{id}:{id}", "table": "tracks"}]}, "used twice"),
        ({"entries": [{"pattern": "a:{id", "table": "tracks"}]}, "not of the form"),
        ({"entries": [{"pattern": "a:{id:[}", "table": "tracks"}]}, "bad regular expression"),
        ({"entries": [{"pattern": "x:{id}", "table": "tracks", "shape": "scalar"}]}, "needs 'column'"),
        ({"entries": [{"pattern": "x:{id}", "shape": "index", "table": "tracks"}]}, "takes no table"),
        ({"entries": [entry()["entries"][0], entry()["entries"][0]]}, "appears twice"),
        ({"entries": [{"table": "tracks"}]}, "non-empty string 'pattern'"),
    ],
)
def test_bad_layouts_are_refused(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(LayoutError, match=message):
        parse_layout(doc, "custom")


def test_specific_patterns_win_and_placeholders_take_regexes() -> None:
    layout = load_layout("seed")
    order = [e.pattern for e in layout.entries]
    assert order.index("tracks:{user_id}:list") < order.index("tracks:{user_id}:{id}")
    regex, prefix, names, _ = compile_pattern("banner_ad_{user_id:[^_:]+}_{id}")
    assert (prefix, names) == ("banner_ad_", ("user_id", "id"))
    import re

    m = re.fullmatch(regex, "banner_ad_u-1_banner_1769_x")
    assert m is not None and m.groups() == ("u-1", "banner_1769_x")


def test_a_custom_layout_file(new_store: StoreFactory, tmp_path: Path) -> None:
    """A user's own layout: their key pattern, aliases and a constant, onto a reference table."""
    layout = tmp_path / "mine.json"
    layout.write_text(json.dumps({"entries": [
        {"pattern": "song/{user_id}/{id}", "table": "tracks", "fields": {"title": ["name"]},
         "constants": {"status": "approved"}},
    ]}), encoding="utf-8")
    snapshot = tmp_path / "s.ndjson"
    snapshot.write_text("\n".join(json.dumps({"key": k, "value": v}, ensure_ascii=False) for k, v in [
        ("song/u1/s1", {"name": "Песня", "durationSec": 1}), ("other:thing", 1)]) + "\n", encoding="utf-8")
    store = new_store()
    result = ingest([snapshot], store, str(layout), say=lambda _m: None)
    assert rows(store, "SELECT id, user_id, title, status, source_key FROM tracks") == [
        ("s1", "u1", "Песня", "approved", "song/u1/s1")]
    assert result.unmapped_by_pattern == {"other:*": 1}
