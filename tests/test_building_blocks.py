"""The small pure pieces pages rely on: CSV neutralization, periods, Moscow times, queue references."""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from dashboard.i18n.formatting import moscow_time, moscow_times, rub
from dashboard.metrics.periods import Period, period_bounds, previous_period
from dashboard.moderation.config import item_label, item_labels, item_ref, item_refs
from ui.csv_export import neutralize, safe_csv


def test_csv_cells_that_start_a_formula_are_neutralized() -> None:
    titles = ["=HYPERLINK(\"x\")", "+7 999", "-1", "@SUM(A1)", "Песня 🔥"]
    frame = pd.DataFrame({"title": titles, "amount": [1, 2, 3, 4, 5]})
    text = safe_csv(frame).decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert list(back["title"]) == ["'=HYPERLINK(\"x\")", "'+7 999", "'-1", "'@SUM(A1)", "Песня 🔥"]
    assert list(back["amount"]) == [1, 2, 3, 4, 5]  # numbers stay numbers
    assert neutralize(-5) == -5 and neutralize("\tcmd") == "'\tcmd"


def test_periods() -> None:
    assert period_bounds(30, dt.date(2026, 11, 1)) == (dt.date(2026, 10, 3), dt.date(2026, 11, 1),
                                                        dt.date(2026, 9, 3), dt.date(2026, 10, 2))
    assert previous_period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == (dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    with pytest.raises(ValueError):
        period_bounds(0, dt.date(2026, 11, 1))
    with pytest.raises(ValueError):
        previous_period(dt.date(2026, 3, 2), dt.date(2026, 3, 1))
    p = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 7), dt.date(2026, 9, 24), dt.date(2026, 9, 30))
    assert p.days == 7 and p.params()["cur_start"] == dt.date(2026, 10, 1)


def test_moscow_times_vectorized_matches_one_by_one() -> None:
    values = pd.Series([pd.Timestamp("2026-01-01T21:30:00Z"), None, pd.Timestamp("2026-06-30T23:59:00+00:00")])
    assert list(moscow_times(values)) == ["2026-01-02 00:30", "—", "2026-07-01 02:59"]
    assert moscow_time(values[0], "МСК") == "2026-01-02 00:30 МСК"
    assert rub(1234567.4) == "1\u202f234\u202f567 ₽" and rub(None) == "—"


def test_queue_references_vectorized_match_one_by_one() -> None:
    queue = pd.DataFrame({"entity": ["tracks", "news"], "source_key": ["tracks:u:t1", "news:u:n1"],
                          "entity_id": ["t1", "n1"], "title": ["Песня\nвторая строка", None]})
    assert item_refs(queue) == [item_ref(r) for r in queue.to_dict("records")]
    names = {"tracks": "Треки", "news": "Новости"}
    assert item_labels(queue, names) == [item_label({**r, "entity": names[r["entity"]]})
                                         for r in queue.to_dict("records")]
