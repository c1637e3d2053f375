"""User data is plain text on the page (issue 11): Markdown, HTML and Plotly markup payloads show as their own
characters in alerts, metrics and chart labels, through one helper (ui/plain_text.py)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.store.connect import Store
from tests.apptest import open_page
from tests.conftest import StoreFactory
from tests.test_revenue import hand_records
from tests.test_revenue_pages import open_view
from ui.plain_text import chart_text, markdown_text

PAYLOADS = {  # each fits subscriptions.tier, a VARCHAR(20)
    "markdown image": "![](//host/x.gif)",
    "markdown link and bold": "[**к**](//e.ru) _x_",
    "html": "<b>жирный</b>",
    "plotly markup": "<br><i>x</i>&amp;",
    "streamlit color and latex": ":red[к] $x^2$ `c`",
}
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered_markdown_text(shown: str) -> str:
    """What CommonMark shows for ``shown`` when every punctuation character in it is backslash-escaped: the
    characters themselves. Fails if any markup character is left unescaped (it could then start markup)."""
    assert not re.search(r"(?<!\\)(?:\\\\)*[!\[\]<>*_`:$&]", _ESCAPED.sub("", shown)), shown
    return _ESCAPED.sub(r"\1", shown)


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_helpers_keep_the_characters(payload: str) -> None:
    assert rendered_markdown_text(markdown_text(payload)) == payload
    shown = chart_text(payload)
    assert "<" not in shown and ">" not in shown
    assert shown.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&") == payload


def _store(new_store: StoreFactory, tmp_path: Path, records: list[tuple[str, object]]) -> Store:
    path = tmp_path / "payloads.ndjson"
    path.write_text("".join(json.dumps({"key": k, "value": v}, ensure_ascii=False) + "\n" for k, v in records),
                    encoding="utf-8")
    store = new_store()
    ingest([path], store, "seed", say=lambda _m: None)
    return store


@pytest.fixture
def duck_only(tmp_path: Path) -> StoreFactory:
    return lambda: Store(str(tmp_path / "plain.duckdb"))


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_revenue_tier_names_are_plain_text(duck_only: StoreFactory, tmp_path: Path, payload: str) -> None:
    """An unpriced tier named with markup: the warning and the active-subscriptions chart legend show it as text."""
    sub = {"id": "sub-x", "user_id": "fan-x", "tier": payload, "status": "active",
           "started_at": "2026-10-02T12:00:00+03:00", "created_at": "2026-10-02T12:00:00+03:00",
           "updated_at": "2026-10-02T12:00:00+03:00"}
    store = _store(duck_only, tmp_path, [*hand_records(), ("users:fan-x:subscription", sub)])
    at = open_page(store, "ui/views/revenue.py", role="manager")
    at.selectbox(key="rev_preset").set_value("this_month").run()
    at.date_input(key="rev_end").set_value(dt.date(2026, 10, 31)).run()
    open_view(at, "subscriptions")
    unpriced_prefix = t("revenue.subs_unpriced", tiers="").split(":")[0]
    warning = next(w.value for w in at.warning if w.value.startswith(unpriced_prefix))
    assert warning == t("revenue.subs_unpriced", tiers=f"vip, {markdown_text(payload)}") or \
        warning == t("revenue.subs_unpriced", tiers=f"{markdown_text(payload)}, vip")
    shown_tiers = rendered_markdown_text(markdown_text(payload))
    assert shown_tiers == payload and "![" not in warning.replace("\\!\\[", "")
    charts = at.get("plotly_chart")
    names = [trace.get("name") for c in charts for trace in json.loads(c.proto.spec)["data"]]
    assert chart_text(payload) in names
    assert payload not in names or ("<" not in payload and "&" not in payload)


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
def test_audience_top_country_metric_is_plain_text(duck_only: StoreFactory, tmp_path: Path, payload: str) -> None:
    """A country code with markup (geographic_stats keys are data): st.metric gets it escaped."""
    day = "2026-10-30"
    records: list[tuple[str, object]] = [
        ("users:art-9:profile", {"id": "art-9", "name": "Артист"}),
        ("tracks:art-9:trk-9", {"id": "trk-9", "user_id": "art-9", "title": "Песня", "status": "approved"}),
        (f"analytics:tracks:trk-9:{day}", {"id": "a1", "track_id": "trk-9", "date": day, "plays": 10,
                                           "geographic_stats": {payload: 7, "ru": 3}}),
    ]
    store = _store(duck_only, tmp_path, records)
    at = open_page(store, "ui/views/artist_audience.py", role="artist", artist_id="art-9")
    assert not at.exception, [e.value for e in at.exception]
    top = [m for m in at.metric if m.label == t("artist.audience.top_country")]
    assert top, [m.label for m in at.metric]
    assert top[0].value == markdown_text(payload.upper())
    assert rendered_markdown_text(top[0].value) == payload.upper()
