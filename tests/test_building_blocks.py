"""The small pure pieces pages rely on: CSV neutralization, periods, Moscow times, queue references."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from dashboard.i18n.formatting import moscow_time, moscow_times, rub
from dashboard.metrics.measures import delta_pct, numeric, plain, ratio
from dashboard.metrics.periods import Period, date_range, period_between, period_for
from dashboard.moderation.config import item_ref, item_refs
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
    p = period_for(30, dt.date(2026, 11, 1))
    assert (p.start, p.end, p.prev_start, p.prev_end) == (dt.date(2026, 10, 3), dt.date(2026, 11, 1),
                                                          dt.date(2026, 9, 3), dt.date(2026, 10, 2))
    assert period_for("30d", dt.date(2026, 11, 1)) == p
    march = period_between(dt.date(2026, 3, 31), dt.date(2026, 3, 1))  # either order
    assert (march.start, march.end, march.prev_start, march.prev_end) == (
        dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 1, 29), dt.date(2026, 2, 28))
    with pytest.raises(ValueError):
        period_for(0, dt.date(2026, 11, 1))
    with pytest.raises(ValueError, match="unknown period preset"):
        period_for("fortnight", dt.date(2026, 11, 1))
    p = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 7), dt.date(2026, 9, 24), dt.date(2026, 9, 30))
    assert p.days == 7 and p.params()["cur_start"] == dt.date(2026, 10, 1)


def test_date_range_reads_full_half_and_cleared_pickers() -> None:
    a, b = dt.date(2026, 10, 1), dt.date(2026, 10, 7)
    assert date_range((a, b)) == (a, b) and date_range([b, a]) == (a, b)
    assert date_range((a,)) == (a, a) and date_range(a) == (a, a)  # half picked: that one day
    assert date_range(()) is None and date_range(None) is None and date_range([]) is None  # cleared


def test_one_rate_rule() -> None:
    assert ratio(1, 4) == 0.25 and ratio(1, 4, per=100) == 25.0
    assert ratio(3, 0) is None and ratio(3, None) is None and ratio(Decimal("1"), Decimal("2")) == 0.5
    assert delta_pct(150, 100) == 50.0 and delta_pct(Decimal("50"), 100) == -50.0
    assert delta_pct(5, 0) is None and delta_pct(5, None) is None
    frame = numeric(pd.DataFrame({"n": [Decimal("2"), None], "x": [1.5, float("nan")], "t": ["a", "b"]}),
                    ["n", "x", "missing"])
    assert list(frame["n"]) == [2, 0] and frame["n"].dtype == "int64" and list(frame["x"]) == [1.5, 0.0]
    assert plain(None) == 0 and plain(Decimal("1.5")) == 1.5


def test_moscow_times_vectorized_matches_one_by_one() -> None:
    values = pd.Series([pd.Timestamp("2026-01-01T21:30:00Z"), None, pd.Timestamp("2026-06-30T23:59:00+00:00")])
    assert list(moscow_times(values)) == ["2 янв. 2026 00:30", "—", "1 июл. 2026 02:59"]
    assert list(moscow_times(values, lang="en")) == ["Jan 2, 2026 00:30", "—", "Jul 1, 2026 02:59"]
    assert moscow_time(values[0], "МСК") == "2 янв. 2026 00:30 МСК"
    assert rub(1234567.4) == "1\u00a0234\u00a0567\u00a0₽" and rub(None) == "—"
    mixed = pd.Series([dt.date(2026, 10, 1), pd.Timestamp("2026-10-01 12:00"), None], dtype=object)
    assert list(moscow_times(mixed, missing="")) == [moscow_time(mixed[0]), moscow_time(mixed[1]), ""]


def test_each_rule_is_defined_once() -> None:
    """One Moscow zone, one moscow_times, one period builder, one rate rule, one numeric coercion in the code."""
    root = Path(__file__).resolve().parent.parent
    code = {p: p.read_text(encoding="utf-8") for d in ("dashboard", "ui") for p in (root / d).rglob("*.py")}
    def defining(pattern: str) -> list[str]:
        return sorted(str(p.relative_to(root)) for p, text in code.items() if re.search(pattern, text, re.M))
    assert defining(r"ZoneInfo\(|timezone\(timedelta|= \"Europe/Moscow\"") == ["dashboard/i18n/formatting.py"]
    assert defining(r"^def moscow_times\(") == ["dashboard/i18n/formatting.py"]
    for name in ("ratio", "delta_pct", "numeric", "plain"):
        assert defining(rf"^def {name}\(") == ["dashboard/metrics/measures.py"], name
    for name in ("period_for", "period_between", "date_range"):
        assert defining(rf"^def {name}\(") == ["dashboard/metrics/periods.py"], name
    assert not defining(r"^def (_numeric|_delta|rate|period_bounds|previous_period|preset_period|custom_period)\(")


def test_queue_references_vectorized_match_one_by_one() -> None:
    queue = pd.DataFrame({"entity": ["tracks", "news"], "source_key": ["tracks:u:t1", "news:u:n1"],
                          "entity_id": ["t1", "n1"], "title": ["Песня\nвторая строка", None]})
    assert item_refs(queue) == [item_ref(r) for r in queue.to_dict("records")]
