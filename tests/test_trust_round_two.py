"""Trust, round two (issue 24), without a browser: the formatting rules on Babel (CLDR) for Russian and English,
quotes inside quotes, the tiny-previous rule in the revenue tables, table widths that fit a 1400 px window, the
signed-in line, and ``make run``'s refusal at start with [auth] in place (item 12). The pages themselves, in
Chromium: tests/browser/test_trust_round_two.py."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.access import accounts as acc
from dashboard.access.preflight import missing_keys, start_refusal
from dashboard.i18n.formatting import (
    MINUS,
    NBSP,
    day_text,
    money,
    month_text,
    moscow_time,
    moscow_times,
    number,
    percent,
    rub,
    seconds_text,
    signed_number,
    signed_percent,
)
from dashboard.i18n.plural import count_of, plural
from dashboard.i18n.translations import quoted, t
from dashboard.metrics import revenue as rv
from dashboard.store.connect import Store
from tests.apptest import AUTH_SECRETS, open_signed_in
from tests.conftest import REPO
from tests.data import ARTIST
from ui import table_widths


# ---------------------------------------------------------------------------------------------- item 8: Babel
def test_numbers_follow_cldr_with_our_minus() -> None:
    assert number(1234.5, "ru", 1) == f"1{NBSP}234,5" and number(1234.5, "en", 1) == "1,234.5"
    assert number(-418, "ru") == f"{MINUS}418" and number(-418, "en") == f"{MINUS}418"  # U+2212, not "-"
    assert number(-0.001) == "0" and number(None) == "—" and number(float("nan")) == "—"
    assert number(1234567.891, "ru", 2) == f"1{NBSP}234{NBSP}567,89"
    assert rub(1234567.4) == f"1{NBSP}234{NBSP}567{NBSP}₽" and rub(0.81, "en") == f"1{NBSP}₽"
    assert money(12.5, "usd") == f"12,50{NBSP}USD" and money(12.6, None, "en") == f"13{NBSP}₽"
    assert signed_number(1200) == f"+1{NBSP}200" and signed_number(-40) == f"{MINUS}40" and signed_number(0) == "0"


def test_percentages_follow_the_locale_pattern() -> None:
    assert percent(64.56) == f"64,6{NBSP}%" and percent(64.56, "en") == "64.6%"
    assert percent(100, "ru", 0) == f"100{NBSP}%"  # the queue's approval rate: never "100%"
    assert percent(None) == "—" and percent(0) == f"0,0{NBSP}%"
    assert signed_percent(12.5) == f"+12,5{NBSP}%" and signed_percent(-3) == f"{MINUS}3,0{NBSP}%"
    assert signed_percent(0.01) == f"0{NBSP}%" and signed_percent(-5.2, "en") == f"{MINUS}5.2%"


@pytest.mark.parametrize(("n", "ru", "en"), [
    (0, "элементов", "items"), (1, "элемент", "item"), (2, "элемента", "items"), (4, "элемента", "items"),
    (5, "элементов", "items"), (11, "элементов", "items"), (14, "элементов", "items"), (21, "элемент", "items"),
    (22, "элемента", "items"), (101, "элемент", "items"), (111, "элементов", "items"), (1.5, "элемента", "items"),
    (3.0, "элемента", "items"),
])
def test_plurals_follow_cldr(n: float, ru: str, en: str) -> None:
    assert plural(n, "ru", "элемент|элемента|элементов") == ru
    assert plural(n, "en", "item|items") == en


def test_counts_group_their_digits() -> None:
    assert count_of(1234, "ru", "ключ|ключа|ключей") == f"1{NBSP}234 ключа"
    assert count_of(1, "en", "key|keys") == "1 key"
    # item 9: the verb agrees with one pending donation
    assert plural(1, "ru", t("word.not_received")) == "не получен" and plural(3, "ru", t("word.not_received")) == \
        "не получены"


def test_dates_in_one_style() -> None:
    """One style for "data as of", tables, concerts and captions: CLDR's short months, no "г.", Moscow time."""
    assert day_text(dt.date(2026, 12, 2)) == "2 дек. 2026" and day_text("2026-05-02", "ru", False) == "2 мая"
    assert day_text(dt.date(2026, 12, 2), "en") == "Dec 2, 2026" and day_text(None) == "—"
    assert month_text(dt.date(2026, 9, 1)) == "сент. 2026" and month_text(dt.date(2026, 9, 1), "en") == "Sep 2026"
    assert moscow_time("2026-12-02T14:10:00Z", "МСК") == "2 дек. 2026 17:10 МСК"
    assert moscow_time(pd.Timestamp("2026-12-02 14:10"), "MSK", "en") == "Dec 2, 2026 17:10 MSK"  # zone-less: UTC
    column = moscow_times(pd.Series(["2026-12-02T14:10:00Z", None]), missing="")
    assert list(column) == ["2 дек. 2026 17:10", ""]
    assert seconds_text(0.5) == f"0,5{NBSP}с" and seconds_text(12.26, "en") == f"12.3{NBSP}s"  # the sync toast


