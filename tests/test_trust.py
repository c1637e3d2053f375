"""Numbers people can trust (issue 15): honest comparisons, a tiny previous period, partial buckets, and money that is
not money yet — on data whose answers were computed by hand."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.i18n.formatting import number, percent, rub, signed_percent
from dashboard.i18n.plural import plural
from dashboard.i18n.translations import t
from dashboard.metrics.measures import change
from dashboard.metrics.periods import buckets, period_for, within_data
from dashboard.store.connect import Store
from dashboard.store.queries import run_query
from tests.apptest import ISOLATED_SECRETS, new_app, texts
from tests.conftest import StoreFactory

ARTIST = "artist-trust"
NOVEMBER_24 = dt.date(2026, 11, 24)

# Donations to one artist, Moscow times. By hand: October (last month, seen on 24 November) has 400 + 600 = 1 000 ₽
# in 2 completed donations; September (the month before) 200 + 300 = 500 ₽ in 2. The pending 5 000 ₽ and the refunded
# 700 ₽ are never received; 31 August and 1 November lie outside both months (the old rule, "the 31 days before 1
# October", would have counted 31 August in the previous period).
DONATIONS = [
    ("d-tiny", "2026-08-20T12:00:00+03:00", 3, "completed", ""),
    ("d-aug", "2026-08-31T23:30:00+03:00", 1000, "completed", ""),
    ("d-sep1", "2026-09-01T10:00:00+03:00", 200, "completed", "Спасибо за альбом"),
    ("d-sep2", "2026-09-30T20:00:00+03:00", 300, "completed", ""),
    ("d-pending", "2026-09-15T12:00:00+03:00", 5000, "pending", "Жду, когда пройдёт оплата"),
    ("d-oct1", "2026-10-01T00:10:00+03:00", 400, "completed", ""),
    ("d-refunded", "2026-10-20T12:00:00+03:00", 700, "refunded", "Верните деньги"),
    ("d-oct2", "2026-10-31T23:50:00+03:00", 600, "completed", ""),
    ("d-nov", "2026-11-01T00:05:00+03:00", 10000, "completed", ""),
]


def snapshot(path: Path) -> Path:
    records = [
        {"key": f"users:{ARTIST}:profile", "value": {"id": ARTIST, "name": "Доверие"}},
        {"key": f"tracks:{ARTIST}:t1", "value": {"id": "t1", "title": "Первый", "status": "approved",
                                                 "created_at": "2026-08-01T10:00:00+03:00"}},
    ]
    for did, when, amount, status, message in DONATIONS:
        records.append({"key": f"donations:{ARTIST}:{did}", "value": {
            "id": did, "artist_id": ARTIST, "amount": amount, "currency": "RUB", "status": status,
            "message": message, "donor_name": "Фанат", "created_at": when}})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def trust_store(new_store: StoreFactory, tmp_path: Path) -> Store:
    from dashboard.ingest.build import ingest

    store = new_store()
    ingest([snapshot(tmp_path / "trust.ndjson")], store, "seed", say=lambda _m: None)
    return store


def test_last_month_is_compared_with_the_month_before(trust_store: Store) -> None:
    period = period_for("last_month", NOVEMBER_24)
    assert (period.start, period.end, period.prev_start, period.prev_end) == (
        dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    sums = run_query(trust_store, "donations_two_periods", **period.params()).set_index("period")
    assert float(sums.loc["current", "amount_rub"]) == 1000 and int(sums.loc["current", "donations"]) == 2
    assert float(sums.loc["previous", "amount_rub"]) == 500 and int(sums.loc["previous", "donations"]) == 2
    assert change(1000, 500).pct == pytest.approx(100.0)
    artist = run_query(trust_store, "artist_period_totals", artist_id=ARTIST, **period.params()).set_index("period")
    assert float(artist.loc["current", "donations_rub"]) == 1000
    assert float(artist.loc["previous", "donations_rub"]) == 500


def test_calendar_and_rolling_periods() -> None:
    this_month = period_for("this_month", NOVEMBER_24)  # 1–24 November against 1–24 October, not 8–31 October
    assert (this_month.prev_start, this_month.prev_end) == (dt.date(2026, 10, 1), dt.date(2026, 10, 24))
    march = period_for("last_month", dt.date(2026, 4, 2))  # the whole of March against the whole of February
    assert (march.prev_start, march.prev_end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    rolling = period_for(28, NOVEMBER_24)
    assert (rolling.prev_start, rolling.prev_end) == (dt.date(2026, 9, 30), dt.date(2026, 10, 27))
    future = within_data(period_for("custom", NOVEMBER_24, (dt.date(2026, 11, 1), dt.date(2026, 12, 31))),
                         NOVEMBER_24)
    assert future.clipped and future.end == NOVEMBER_24 and future.prev_end == dt.date(2026, 10, 31)


def test_a_tiny_previous_period_shows_a_dash() -> None:
    assert change(25124, 100).pct is None and change(25124, 100).why == "tiny"  # under 1 % of the current value
    assert change(50, 3).pct is None and change(50, 3).why == "tiny"  # fewer than 5
    assert change(50, 0).why == "none"
    assert change(7, 7).why == "same" and signed_percent(0.0, "ru") == "0\u00a0%"  # no green "↑ +0.0%"
    assert change(120, 100).pct == pytest.approx(20.0)


def open_as(store: Store, page: str, role: str, artist: str | None, state: dict[str, object]) -> AppTest:
    os.environ["PROMO_DB"] = store.name
    os.environ["PROMO_DEMO_MODE"] = "1"
    at = new_app()
    at.secrets.update(ISOLATED_SECRETS)
    at.session_state["view_as"] = (role, artist)
    at.session_state["lang"] = "ru"
    for key, value in state.items():
        at.session_state[key] = value
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_overview_compares_30_days_with_the_30_before(trust_store: Store) -> None:
    """The overview's 30 days end on the last day with donations, 1 November: 3 October – 1 November holds
    600 + 10 000 = 10 600 ₽ completed (the refunded 700 ₽ is not received); 3 September – 2 October holds
    300 + 400 = 700 ₽. By hand: (10 600 − 700) / 700 = +1 414,3 %."""
    at = open_as(trust_store, "ui/views/overview.py", "admin", None, {})
    card = next(m for m in at.metric if m.label == "Донаты за 30 дней")
    assert card.value == rub(10600)
    assert card.delta == "+1\u00a0414,3\u00a0%"


def test_a_tiny_previous_period_shows_a_dash_on_the_page(trust_store: Store) -> None:
    """21–31 August holds 1 000 ₽; the 11 days before, 10–20 August, only 3 ₽ (fewer than 5): the change is "—",
    and the card's tooltip says why."""
    at = open_as(trust_store, "ui/views/artist_fans.py", "artist", ARTIST,
                 {"artist_period": "custom", "artist_range": (dt.date(2026, 8, 21), dt.date(2026, 8, 31))})
    card = next(m for m in at.metric if m.label == "Донаты, ₽")
    assert card.value == rub(1000) and card.delta == "—"
    assert "меньше 5" in card.help


