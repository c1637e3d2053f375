"""The app shell: navigation per role, the overview page, the translation table, and where Streamlit may appear."""

from __future__ import annotations

import ast
import datetime as dt
import json
from pathlib import Path

import pytest

from dashboard.i18n.formatting import MOSCOW, number, rub, span_text
from dashboard.i18n.translations import LANGUAGES, TEXTS, load_table, t
from dashboard.store.connect import Store
from tests.apptest import new_app, open_page, parsed
from tests.conftest import AS_OF, REPO
from tests.sql import rows, scalar


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_overview_shows_the_stores_numbers(engine: str, demo_stores: dict[str, Store]) -> None:
    store = demo_stores[engine]
    at = open_page(store, "ui/views/overview.py", "manager")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Треки"] == number(scalar(store, "SELECT COUNT(*) FROM tracks"))
    assert metrics["Коины в обращении"] == number(scalar(store, "SELECT SUM(balance) FROM coins_balance"))
    artists = scalar(store, "SELECT COUNT(*) FROM (SELECT user_id FROM tracks UNION SELECT user_id FROM videos "
                            "UNION SELECT user_id FROM concerts) AS o WHERE user_id IS NOT NULL")
    assert metrics["Артисты"] == number(artists)
    by_status = parsed(next(df.value for df in at.dataframe if "Статус" in df.value.columns))
    expected = rows(store, "SELECT status, COUNT(*) FROM tracks GROUP BY status")
    assert dict(zip(by_status.iloc[:, 0], by_status.iloc[:, 1], strict=True)) == {
        t(f"status.{s}"): n for s, n in expected}  # statuses shown in Russian: "одобрен", "на модерации", …
    assert any("Данные на" in c.value and "Europe/Moscow" in c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 1  # the demo has donations in the 90 days up to its last day


@pytest.mark.parametrize("engine", ["duckdb", "postgresql"])
def test_donations_kpi_matches_sql(engine: str, demo_stores: dict[str, Store]) -> None:
    """The 30-day donations card (and the 30 days before) against independent SQL over Moscow days ending on the
    demo's last day with payments (its data stops at AS_OF, before today)."""
    store = demo_stores[engine]
    last = scalar(store, "SELECT MAX(created_at) FROM (SELECT created_at FROM payment_transactions UNION ALL "
                         "SELECT created_at FROM donations) AS d")
    end = last.astimezone(MOSCOW).date()
    assert AS_OF - dt.timedelta(days=2) <= end <= AS_OF

    def rub_between(a: dt.date, b: dt.date) -> object:
        return scalar(store, "SELECT COALESCE(SUM(amount), 0) FROM donations WHERE status = 'completed' AND "
                             "currency = 'RUB' AND created_at >= :a AND created_at < :b",
                      a=dt.datetime.combine(a, dt.time(), MOSCOW), b=dt.datetime.combine(b, dt.time(), MOSCOW))

    current = rub_between(end - dt.timedelta(days=29), end + dt.timedelta(days=1))
    previous = rub_between(end - dt.timedelta(days=59), end - dt.timedelta(days=29))
    assert current and previous
    at = open_page(store, "ui/views/overview.py", "admin")
    assert {m.label: m.value for m in at.metric}["Донаты за 30 дней"] == rub(current)
    span = span_text(end - dt.timedelta(days=59), end - dt.timedelta(days=30), "ru")  # the previous 30 days
    assert any(c.value == f"пред. 30 дней: {rub(previous)} · {span}" for c in at.caption)


def test_language_switch_to_english(demo_duckdb: Store) -> None:
    at = open_page(demo_duckdb, "ui/views/overview.py", "admin", lang="en")
    assert not at.exception
    assert [m.label for m in at.metric][:4] == ["Artists", "Tracks", "Donations, last 30 days", "Coins in circulation"]
    assert at.title[0].value == "Platform overview"


def test_roles_see_their_pages_only(demo_duckdb: Store) -> None:
    store = demo_duckdb
    artist = scalar(store, "SELECT MIN(user_id) FROM tracks")
    at = open_page(store, "ui/views/artist_overview.py", "artist", artist)
    assert not at.exception
    # not in an artist's navigation; a direct link to it (Streamlit's legacy pages/ mode) is refused by the page
    at.switch_page("ui/views/overview.py").run()
    assert not at.exception
    assert "Обзор платформы" not in [x.value for x in at.title]
    assert not at.metric
    assert any("недоступна для вашей роли" in e.value for e in at.error)
    at = open_page(store, "ui/views/overview.py", "moderator")
    assert not at.exception and at.metric


def test_missing_store_is_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:

    monkeypatch.setenv("PROMO_DB", str(tmp_path / "none.duckdb"))
    monkeypatch.setenv("PROMO_DEMO_MODE", "1")
    at = new_app().run()
    assert not at.exception
    assert any("Хранилище недоступно" in e.value and "no such store" in e.value for e in at.error)


def test_translation_table_is_complete() -> None:
    assert load_table() == TEXTS
    for key, entry in TEXTS.items():
        for lang in LANGUAGES:
            assert entry.get(lang), f"{key} has no {lang} text"
    assert t("overview.title", "en") == "Platform overview"
    assert t("no.such.key") == "no.such.key"


def test_duplicate_translation_keys_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"x": {"ru": "а", "en": "a"}}), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps({"x": {"ru": "б", "en": "b"}}), encoding="utf-8")
    with pytest.raises(ValueError, match="defined twice"):
        load_table(tmp_path)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


UI_ONLY = {"streamlit", "plotly"}


def test_streamlit_and_plotly_only_in_the_ui_folder() -> None:
    """Outside ui/ (and the app.py entrypoint; tests drive pages with AppTest), no import of Streamlit or Plotly,
    not even inside a function."""
    outside = [p for p in REPO.rglob("*.py")
               if not {".venv", "ui", "data", "tests"} & set(p.relative_to(REPO).parts) and p.name != "app.py"]
    assert any(p.parts[-2] == "moderation" for p in outside)  # the scan sees the packages
    offenders = {str(p.relative_to(REPO)): sorted(_imports(p) & UI_ONLY) for p in outside if _imports(p) & UI_ONLY}
    assert offenders == {}
    import subprocess
    import sys

    code = ("import sys, importlib, pkgutil, dashboard\n"
            "for m in pkgutil.walk_packages(dashboard.__path__, 'dashboard.'):\n"
            "    m.name.endswith('__main__') or importlib.import_module(m.name)\n"
            "assert not {'streamlit', 'plotly'} & set(sys.modules), 'streamlit or plotly imported'\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_no_legacy_pages_folder_and_no_private_streamlit_api() -> None:
    assert not (REPO / "pages").exists()  # a pages/ folder next to app.py starts Streamlit's legacy multipage mode
    for path in REPO.rglob("*.py"):
        if ".venv" not in path.parts:
            assert "Pages" + "Manager" not in path.read_text(encoding="utf-8"), path


def test_no_page_renders_html() -> None:
    for path in [REPO / "app.py", *sorted((REPO / "ui").rglob("*.py"))]:
        source = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html" not in source, path
        assert "st.html(" not in source, path


def test_pages_query_only_through_queries_or_repository() -> None:
    for path in sorted((REPO / "ui" / "views").glob("*.py")):
        imports = _imports(path)
        assert not imports & {"duckdb", "psycopg", "sqlalchemy"}, path
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("dashboard.store", "dashboard.store.connect"):
                assert {a.name for a in node.names} <= {"StoreError"}, path  # no engines in pages
