"""Issue 27 items 7 and 8 on the pages, on both engines: markup in titles, artist and moderator names, banner URLs
and analytics values shows as its own characters (never bold, a link or an image from another host), and a
malformed banner URL never crashes the queue.

The escaping itself is ``ui.plain_text.markdown_text``; tests/test_markup_sinks.py proves every call site uses it.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.moderation import service as repo
from dashboard.moderation.config import item_ref
from dashboard.store.connect import Store
from tests.apptest import open_page
from tests.conftest import StoreFactory
from tests.test_repository import ARTIST, SEED_RECORDS, write_snapshot
from ui.plain_text import WORD_JOINER, markdown_text

TITLE = "**жирный** [ссылка](http://ev.il/x) ![i](http://127.0.0.2/t.png) www.ev.il"
ARTIST_NAME = "![a](http://127.0.0.2/a.png) _Артист_ <b>x</b>"
MODERATOR = "![m](http://127.0.0.2/m.png) **Модератор** a@ev.il"
BAD_IMAGE = "https://![l](http:\\\\127.0.0.2\\l.png)x/y.png"
BOLD_HOST = "https://**жирно**.example/b.jpg"
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# GitHub's autolink literals, as remark-gfm finds them in the text once escapes are resolved
AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)[-.\w]+|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


def shown(markdown: str) -> str:
    """The characters Markdown shows for ``markdown`` (escapes resolved; the word joiner is invisible)."""
    return _ESCAPE.sub(r"\1", markdown).replace(WORD_JOINER, "")


def no_autolink(markdown: str) -> bool:
    return not AUTOLINK.search(_ESCAPE.sub(r"\1", markdown))


def _records(**changes: dict[str, Any]) -> list[dict[str, Any]]:
    records = copy.deepcopy(SEED_RECORDS)
    for rec in records:
        rec["value"] = {**rec["value"], **changes.get(rec["key"], {})} if isinstance(rec["value"], dict) \
            else rec["value"]
    return records


def _store(new_store: StoreFactory, tmp_path: Path, records: list[dict[str, Any]]) -> Store:
    store = new_store()
    ingest([write_snapshot(tmp_path / "seed.ndjson", records)], store, "seed", say=lambda _m: None)
    return store


T1 = item_ref({"entity": "tracks", "entity_id": "t1", "source_key": f"tracks:{ARTIST}:t1"})
V1 = item_ref({"entity": "videos", "entity_id": "v1", "source_key": f"videos:{ARTIST}:v1"})
B1 = item_ref({"entity": "banner_ads", "entity_id": "b1", "source_key": f"banners:{ARTIST}:b1"})


def test_the_toast_after_a_decision_shows_title_and_artist_as_text(new_store: StoreFactory, tmp_path: Path) -> None:
    store = _store(new_store, tmp_path, _records(**{f"tracks:{ARTIST}:t1": {"title": TITLE},
                                                    f"users:{ARTIST}:profile": {"name": ARTIST_NAME}}))
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = at.multiselect(key="mod_pick").set_value([T1]).run()
    at.button(key="mod_approve").click().run()
    assert not at.exception, at.exception
    toasts = [str(x.value) for x in at.toast]
    item = t("mod.item", "en", title=markdown_text(TITLE), entity="Track", artist=markdown_text(ARTIST_NAME))
    assert toasts == [t("mod.done.approve", "en", what=item)]
    assert shown(toasts[0]) == t("mod.done.approve", "en", what=t("mod.item", "en", title=TITLE, entity="Track",
                                                                   artist=ARTIST_NAME))
    assert no_autolink(toasts[0])
    undo = at.button(key="mod_undo")  # the undo button's label names the item too
    assert shown(undo.label) == t("mod.undo_last", "en", what=t("mod.item", "en", title=TITLE, entity="Track",
                                                                 artist=ARTIST_NAME))
    assert markdown_text(TITLE) in undo.label


def test_left_your_selection_names_the_moderator_as_text(new_store: StoreFactory, tmp_path: Path) -> None:
    store = _store(new_store, tmp_path, SEED_RECORDS)
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = at.multiselect(key="mod_pick").set_value([T1, V1]).run()
    repo.decide(store, [repo.Item("tracks", "t1", f"tracks:{ARTIST}:t1", "pending")], "approve", MODERATOR)
    at.run()
    assert not at.exception, at.exception
    notes = [str(w.value) for w in at.warning if "left your selection" in str(w.value)]
    assert len(notes) == 1, [str(w.value) for w in at.warning]
    assert markdown_text(MODERATOR) in notes[0] and MODERATOR not in notes[0]
    assert f"decided by {MODERATOR} at" in shown(notes[0]) and no_autolink(notes[0])


@pytest.mark.parametrize("image", [BAD_IMAGE, BOLD_HOST], ids=["urlparse ValueError", "markup in the host"])
def test_a_malformed_banner_url_is_text_not_a_crash(new_store: StoreFactory, tmp_path: Path, image: str) -> None:
    store = _store(new_store, tmp_path, _records(**{f"banners:{ARTIST}:b1": {"image_url": image}}))
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = at.multiselect(key="mod_pick").set_value([B1]).run()
    assert not at.exception, at.exception
    texts = [str(x.value) for x in at.text]
    assert image in texts and t("mod.preview.not_media", "en") in texts
    assert not at.toggle and not at.get("imgs")  # nothing to load: no "show the cover" switch, no image


def test_the_media_switch_names_plain_hosts(new_store: StoreFactory, tmp_path: Path) -> None:
    store = _store(new_store, tmp_path, _records(**{f"banners:{ARTIST}:b1": {"image_url": "https://cdn.ev-il.ru:8443/b.jpg"}}))
    at = open_page(store, "ui/views/moderation_queue.py", role="moderator", lang="en")
    at = at.multiselect(key="mod_pick").set_value([B1]).run()
    assert not at.exception, at.exception
    [switch] = at.toggle
    assert switch.label == t("mod.preview.load_media", "en", hosts=markdown_text("cdn.ev-il.ru:8443"))


def test_a_url_in_the_top_country_is_not_a_link(new_store: StoreFactory, tmp_path: Path) -> None:
    day = "2026-10-30"
    value = "http://ev.il/x"
    records = [
        {"key": "users:art-9:profile", "value": {"id": "art-9", "name": "Артист"}},
        {"key": "tracks:art-9:trk-9", "value": {"id": "trk-9", "user_id": "art-9", "title": "Песня",
                                                "status": "approved"}},
        {"key": f"analytics:tracks:trk-9:{day}", "value": {"id": "a1", "track_id": "trk-9", "date": day, "plays": 10,
                                                           "geographic_stats": {value: 7, "ru": 3}}},
    ]
    store = _store(new_store, tmp_path, records)
    at = open_page(store, "ui/views/artist_audience.py", role="artist", artist_id="art-9")
    assert not at.exception, at.exception
    [top] = [m for m in at.metric if m.label == t("artist.audience.top_country")]
    assert shown(top.value) == value.upper() and no_autolink(top.value)


@pytest.mark.parametrize("value", ["https://ev.il/x", "HTTP://EV.IL", "www.ev.il", "WWW.EV.IL/a", "a@ev.il",
                                   "see http://a.b and www.c.d, mail x.y+z@e-f.gh"])
def test_markdown_text_leaves_no_autolink(value: str) -> None:
    assert AUTOLINK.search(value)
    assert no_autolink(markdown_text(value)) and shown(markdown_text(value)) == value