def test_a_pending_donation_is_not_counted_or_shown_as_received(trust_store: Store) -> None:
    at = open_as(trust_store, "ui/views/artist_fans.py", "artist", ARTIST,
                 {"artist_period": "custom", "artist_range": (dt.date(2026, 9, 1), dt.date(2026, 10, 31))})
    total = next(m for m in at.metric if m.label == "Донаты, ₽")
    assert total.value == rub(1500)  # 200 + 300 + 400 + 600: not the pending 5 000, not the refunded 700
    assert next(m for m in at.metric if m.label == "Число донатов").value == "4"
    feed = "\n".join(str(t.value) for t in at.text)
    assert "5\u00a0000\u00a0₽ (ещё не оплачен — не зачислен)" in feed
    assert "700\u00a0₽ (возвращён донатеру — не зачислен)" in feed
    assert "200\u00a0₽\nСпасибо за альбом" in feed  # a received one reads as money, without a note
    shown = texts(at)
    assert "на модерации" not in shown.lower() and not re.search(r"\bpending\b", shown)
    assert any("пока не получены" in c.value for c in at.caption)


def test_partial_buckets_are_marked() -> None:
    from ui import charts

    spans = buckets(dt.date(2026, 8, 27), NOVEMBER_24, "month")  # a 90-day range with a month step
    assert list(spans["partial"]) == [True, False, False, True]
    assert list(spans["days"]) == [5, 30, 31, 24]
    weeks = buckets(dt.date(2026, 10, 28), NOVEMBER_24, "week")  # Wednesday … Tuesday: both ends partial
    assert bool(weeks["partial"].iloc[0]) and bool(weeks["partial"].iloc[-1])
    assert not weeks["partial"].iloc[1:-1].any()
    import plotly.graph_objects as go

    fig = charts.bucket_axis(go.Figure(go.Bar(x=charts.bucket_x(list(spans["bucket"]), spans, "month", "ru"),
                                              y=[1, 2, 3, 4])), spans, "month", "ru")
    labels = list(fig.layout.xaxis.categoryarray)
    assert labels[0].endswith("*") and labels[-1].endswith("*") and labels[1] == "сент. 2026"
    assert len(fig.layout.shapes) == 2  # the two partial buckets are shaded


