"""Sign-in in the app, on the server (AppTest with st.user as the provider would fill it): the pages each person
gets, the refusals (nothing else on them, not even the store's name), the configuration checks, and several app
replicas on one PostgreSQL store seeing each other's writes at once (separate processes, real cache each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import accounts as acc
from dashboard.i18n.translations import t
from dashboard.ingest.build import ingest
from dashboard.moderation import service
from dashboard.store.connect import Store
from tests.apptest import AUTH_SECRETS, ISOLATED_SECRETS, new_app, open_page, open_signed_in, signed_in_app, texts
from tests.conftest import REPO
from tests.data import ARTIST, SEED_RECORDS, write_snapshot
from tests.sql import scalar

MODERATOR = "irina@example.com"
ARTIST_EMAIL = "star@example.com"


@pytest.fixture
def store(seed_duckdb: Store) -> Store:
    """The small seed snapshot with a moderator, an artist and a disabled manager account."""
    s = seed_duckdb
    acc.add_account(s, acc.new_account(MODERATOR, "moderator", name="Ирина Петрова"))
    acc.add_account(s, acc.new_account(ARTIST_EMAIL, "artist", ARTIST))
    acc.add_account(s, acc.new_account("gone@example.com", "manager"))
    acc.set_disabled(s, "gone@example.com", True)
    return s


def nav_links(at: AppTest) -> list[str]:
    """The sidebar's page links, by page name ("" is the role's default page, the first one)."""
    return [str(link.proto.page) for link in at.get("page_link")]


def assert_refused(at: AppTest, store: Store, reason: str) -> None:
    assert not at.exception
    assert [x.value for x in at.title] == [t("access.refused.title")]
    assert t(f"access.refused.{reason}") in [i.value for i in at.info]
    assert not nav_links(at) and not at.metric and not at.dataframe
    shown = texts(at) + " ".join(str(c.value) for c in at.sidebar.caption)
    assert store.label() not in shown and Path(store.name).name not in shown
    assert [b.label for b in at.sidebar.button] == [t("access.sign_out")]


def test_not_signed_in_sees_only_the_sign_in_button(store: Store) -> None:
    at = signed_in_app(store, None).run()
    assert not at.exception
    assert [b.label for b in at.button] == [t("access.sign_in")]
    assert not nav_links(at) and not at.metric
    assert store.label() not in texts(at)


@pytest.mark.parametrize(("email", "reason"), [("stranger@example.com", "no_account"),
                                               ("gone@example.com", "disabled")])
def test_unknown_and_disabled_are_refused(store: Store, email: str, reason: str) -> None:
    at = signed_in_app(store, email).run()
    assert_refused(at, store, reason)
    assert "stranger@example.com" in texts(at) or reason == "disabled"
    # a direct link to a page changes nothing
    at.switch_page("ui/views/moderation_queue.py").run()
    assert_refused(at, store, reason)


def test_unverified_email_is_refused(store: Store) -> None:
    at = signed_in_app(store, MODERATOR, verified=False).run()
    assert_refused(at, store, "email_unverified")


def test_an_account_change_takes_effect_on_the_next_run(store: Store) -> None:
    at = signed_in_app(store, MODERATOR).run()
    assert "moderation_queue" in nav_links(at)
    acc.set_disabled(store, MODERATOR, True)  # through the CLI's write path, as another process would
    at.run()
    assert_refused(at, store, "disabled")


def test_artist_gets_own_pages_only(store: Store) -> None:
    at = open_signed_in(store, "ui/views/artist_overview.py", ARTIST_EMAIL)
    assert not at.exception
    # "": the default page, the artist's overview
    assert nav_links(at) == ["", "artist_tracks", "artist_audience", "artist_concerts", "artist_bookings",
                             "artist_fans", "artist_promotion", "artist_marketplace", "artist_track_tests"]
    assert "view_as" not in [w.key for w in at.sidebar.selectbox]
    assert "staff_artist" not in [w.key for w in at.sidebar.selectbox]
    shown = texts(at) + " ".join(str(c.value) for c in at.sidebar.caption)
    assert store.label() not in shown  # nothing internal: no store path
    for staff_page in ("overview", "moderation_queue", "moderation_log", "revenue"):
        at.switch_page(f"ui/views/{staff_page}.py").run()
        assert not at.exception
        assert t("error.forbidden") in [e.value for e in at.error], staff_page
        assert not at.metric and not at.dataframe


def test_moderator_gets_moderation_and_is_the_actor(store: Store) -> None:
    at = open_signed_in(store, "ui/views/moderation_queue.py", MODERATOR)
    assert not at.exception and not at.error
    assert set(nav_links(at)) >= {"moderation_queue", "moderation_log"}
    assert "revenue" not in nav_links(at)
    assert any(MODERATOR in str(x.value) for x in at.sidebar.text)
    assert at.session_state["identity"].actor == f"Ирина Петрова <{MODERATOR}>"
    at.switch_page("ui/views/revenue.py").run()
    assert t("error.forbidden") in [e.value for e in at.error]


def test_sign_out_button_is_there(store: Store) -> None:
    at = signed_in_app(store, MODERATOR).run()
    assert t("access.sign_out") in [b.label for b in at.sidebar.button]


def test_demo_mode_with_auth_is_refused(store: Store) -> None:
    at = signed_in_app(store, MODERATOR)
    os.environ["PROMO_DEMO_MODE"] = "1"
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("access.demo_with_auth")]
    assert not nav_links(at) and not at.metric and not at.sidebar.selectbox


def test_neither_demo_nor_auth_explains_the_setup(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMO_DB", store.name)
    monkeypatch.setenv("PROMO_DEMO_MODE", "0")
    at = new_app()
    at.secrets.update(ISOLATED_SECRETS)
    at.run()
    assert not at.exception
    assert t("access.not_configured") in [i.value for i in at.info]
    assert not nav_links(at) and store.label() not in texts(at)


def test_demo_mode_says_so_on_every_page(store: Store) -> None:
    for page in ("overview", "moderation_log", "artist_overview"):
        at = open_page(store, f"ui/views/{page}.py", "admin")
        assert t("access.demo_banner") in [w.value for w in at.warning], page


def test_auth_secrets_example_has_the_standard_keys() -> None:
    example = (REPO / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    for key in AUTH_SECRETS:
        assert f"# {key} = " in example


# ------------------------------------------------------------------------------- replicas on one PostgreSQL
class Replica:
    """One app process (tests/replica_app.py) signed in as ``email``."""

    def __init__(self, store: Store, email: str) -> None:
        env = {**os.environ, "PROMO_DB": store.name, "PYTHONPATH": str(REPO)}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.replica_app", email], cwd=REPO, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def show(self, page: str) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(page + "\n")
        self.proc.stdin.flush()
        report = json.loads(self.proc.stdout.readline())
        assert not report["exception"], report
        return report

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()
        self.proc.wait(timeout=60)


@pytest.fixture
def pg_seed(seed_postgresql: Store) -> Store:
    s = seed_postgresql
    acc.add_account(s, acc.new_account(MODERATOR, "moderator"))
    return s


@pytest.fixture
def replicas(pg_seed: Store) -> Iterator[tuple[Replica, Replica]]:
    pair = (Replica(pg_seed, MODERATOR), Replica(pg_seed, "late@example.com"))
    try:
        yield pair
    finally:
        for r in pair:
            r.close()


def pending_tracks(report: dict) -> int:
    """Tracks waiting for moderation, from the overview's "waiting by type" table (its first table)."""
    by_type = {row[0]: int(row[1]) for row in report["table"]}
    return by_type.get(t("mod.entity.tracks"), 0)