def test_a_quoted_value_keeps_its_quotes_as_the_inner_pair() -> None:
    """Item 9: «Радио „Северный ветер“», never «Радио «Северный ветер»»."""
    assert t("mod.item", "ru", title="Радио «Северный ветер»", entity="Питчинг", artist="Весна") == \
        "«Радио „Северный ветер“» (Питчинг, Весна)"
    assert t("mod.item", "en", title="Radio “North”", entity="Pitching", artist="V") == "“Radio ‘North’” (Pitching, V)"
    assert t("mod.item", "ru", title="Без кавычек", entity="Трек", artist="—") == "«Без кавычек» (Трек, —)"
    assert quoted("Лейбл «Тёплый ламповый»") == "«Лейбл „Тёплый ламповый“»"


# ------------------------------------------------------------------------------ item 3: the tiny-previous rule
def test_the_streams_table_shows_no_change_against_a_tiny_previous_value() -> None:
    """The issue's case: promotion campaigns 150 → 29 350 (150 is under 1 % of 29 350) and pitching 4 → 950 (under
    5) show "—" (no percentage), donations 400 → 500 show +25 %."""
    rows = []
    for stream, detail, before, now in (("promotion", "campaign", 150, 29350), ("promotion", "pitching", 4, 950),
                                        ("donations", "", 400, 500)):
        for period, amount in (("previous", before), ("current", now)):
            rows.append({"period": period, "stream": stream, "detail": detail, "currency": "RUB",
                         "status": "completed", "payments": 1, "amount": amount})
    table = rv.by_stream(pd.DataFrame(rows)).set_index(["stream", "detail"])
    for detail in ("", "campaign", "pitching"):  # the stream (154 → 30 300) and both its lines
        assert pd.isna(table.loc[("promotion", detail), "delta_pct"]), detail
    assert table.loc[("donations", ""), "delta_pct"] == pytest.approx(25.0)


# --------------------------------------------------------------------------- item 2: tables that fit the page
def test_long_texts_give_way_and_numbers_never_shrink() -> None:
    shown = pd.DataFrame({"Название": ["Очень длинное название трека, которое не помещается " * 2],
                          "Причина": ["Нет прав на трек: пришлите договор с лейблом и подтверждение авторства"],
                          "Прослушивания": ["1 234 567"], "Изменение, %": ["−12,5"]})
    natural = table_widths.fit(shown, room=10_000)
    fitted = table_widths.fit(shown, squeezable=["Название", "Причина"], room=500)
    assert sum(fitted.values()) <= 500 < sum(natural.values())
    assert fitted["Прослушивания"] == natural["Прослушивания"] and fitted["Изменение, %"] == natural["Изменение, %"]
    assert min(fitted["Название"], fitted["Причина"]) >= table_widths.TEXT_MIN_PX
    # a header is never cut: a column is at least as wide as its header
    assert natural["Изменение, %"] >= table_widths.text_px("Изменение, %")


