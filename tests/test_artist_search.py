"""The artist pickers' server-side search (queries/platform/artists_matching.sql): a LIMIT, by name or id prefix,
case-insensitive (Cyrillic too), equal names told apart, the same rows on both engines."""

from __future__ import annotations

import pytest

from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.engines import assert_same_result
from tests.sql import rows


def owner_names(store: Store) -> dict[str, str]:
    return dict(rows(store, """
        SELECT o.user_id, COALESCE(MAX(p.name), o.user_id) FROM (SELECT user_id FROM tracks UNION SELECT user_id
        FROM videos UNION SELECT user_id FROM concerts) AS o LEFT JOIN profiles AS p ON p.id = o.user_id
        WHERE o.user_id IS NOT NULL GROUP BY o.user_id"""))


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_search_by_name_or_id_with_a_limit(engine: str, demo_stores: dict[str, Store]) -> None:
    store = demo_stores[engine]
    names = owner_names(store)
    assert len(names) > 10
    first = run_query(store, "artists_matching", search="", limit=10)
    assert len(first) == 10, "an empty search lists the first artists by name, at most the limit"
    assert list(first["name"]) == sorted(names.values())[:10] or list(first["name"]) == sorted(
        first["name"].tolist())
    artist_id, name = sorted(names.items())[0]
    by_id = run_query(store, "artists_matching", search=artist_id[:8].upper(), limit=5)
    assert artist_id in set(by_id["artist_id"]), "an id prefix finds the artist (case-insensitive)"
    word = next(w for w in name.split() if len(w) >= 4) if any(len(w) >= 4 for w in name.split()) else name
    by_name = run_query(store, "artists_matching", search=word.upper(), limit=50)
    expected = {a for a, n in names.items() if word.lower() in n.lower()}
    assert artist_id in set(by_name["artist_id"])
    assert set(by_name["artist_id"]) <= expected | {a for a in names if a.lower().startswith(word.lower())}
    assert len(run_query(store, "artists_matching", search="no such artist 🙈", limit=5)) == 0
    assert run_query(store, "artists_matching", search=artist_id, limit=5)["name"].iloc[0] == name, \
        "the whole name, never shortened"


def test_both_engines_match_the_same_artists(demo_stores: dict[str, Store]) -> None:
    duck, pg = demo_stores["duckdb"], demo_stores["postgresql"]
    name = sorted(owner_names(duck).values())[len(owner_names(duck)) // 2]
    for search in ("", name[:3], name[:3].upper(), "а", "Ё", "-4"):
        a = run_query(duck, "artists_matching", search=search, limit=30)
        b = run_query(pg, "artists_matching", search=search, limit=30)
        assert_same_result(a, b, ordered=True, label=search)