def test_russian_numbers_and_plurals() -> None:
    assert number(1234.5, "ru", 1) == "1\u00a0234,5" and number(1234.5, "en", 1) == "1,234.5"
    assert rub(0.81) == "1\u00a0₽"
    assert percent(5.0, "ru") == "5,0\u00a0%"
    forms = "платёж|платежа|платежей"
    assert [plural(n, "ru", forms) for n in (1, 3, 4, 5, 11, 21, 22, 25)] == [
        "платёж", "платежа", "платежа", "платежей", "платежей", "платёж", "платежа", "платежей"]


def test_count_axes_are_whole_numbers_from_zero() -> None:
    """Charts of counts: whole-number ticks from 0 ("0.2 of a pitch" never), a 0…1 axis when every value is 0 (Plotly's
    own choice would be −1…1), one tick per unit only while the counts are small."""
    import pandas as pd

    from ui import charts

    days = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(3)]
    zeros = charts.day_bars(days, [0, 0, 0], "ru", 200, "Питчи")
    assert zeros.layout.yaxis.range == (0, 1) and zeros.layout.yaxis.dtick == 1
    assert zeros.layout.yaxis.tickformat == ",d" and zeros.layout.yaxis.rangemode == "tozero"
    assert zeros.layout.separators == ",\u00a0"  # "1 234,5": a comma for decimals, a no-break space for thousands
    small = charts.day_bars(days, [0, 2, 3], "ru", 200, "Питчи")
    assert small.layout.yaxis.dtick == 1 and small.layout.yaxis.range is None  # 0, 1, 2, 3: never 0,5
    large = charts.day_bars(days, [0, 1500, 15000], "ru", 200, "Прослушивания")
    assert large.layout.yaxis.dtick is None and large.layout.yaxis.tickformat == ",d"  # "15 000", never "15k"
    bars = charts.hbars(["card", "sbp"], [0, 0], "ru", 200, "Платежи")  # counts on the x axis
    assert bars.layout.xaxis.range == (0, 1) and bars.layout.xaxis.tickformat == ",d"
    assert bars.layout.yaxis.tickformat is None  # the category axis is left alone
    frame = pd.DataFrame({"day": days, "plays": [0, 0, 0]})
    period = period_for("custom", days[-1], (days[0], days[-1]))
    before = frame.assign(day=[d - period.shift for d in days])
    compared = charts.comparison_figure(frame, before, "plays", period, ("сейчас", "раньше"), "Прослушивания")
    assert compared.layout.yaxis.range == (0, 1) and compared.layout.yaxis.tickformat == ",d"