# ------------------------------------------------------------------------------------ item 9: the signed-in line
def test_a_provider_without_a_name_shows_the_email_once(seed_duckdb: Store) -> None:
    acc.add_account(seed_duckdb, acc.new_account("star@example.com", "artist", ARTIST))
    at = open_signed_in(seed_duckdb, "ui/views/artist_overview.py", "star@example.com")
    assert not at.exception
    line = next(str(x.value) for x in at.sidebar.text if "star@example.com" in str(x.value))
    assert line == "Вы вошли: star@example.com · Артист", line
    # item 1: a signed-in artist sees their own stage name under the title
    assert at.title[0].value == "Мой обзор" and at.subheader and at.subheader[0].value.startswith("🎤 ")


# ---------------------------------------------------------------------------- item 12: make run and the README
def write_secrets(folder: Path, auth: str) -> Path:
    path = folder / "secrets.toml"
    path.write_text(auth, encoding="utf-8")
    return path


def complete_auth() -> str:
    return "[auth]\n" + "".join(f'{k} = "{v}"\n' for k, v in AUTH_SECRETS.items())


def test_demo_mode_with_auth_is_refused_before_the_app_starts(tmp_path: Path) -> None:
    """What `make run` runs first: exit 2 and one line, before a demo store is built or Streamlit starts."""
    secrets = write_secrets(tmp_path, complete_auth())
    env = {**os.environ, "PROMO_DEMO_MODE": "1"}
    done = subprocess.run([sys.executable, "-m", "dashboard", "preflight", "--secrets", str(secrets)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("error: "), done.stderr
    assert "[auth]" in done.stderr and "make run" in done.stderr
    env["PROMO_DEMO_MODE"] = "0"  # the same file with sign-in: complete, so the app may start
    assert subprocess.run([sys.executable, "-m", "dashboard", "preflight", "--secrets", str(secrets)], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60).returncode == 0


def test_sign_in_setups_that_would_fail_on_every_page_are_refused(tmp_path: Path) -> None:
    assert start_refusal(True, [tmp_path / "missing.toml"]) is None  # the demo with no secrets: fine
    no_auth = start_refusal(False, [tmp_path / "missing.toml"])
    assert no_auth is not None and "no sign-in configured" in no_auth
    partial = write_secrets(tmp_path, '[auth]\nredirect_uri = "http://localhost:8501/oauth2callback"\n')
    why = start_refusal(False, [partial])
    assert why is not None and "missing cookie_secret, client_id, client_secret, server_metadata_url" in why
    broken = write_secrets(tmp_path, "[auth\n")
    assert "cannot be read" in (start_refusal(False, [broken]) or "")
    assert start_refusal(False, [write_secrets(tmp_path, complete_auth())]) is None
    # named providers ([auth.google]) carry the client keys themselves
    assert missing_keys({"redirect_uri": "r", "cookie_secret": "c",
                         "google": {"client_id": "i", "client_secret": "s", "server_metadata_url": "u"},
                         "okta": {"client_id": "i"}}) == ["okta.client_secret", "okta.server_metadata_url"]


def test_make_run_checks_before_it_builds_or_starts() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    run = re.search(r"^run: (.*)$", makefile, re.M)
    assert run is not None and run.group(1).split().index("run-preflight") < run.group(1).split().index(
        "$(STORE_FILE)")
    assert re.search(r"^run-preflight:.*\n\t@?PROMO_DEMO_MODE=1 \$\(PY\) -m dashboard preflight$", makefile, re.M)


def test_the_readme_tells_a_newcomer_what_runs_where() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert ".venv/bin/python -m dashboard" in readme and "ModuleNotFoundError" in readme
    assert "refuses to start" in readme and "exit 2" in readme
    assert "it starts and shows an error" not in readme