def test_replicas_see_a_decision_an_account_change_and_an_ingest_at_once(
        pg_seed: Store, replicas: tuple[Replica, Replica], tmp_path: Path) -> None:
    a, b = replicas
    overview = "ui/views/overview.py"
    first = a.show(overview)
    pending = scalar(pg_seed, "SELECT COUNT(*) FROM tracks WHERE status = 'pending'")
    assert pending_tracks(first) == pending > 0
    assert b.show("-")["titles"] == [t("access.refused.title")]  # no account yet

    # a decision through another process: both replicas show it on their next run (not after the 5-minute cache)
    item = service.find_items(pg_seed, "tracks", "t1")[0]
    assert service.decide(pg_seed, [item], "approve", "someone else")[0].applied
    assert pending_tracks(a.show(overview)) == pending - 1

    # an account change: the refused person gets in on the next run, and out again when disabled
    acc.add_account(pg_seed, acc.new_account("late@example.com", "manager"))
    assert pending_tracks(b.show(overview)) == pending - 1
    acc.set_disabled(pg_seed, "late@example.com", True)
    assert b.show(overview)["titles"] == [t("access.refused.title")]

    # an ingest: the new content shows on the next run
    records = [r for r in SEED_RECORDS if not r["key"].startswith("tracks:")]
    ingest([write_snapshot(tmp_path / "less.ndjson", records)], pg_seed, "seed", say=lambda _m: None)
    assert a.show(overview)["metrics"][t("overview.tracks")] == "0"


def _acting_script() -> None:
    import streamlit as st

    from ui.identity import acting_identity

    who = acting_identity("moderation_queue")
    st.text(who.actor if who else "refused")


def test_a_write_callback_decides_access_afresh(store: Store) -> None:
    """Widget callbacks run before the shell's check of the run: ``acting_identity`` decides again, uncached."""
    at = signed_in_app(store, MODERATOR)
    script = AppTest.from_function(_acting_script, default_timeout=60)
    script.secrets["auth"], script.user = at.secrets["auth"], at.user
    script.run()
    assert [x.value for x in script.text] == [f"Ирина Петрова <{MODERATOR}>"]
    acc.set_disabled(store, MODERATOR, True)
    script.run()
    assert [x.value for x in script.text] == ["refused"]
    script.user = {**at.user, "email": ARTIST_EMAIL}  # an artist may not decide
    script.run()
    assert [x.value for x in script.text] == ["refused"]
