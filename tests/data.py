"""Records shared by several test modules: the small seed-layout snapshot (one pending item of every moderated
type, a promoted pending concert, lists, counters) and how to write records as an NDJSON snapshot. Fixtures that
ingest it once per session and hand each test a copy are in conftest.py (``seed_store``, ``seed_duckdb``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ARTIST = "u-artist"
T0 = "2026-10-30T10:00:00+03:00"

# A small snapshot in the seed layout: one pending item of every type, a promoted pending concert, lists, counters.
SEED_RECORDS: list[dict[str, Any]] = [
    {"key": f"users:{ARTIST}:profile", "value": {"id": ARTIST, "name": "Артист Один 🎤"}},
    {"key": f"tracks:{ARTIST}:t1", "value": {"id": "t1", "user_id": ARTIST, "title": "Первый трек",
                                             "status": "pending", "created_at": T0, "updated_at": T0,
                                             "audio_url": "https://cdn.example/t1.mp3"}},
    {"key": f"tracks:{ARTIST}:t2", "value": {"id": "t2", "user_id": ARTIST, "title": "<img src=x onerror=alert(1)>",
                                             "status": "pending", "created_at": "2026-10-01T10:00:00+03:00",
                                             "cover_url": "javascript:alert(1)"}},
    {"key": f"tracks:{ARTIST}:list", "value": ["t1", "t2"]},
    {"key": f"videos:{ARTIST}:v1", "value": {"id": "v1", "user_id": ARTIST, "title": "Клип", "status": "pending",
                                             "video_url": "https://www.youtube.com/watch?v=x", "created_at": T0}},
    {"key": f"concerts:{ARTIST}:c1", "value": {"id": "c1", "user_id": ARTIST, "title": "Концерт", "status": "pending",
                                               "is_promoted": True, "date": "2026-12-01", "created_at": T0,
                                               "updated_at": T0}},
    {"key": f"concerts:{ARTIST}:c2", "value": {"id": "c2", "user_id": ARTIST, "title": "Старый", "status": "approved",
                                               "is_promoted": True, "date": "2026-12-02", "created_at": T0}},
    {"key": "concerts:public:promoted", "value": ["c2"]},
    {"key": f"news:{ARTIST}:n1", "value": {"id": "n1", "user_id": ARTIST, "title": "Новость", "content": "Текст",
                                           "status": "pending", "is_promoted": True, "created_at": T0}},
    {"key": "news:public:promoted", "value": []},
    {"key": f"banners:{ARTIST}:b1", "value": {"id": "b1", "user_id": ARTIST, "title": "Баннер", "status": "pending",
                                              "image_url": "https://cdn.example/b.jpg",
                                              "target_url": "javascript:alert(document.cookie)", "created_at": T0}},
    {"key": "banners:active:list", "value": ["b0"]},
    {"key": f"promotion:{ARTIST}:p1", "value": {"id": "p1", "user_id": ARTIST, "name": "Кампания", "status": "pending",
                                                "created_at": T0}},
    {"key": f"pitching:{ARTIST}:s1", "value": {"id": "s1", "user_id": ARTIST, "target_name": "Плейлист",
                                               "status": "pending", "response": None, "responded_at": None,
                                               "created_at": T0}},
    {"key": f"notifications:{ARTIST}:list", "value": [{"id": "old", "user_id": ARTIST, "type": "system",
                                                       "title": "Привет", "is_read": False, "created_at": T0}]},
    {"key": f"notifications:{ARTIST}:unread", "value": 1},
]


def write_snapshot(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def decoded(value: Any) -> Any:
    """A KV value as the platform meant it: a JSON string holding an object or array (JSON.stringify into jsonb) is
    that object or array; anything else is as stored (a string scalar such as a coin balance "430" stays text)."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            inner = json.loads(value)
        except ValueError:
            return value
        return inner if isinstance(inner, dict | list) else value
    return value


def fixture_values(path: Path) -> dict[str, Any]:
    """The snapshot's values by key (NDJSON), decoded."""
    with path.open(encoding="utf-8") as fh:
        return {row["key"]: decoded(row["value"]) for row in map(json.loads, fh) if row}
