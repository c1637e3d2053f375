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
from dashboard.metrics.measures import change, numeric, plain, ratio
from dashboard.metrics.periods import Period, date_range, period_between, period_for
from dashboard.moderation.config import item_ref, item_refs
from ui.csv_export import neutralize, safe_csv

ROOT = Path(__file__).resolve().parent.parent


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
    assert change(150, 100).pct == 50.0 and change(Decimal("50"), 100).pct == -50.0
    assert change(5, 0).pct is None and change(5, None).pct is None
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
    """One Moscow zone, one moscow_times, one period builder, one rate rule, one change rule, one numeric coercion in
    the code; one set of period presets; one minus sign; number and date text only in dashboard/i18n/."""
    code = {p: p.read_text(encoding="utf-8") for d in ("dashboard", "ui") for p in (ROOT / d).rglob("*.py")}
    def defining(pattern: str) -> list[str]:
        return sorted(str(p.relative_to(ROOT)) for p, text in code.items() if re.search(pattern, text, re.M))
    assert defining(r"ZoneInfo\(|timezone\(timedelta") == ["dashboard/i18n/formatting.py"]
    # the zone's name, once, apart (no pandas to import it); a demo profile's own timezone is data, not the rule
    assert defining(r"= \"Europe/Moscow\"|\(\"Europe/Moscow\"\)") == ["dashboard/i18n/zone.py"]
    assert defining(r"^def moscow_times\(") == ["dashboard/i18n/formatting.py"]
    for name in ("ratio", "change", "numeric", "plain"):
        assert defining(rf"^def {name}\(") == ["dashboard/metrics/measures.py"], name
    assert not defining(r"^def (delta_pct|pct_change|percent_change)\(")  # the change rule is measures.change
    for name in ("period_for", "period_between", "date_range"):
        assert defining(rf"^def {name}\(") == ["dashboard/metrics/periods.py"], name
    assert not defining(r"^def (_numeric|_delta|rate|period_bounds|previous_period|preset_period|custom_period)\(")
    # the period presets: spelled in dashboard/period_presets.py only (both pages read PRESETS from there)
    assert defining(r"[\"']\d+d[\"']|PRESET_DAYS|\(7, 28, 90, 365\)|\(7, 30, 90") == ["dashboard/period_presets.py"]
    # one minus sign: formatting.MINUS; no other module writes a sign of its own
    assert defining("[\"']\u2212[\"']|\\\\u2212") == ["dashboard/i18n/formatting.py"]  # "−" or "\\u2212" in code
    assert not defining(r"\"\+\" if .* else \"-\"|else \"-\" if")
    # number, money, percent, date and age text: in dashboard/i18n/ only (the CLIs' English console lines aside)
    text_helpers = (r"^def (percent|share_percent|signed_number|signed_percent|number|rub|times_text|dates_text|"
                    r"age_text|translated|country_name|day_text|span_text)\(")
    assert {p.split("/")[1] for p in defining(text_helpers)} == {"i18n"}, defining(text_helpers)
    # what pages show: ui/ and the packages that compute page content (the console lines of the CLIs, ingest,
    # sync, serve and the store's busy messages are English operator text, left as they are)
    page_content = ("ui/", "dashboard/metrics/", "dashboard/health/", "dashboard/anomalies/", "dashboard/moderation/",
                    "dashboard/access/")
    formatted = sorted(str(p.relative_to(ROOT)) for p, text in code.items()
                       if str(p.relative_to(ROOT)).startswith(page_content) and "bench" not in p.name
                       and "cli" not in p.name
                       and re.search(r"(?<!%)\{[^{}]*:[,_]?\+?[,_]?(\.\d+)?[dfe%]\}|(?<!%)\{[^{}]*:,\}", text))
    assert formatted == [], formatted


def test_the_sql_rules_have_one_home() -> None:
    """The completed-donation predicate and the age band are each written in one shared SQL file, which every query
    that needs them includes; the age band's names are dashboard.moderation.config.AGE_BANDS, the badges' too."""
    from dashboard.moderation.config import AGE_BANDS
    from ui.moderation_display import SLA_BADGES

    sql = {p.relative_to(ROOT / "queries").as_posix(): "\n".join(line.split("--", 1)[0] for line in
                                                                 p.read_text(encoding="utf-8").splitlines())
           for p in (ROOT / "queries").rglob("*.sql")}
    raw = {p.relative_to(ROOT / "queries").as_posix(): p.read_text(encoding="utf-8")
           for p in (ROOT / "queries").rglob("*.sql")}
    # a status compared with 'completed' on a query that reads the donations table: only the include
    donations = {name for name, text in sql.items() if re.search(r"\b(FROM|JOIN)\s+donations\b", text, re.I)}
    completed = {name for name in donations
                 if re.search(r"status\)?\s*=\s*'completed'", sql[name], re.I)}
    assert completed == {"shared/completed_rub_donations.sql"}
    def header(text: str) -> str:
        return " ".join(line for line in text.splitlines() if line.startswith("-- ")).split("-- Params:")[0]
    counting = {name for name, text in raw.items() if not name.startswith("shared/")
                and re.search(r"completed (RUB )?donations", header(text).replace("--", " ").replace("  ", " "), re.I)
                and "-- include: revenue_lines" not in text  # revenue lines (and their rollups, made from them)
                and not re.search(r"(FROM|JOIN) (revenue_(artist_)?|donations_|artist_lines_)daily\b", text)}  # rollups
    assert counting and all("-- include: completed_rub_donations" in raw[n] for n in counting), counting
    rule = sql["shared/completed_rub_donations.sql"]
    assert "LOWER(d.status) = 'completed'" in rule and "UPPER(COALESCE(d.currency, 'RUB')) = 'RUB'" in rule
    # the age band: one CASE, in queries/shared/banded_pending.sql; its names are AGE_BANDS, oldest first
    banding = sorted(name for name, text in sql.items() if re.search(r"THEN\s+'(gt72|24to72|lt24)'", text))
    assert banding == ["shared/banded_pending.sql"]
    names = re.findall(r"'(gt72|24to72|lt24)'", sql["shared/banded_pending.sql"])
    assert names == list(reversed(AGE_BANDS))
    assert all("-- include: banded_pending" in raw[f"moderation/{q}.sql"] for q in ("pending_page", "pending_summary"))
    assert list(SLA_BADGES) == list(AGE_BANDS)
    assert not [p for p in (ROOT / "dashboard").rglob("*.py") if re.search(r"[\"'](gt72|24to72|lt24)[\"']",
                                                                          p.read_text(encoding="utf-8"))
                and p.name != "config.py"]


def test_queue_references_vectorized_match_one_by_one() -> None:
    queue = pd.DataFrame({"entity": ["tracks", "news"], "source_key": ["tracks:u:t1", "news:u:n1"],
                          "entity_id": ["t1", "n1"], "title": ["Песня\nвторая строка", None]})
    assert item_refs(queue) == [item_ref(r) for r in queue.to_dict("records")]