def test_tables_show_russian_numbers_short_ids_and_export_integers_and_full_ids(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``ui.tables.table``: on screen "1 234" and "1 234,5", "—" for a missing cell, ids cut to 8 characters with a
    tooltip; in the CSV (the bytes the download button gets) counts as "3" (never "3.0"), the full id."""
    import csv
    import io

    import pandas as pd
    import streamlit as st

    from ui import tables
    from ui.plain_text import markdown_text

    shown: list[tuple[pd.DataFrame, dict[str, object]]] = []
    downloads: list[bytes] = []
    monkeypatch.setattr(tables, "current_lang", lambda: "ru")
    monkeypatch.setattr(st, "dataframe", lambda frame, **kw: shown.append((frame, kw["column_config"])))
    def clicked(*_a: object, **kw: object) -> None:  # the CSV is made when the person clicks (deferred data)
        data = kw["data"]
        downloads.append(data() if callable(data) else data)  # type: ignore[arg-type]

    monkeypatch.setattr(st, "download_button", clicked)
    full_id = "1a2b3c4d-5e6f-4711-8899-aabbccddeeff"
    frame = pd.DataFrame({"name": ["Артист", None, "Группа"],
                          "donations": [1234.0, 3.0, float("nan")],  # floats, as SQL sums arrive: "3.0" in a raw CSV
                          "delta_pct": [1234.5, 5.0, None],
                          "artist_id": [full_id, "short", None]})
    labels = {"name": "revenue.col.name", "donations": "revenue.col.donations", "delta_pct": "revenue.col.delta_pct",
              "artist_id": "revenue.col.artist_id"}
    tables.table(frame, "trust_table", labels=labels, ids=["artist_id"])

    (screen, config), = shown
    header = {c: t(labels[c]) for c in labels}
    assert list(screen.columns) == list(header.values())
    assert list(screen[header["donations"]]) == ["1\u00a0234", "3", "—"]
    assert list(screen[header["delta_pct"]]) == ["1\u00a0234,5", "5,0", "—"]
    assert list(screen[header["name"]]) == ["Артист", "—", "Группа"]
    assert list(screen[header["artist_id"]]) == ["1a2b3c4d…", "short", "—"]
    cells = {str(v) for v in screen.to_numpy().ravel()}
    assert not cells & {"None", "nan", "NaN", "<NA>"}
    # a column's tooltip is Markdown to Streamlit: our text goes through markdown_text, so it shows as written
    assert config[header["artist_id"]]["help"] == markdown_text(t("table.id_help"))  # type: ignore[index]

    rows = list(csv.reader(io.StringIO(downloads[0].decode("utf-8-sig"))))
    assert rows[0] == list(header.values())
    assert [r[1] for r in rows[1:]] == ["1234", "3", ""]  # counts as integers, a missing one blank
    assert [r[2] for r in rows[1:]] == ["1234.5", "5.0", ""]
    assert [r[3] for r in rows[1:]] == [full_id, "short", ""]  # the full id
    assert "3.0" not in downloads[0].decode("utf-8-sig")


def test_the_overview_shows_the_age_of_the_oldest_pending_item_by_type(new_store: StoreFactory,
                                                                       tmp_path: Path) -> None:
    """Pending by type with its age, as people say it: tracks waited 80 and 5 hours (oldest "3 дн.", 🔴), a video 30
    hours ("30 ч", 🟠)."""
    from dashboard.i18n.formatting import MOSCOW
    from dashboard.ingest.build import ingest
    from tests.apptest import parsed
    from tests.data import write_snapshot

    now = dt.datetime.now(MOSCOW)

    def item(kind: str, eid: str, hours: float) -> dict[str, object]:
        created = (now - dt.timedelta(hours=hours)).isoformat(timespec="seconds")
        return {"key": f"{kind}:{ARTIST}:{eid}", "value": {"id": eid, "user_id": ARTIST, "title": f"Ждёт {eid}",
                                                           "status": "pending", "created_at": created}}

    store = new_store()
    records = [{"key": f"users:{ARTIST}:profile", "value": {"id": ARTIST, "name": "Доверие"}},
               item("tracks", "t-old", 80.5), item("tracks", "t-new", 5.5), item("videos", "v-1", 30.5)]
    ingest([write_snapshot(tmp_path / "pending.ndjson", records)], store, "seed", say=lambda _m: None)
    at = open_as(store, "ui/views/overview.py", "admin", None, {})
    table = next(d.value for d in at.dataframe if t("overview.col.oldest") in d.value.columns)
    assert table.to_dict("records") == [
        {"Тип": "Трек", "Ждут": "2", "Дольше 24 ч": "1", "Дольше 72 ч": "1", "Самый старый ждёт": "3 дн."},
        {"Тип": "Видео", "Ждут": "1", "Дольше 24 ч": "1", "Дольше 72 ч": "0", "Самый старый ждёт": "30 ч"},
    ]
    assert parsed(table)["Ждут"].sum() == 3
    cards = {m.label: m.value for m in at.metric}
    assert cards["🔴 Трек"] == "2" and cards["🟠 Видео"] == "1"
    captions = [c.value for c in at.caption]
    assert "самый старый ждёт 3 дн." in captions and "самый старый ждёт 30 ч" in captions
