"""Incremental sync from the platform's change log (issue 22): a store brought up to date change by change equals a
full sync of the same platform table, table by table; the log's limits send it to a full sync, said in one line;
the dashboard's own write-back comes back harmlessly; hostile rows are rejected as ingest rejects them."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest

from dashboard.cli import main
from dashboard.ingest.build import ingest
from dashboard.ingest.layout import load_layout
from dashboard.moderation import service
from dashboard.store import schema
from dashboard.store.connect import Store, StoreError
from dashboard.sync import changelog
from dashboard.sync import feed as feed_module
from dashboard.sync.changelog import FullSyncNeeded
from dashboard.sync.feed import Feed, FeedResult, follower_alive
from dashboard.sync.run import follow, run_sync, sync
from dashboard.sync.source import SourceError, resolve_source
from tests.feed_changes import TOO_LARGE_BYTES, Platform
from tests.pg_server import copy_database, create_database
from tests.sql import rows, scalar
from tests.sync_platform import (
    TABLE,
    libpq,
    make_platform,
    platform_execute,
    platform_keys,
    platform_value,
    read_only_role,
)

REPO = Path(__file__).resolve().parent.parent
ENV = "PROMO_TEST_FEED_URL"
_n = itertools.count()
quiet = lambda _m: None  # noqa: E731

BANNER_USER = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"
BANNER_KEY = f"banner_ad_{BANNER_USER}_banner_1769468400135_tnifsoqfv"
BANNER_ID = "banner_1769468400135_tnifsoqfv"


def new_platform(pg_url: str, snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = make_platform(pg_url, f"feed_{os.getpid()}_{next(_n)}", snapshot)
    monkeypatch.setenv(ENV, libpq(url))
    monkeypatch.setenv("PROMO_MAX_VALUE_BYTES", str(TOO_LARGE_BYTES))
    assert "installed the change log" in changelog.install(source())
    return url


@pytest.fixture
def platform(pg_url: str, fixture_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh platform database holding the deployed fixture, with the change log installed; its URL is in $ENV."""
    return new_platform(pg_url, fixture_snapshot, monkeypatch)


@pytest.fixture
def small_platform(pg_url: str, fixture_snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The same with 40 of the fixture's keys and the pending banner: for tests whose every step is a full sync."""
    lines = fixture_snapshot.read_text(encoding="utf-8").splitlines()
    small = tmp_path / "small.ndjson"
    small.write_text("".join(line + "\n" for n, line in enumerate(lines) if n < 40 or BANNER_KEY in line),
                     encoding="utf-8")
    return new_platform(pg_url, small, monkeypatch)


def source() -> Any:
    return resolve_source(f"env:{ENV}")


def new_store(kind: str, platform: str, pg_url: str, tmp_path: Path) -> Store:
    if kind == "duckdb":
        return Store(str(tmp_path / f"store{next(_n)}.duckdb"))
    if kind == "same_postgresql":
        return Store(platform)
    return Store(create_database(pg_url, f"feedstore_{os.getpid()}_{next(_n)}"))


def full_reference(kind: str, platform: str, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """A full sync of the platform table as it is now, into a new store of the same kind (a store that lives in the
    platform's database: a copy of that database, synced into itself)."""
    if kind == "same_postgresql":
        copy = copy_database(pg_url, platform.rsplit("/", 1)[1], f"feedref_{os.getpid()}_{next(_n)}")
        monkeypatch.setenv("PROMO_TEST_FEED_REF", libpq(copy))
        ref = Store(copy)
        sync(resolve_source("env:PROMO_TEST_FEED_REF"), ref, say=quiet)
        return ref
    ref = new_store(kind, platform, pg_url, tmp_path)
    sync(source(), ref, say=quiet)
    return ref


def dump(store: Store) -> dict[str, list[str]]:
    """Every replaceable table's rows, sorted (kv_rejects: the record and its reason; its run id, source part and
    record number say which run read it)."""
    out: dict[str, list[str]] = {}
    con: Any = (psycopg.connect(libpq(store.name)) if store.is_postgres
                else duckdb.connect(str(store.path), read_only=True))
    try:
        for table in schema.replaceable_tables():
            cols = ["raw", "reason"] if table == "kv_rejects" else [c for c, _ in schema.table_columns(table)]
            rows = con.execute(f"SELECT {', '.join(chr(34) + c + chr(34) for c in cols)} FROM {table}").fetchall()
            out[table] = sorted(repr(r) for r in rows)
    finally:
        con.close()
    return out


def assert_same_tables(store: Store, reference: Store) -> None:
    got, want = dump(store), dump(reference)
    differ = {t: (len(got[t]), len(want[t])) for t in want if got[t] != want[t]}
    assert not differ, f"tables that differ from a full sync (rows incremental, full): {differ}"
    assert sum(len(rows) for rows in want.values()) > 1000


# ---------------------------------------------------------------- equality with a full sync


@pytest.mark.parametrize(("kind", "total"), [("duckdb", 1000), ("same_postgresql", 1000),
                                              ("other_postgresql", 150)])  # two full syncs cost most there
def test_a_thousand_random_changes_give_what_a_full_sync_gives(kind: str, total: int, platform: str, pg_url: str,
                                                                fixture_snapshot: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store = new_store(kind, platform, pg_url, tmp_path)
    said: list[str] = []
    assert not isinstance(run_sync(source(), store, say=said.append), FeedResult)  # the first sync is a full one
    gen = Platform.of(platform, fixture_snapshot, seed=22)
    rng = random.Random(22)
    entries = range(len(load_layout("deployed").entries))
    pending = [gen.new_key_of(e) for e in entries]  # a new key of every layout entry
    done, applied, batches = 0, 0, 0
    while done < total:
        while len(pending) < total - done and rng.random() < 0.97:
            pending.append(gen.change())
        size = min(len(pending), rng.randint(1, 60))
        gen.run(pending[:size])
        done += size
        del pending[:size]
        if rng.random() < 0.12 * 1000 / total or done >= total:  # a sync now and then, several transactions at once
            result = run_sync(source(), store, say=said.append)
            assert isinstance(result, FeedResult), said
            applied += result.changes
            batches += 1
    assert applied >= total and batches >= 4, (applied, batches)
    if total >= 1000:  # every kind the issue names was among the changes (150 are mostly the 128 new keys)
        kinds = {"new key", "delete", "deleted key again", "double-encoded", "decoded back", "type changed",
                 "hostile"}
        assert kinds <= set(gen.kinds), gen.kinds
    assert not any("full sync" in line for line in said[1:]), said
    assert_same_tables(store, full_reference(kind, platform, pg_url, tmp_path, monkeypatch))


def test_a_change_committed_after_a_later_one_is_not_skipped(small_platform: str) -> None:
    """Change ids are taken when a statement runs: a transaction holding id n may commit after one holding n+1.
    The log is read by transaction visibility, so the earlier id is applied when it commits."""
    store = Store(small_platform)
    run_sync(source(), store, say=quiet)
    slow = psycopg.connect(libpq(small_platform))
    try:
        slow.execute(f"UPDATE {TABLE} SET value = jsonb_set(value, '{{campaign_name}}', '\"Медленная\"') "
                     "WHERE key = %s", [BANNER_KEY])
        platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES ('profile:feed-late', '{{\"id\": \"late\"}}')")
        first = run_sync(source(), store, say=quiet)
        assert isinstance(first, FeedResult) and first.changes == 1
        slow.commit()
    finally:
        slow.close()
    second = run_sync(source(), store, say=quiet)
    assert isinstance(second, FeedResult) and second.changes == 1
    assert scalar(store, "SELECT title FROM banner_ads WHERE id = :i", i=BANNER_ID) == "Медленная"


@pytest.mark.parametrize("kind", ["duckdb", "same_postgresql", "other_postgresql"])
def test_a_batch_is_one_store_transaction(kind: str, small_platform: str, pg_url: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch that fails after its deletes and inserts ran (its last statement, the new position, fails) leaves
    the store exactly as it was, position included: a page never sees half a batch. The next run applies it all."""
    store = new_store(kind, small_platform, pg_url, tmp_path)
    run_sync(source(), store, say=quiet)
    before, position = dump(store), scalar(store, "SELECT snapshot FROM sync_feed")
    gone = platform_keys(small_platform, "artist:%")[0]
    platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES ('profile:feed-atomic', "
                                     "'{\"id\": \"feed-atomic\", \"name\": \"Целиком\"}')")
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = jsonb_set(value, '{{status}}', '\"approved\"') "
                                     "WHERE key = %s", [BANNER_KEY])
    platform_execute(small_platform, f"DELETE FROM {TABLE} WHERE key = %s", [gone])
    real = feed_module.write_state

    def fails_last(execute: Any, dialect: str, row: dict[str, Any]) -> None:
        real(execute, dialect, row)
        raise (duckdb.Error if dialect == "duckdb" else psycopg.Error)("injected after the batch's last statement")

    monkeypatch.setattr(feed_module, "write_state", fails_last)
    with pytest.raises(StoreError, match="nothing applied"):
        Feed(source(), store).apply(quiet)
    assert dump(store) == before
    assert scalar(store, "SELECT snapshot FROM sync_feed") == position
    monkeypatch.setattr(feed_module, "write_state", real)
    result = run_sync(source(), store, say=quiet)
    assert isinstance(result, FeedResult) and (result.changes, result.deleted) == (3, 1), result.line()
    assert scalar(store, "SELECT name FROM profiles WHERE id = 'feed-atomic'") == "Целиком"
    assert scalar(store, "SELECT status FROM banner_ads WHERE id = :i", i=BANNER_ID) == "approved"
    assert scalar(store, "SELECT COUNT(*) FROM kv_store WHERE key = :k", k=gone) == 0
    assert scalar(store, "SELECT COUNT(*) FROM artists WHERE source_key = :k", k=gone) == 0


# ---------------------------------------------------------------- when a full sync is needed, one line says why


def full_lines(said: list[str]) -> list[str]:
    return [line for line in said if line.endswith(": full sync")]


def test_the_log_s_limits_send_the_store_to_a_full_sync(small_platform: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each reason a store cannot be brought up to date from the log (asked of one batch, which then writes
    nothing); ``sync`` says it in one line and syncs in full."""
    store = Store(small_platform)
    run_sync(source(), store, say=quiet)

    def why(layout: str = "auto") -> str:
        with pytest.raises(FullSyncNeeded) as raised:
            Feed(source(), store, layout).apply(quiet)
        return str(raised.value)

    def change(n: int = 1) -> None:
        for i in range(n):
            platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES (%s, '1') ON CONFLICT (key) DO UPDATE "
                                             "SET value = to_jsonb(random())", [f"ccn:unread:feed{i}"])

    change()
    result = run_sync(source(), store, say=quiet)
    assert isinstance(result, FeedResult) and result.changes == 1
    # a backlog larger than a full sync's worth; the position stays, so the changes are applied later
    monkeypatch.setenv("PROMO_FEED_MAX_CHANGES", "3")
    change(4)
    assert why() == "more than 3 changes to apply (PROMO_FEED_MAX_CHANGES): a full sync is cheaper"
    monkeypatch.delenv("PROMO_FEED_MAX_CHANGES")
    assert run_sync(source(), store, say=quiet).changes == 4  # type: ignore[union-attr]
    # the log lost changes the store has not applied (emptied by hand)
    change()
    platform_execute(small_platform, f"TRUNCATE {changelog.LOG}")
    assert why() == ("the change log lost changes this store has not applied (pruned, truncated, or the platform "
                     "table was truncated)")
    # the log removed: one line, then a full sync that says the next one will be full too
    assert "removed the change log" in changelog.remove(source())
    assert why() == "no change log on the platform (install it with --install-change-log)"
    said: list[str] = []
    assert not isinstance(run_sync(source(), store, say=said.append), FeedResult)
    assert full_lines(said) == ["  no change log on the platform (install it with --install-change-log): full sync"]
    assert not any("the next sync is a full one too" in line for line in said)  # said once
    assert why() == "no change log on the platform (install it with --install-change-log)"  # still none
    # installed after that sync: the store has no position in it yet
    changelog.install(source())
    assert why() == "the store has no position in the change log yet (its last full sync found none)"
    run_sync(source(), store, say=quiet)
    # removed and installed again: another log
    changelog.remove(source())
    changelog.install(source())
    assert why() == "the change log was installed again since the store's last sync"
    run_sync(source(), store, say=quiet)
    # the platform table truncated (no row trigger fires): every store rebuilds
    with psycopg.connect(libpq(small_platform)) as conn:
        conn.execute(f"TRUNCATE {TABLE}")
        conn.execute(f"INSERT INTO {TABLE} VALUES ('profile:only', '{{}}')")
    assert "--layout seed is not the store's layout" in why("seed")
    assert "truncated" in why()


def test_pruning_keeps_what_a_store_has_not_applied_or_says_so(small_platform: str) -> None:
    """Pruning deletes applied changes older than the kept hours: a store that applied them goes on incrementally;
    a store that had not rebuilds."""
    store = Store(small_platform)
    run_sync(source(), store, say=quiet)
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = value")
    assert isinstance(run_sync(source(), store, say=quiet), FeedResult)
    platform_execute(small_platform, f"UPDATE {changelog.LOG} SET changed_at = changed_at - interval '2 days'")
    # nobody pruned it for two days: --change-log-status says so, in its one line
    unpruned = changelog.status(source())
    assert "; warning: it keeps changes since " in unpruned and "older than PROMO_CHANGE_LOG_KEEP_HOURS (24 h): no " \
        "sync prunes it" in unpruned and "\n" not in unpruned, unpruned
    assert changelog.prune(source(), 24) > 0
    assert "warning" not in changelog.status(source())
    said: list[str] = []
    assert isinstance(run_sync(source(), store, say=said.append), FeedResult) and not full_lines(said)
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = value")
    platform_execute(small_platform, f"UPDATE {changelog.LOG} SET changed_at = changed_at - interval '2 days'")
    assert changelog.prune(source(), 24) > 0
    run_sync(source(), store, say=said.append)
    assert len(full_lines(said)) == 1


# ---------------------------------------------------------------- our own write-back through the feed


def test_our_own_write_back_comes_back_without_conflict_or_a_second_notice(platform: str) -> None:
    store = Store(platform)
    run_sync(source(), store, say=quiet)
    notices = set(platform_keys(platform, f"notification:{BANNER_USER}:%"))
    [out] = service.decide(store, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                           "approve", "moder")
    assert out.applied, out.message
    added = set(platform_keys(platform, f"notification:{BANNER_USER}:%")) - notices
    assert len(added) == 1
    before = platform_keys(platform, "%")
    result = run_sync(source(), store, say=quiet)
    assert isinstance(result, FeedResult) and result.own == result.changes >= 2  # the item and the notification
    assert platform_keys(platform, "%") == before  # the sync itself writes nothing on the platform
    # the store holds what the platform holds: one notification of the decision, the approved banner
    assert scalar(store, "SELECT COUNT(*) FROM notifications WHERE source_key = :k", k=added.pop()) == 1
    assert scalar(store, "SELECT status FROM banner_ads WHERE id = :i", i=BANNER_ID) == "pending_payment"
    # deciding again is "already decided", not a conflict with ourselves; undo goes through
    [again] = service.decide(store, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                             "approve", "moder")
    assert not again.applied and again.platform_since is None and "already pending_payment by moder" in again.message
    undone = service.undo(store, service.Item("banner_ads", BANNER_ID, BANNER_KEY), "moder")
    assert undone.applied, undone.message
    assert platform_value(platform, BANNER_KEY)[1]["status"] == "pending_moderation"
    before = platform_keys(platform, "%")
    result = run_sync(source(), store, say=quiet)
    assert isinstance(result, FeedResult) and result.own == result.changes > 0
    assert platform_keys(platform, "%") == before
    assert scalar(store, "SELECT status FROM banner_ads WHERE id = :i", i=BANNER_ID) == "pending_moderation"
    # an artist's edit after that batch: "changed on the platform since" names the batch, not the last full sync
    platform_execute(platform, f"UPDATE {TABLE} SET value = jsonb_set(value, '{{campaign_name}}', '\"Правка\"') "
                               "WHERE key = %s", [BANNER_KEY])
    [conflict] = service.decide(store, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                                "approve", "moder")
    assert conflict.platform_since == scalar(store, "SELECT checked_at FROM sync_feed").isoformat()


# ---------------------------------------------------------------- bad inputs


def test_hostile_rows_from_the_log_are_rejected_as_ingest_rejects_them(small_platform: str, tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(str(tmp_path / "hostile.duckdb"))
    run_sync(source(), store, say=quiet)
    platform_execute(small_platform, f"ALTER TABLE {TABLE} ALTER COLUMN value DROP NOT NULL")
    hostile = [("k" * 2100, {"id": 1}), ("deep:one", json.loads("[" * 600 + "]" * 600)),
               ("profile:nan", '{"id": NaN}'), ("profile:nul", '{"bio": "a\\u0000b"}'), (" ", {"id": "blank"}),
               ("big:one", {"blob": "x" * (TOO_LARGE_BYTES + 10)}), ("profile:comma", '{"id": "c",}')]
    for key, value in hostile:
        platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES (%s, %s::jsonb)", [key, json.dumps(value)])
    platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES ('profile:null', NULL)")
    said: list[str] = []
    result = run_sync(source(), store, say=said.append)
    assert isinstance(result, FeedResult) and result.changes == len(hostile) + 1
    snapshot = tmp_path / "same.ndjson"
    with psycopg.connect(libpq(small_platform)) as conn:
        snapshot.write_text("".join(
            r[0] + "\n" for r in conn.execute(f"SELECT {changelog.LINE_SQL} FROM {TABLE} AS t WHERE key = ANY(%s)",
                                              [[k for k, _ in hostile] + ["profile:null"]])), encoding="utf-8")
    reference = ingest([snapshot], Store(str(tmp_path / "ref.duckdb")), "deployed", say=quiet)
    assert result.rejects_by_reason == reference.rejects_by_reason and result.rows_rejected == 7
    assert "7 rejected (" in result.line() and "\n" not in result.line()
    assert scalar(store, "SELECT COUNT(*) FROM kv_rejects WHERE reason = 'missing value'") == 1
    assert scalar(store, "SELECT COUNT(*) FROM kv_store WHERE key = 'profile:comma'") == 1  # read as ingest reads
    # the command: one line per run
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = %s::jsonb WHERE key = 'profile:nan'",
                     [json.dumps('{"id": Infinity}')])
    assert main(["sync", "--db", store.name, "--source", f"env:{ENV}"]) == 0
    out = capsys.readouterr()
    assert out.out.count("\n") == 1 and "1 rejected (NaN or Infinity" in out.out, out


# ---------------------------------------------------------------- install, remove, follow


def test_install_and_remove_on_the_command_line(small_platform: str, pg_url: str,
                                                capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["sync", "--source", f"env:{ENV}", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = cli("--install-change-log")
    assert code == 0 and out.startswith("the change log is already installed"), out
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = value WHERE key = %s", [BANNER_KEY])
    code, out, _ = cli("--change-log-status")
    assert out.startswith(f"change log on {TABLE} at ") and "1 change," in out, out
    # a role that may only read the table cannot remove (or install) it: one line naming what it needs
    platform = os.environ[ENV]
    monkeypatch.setenv(ENV, read_only_role(pg_url, small_platform, f"promo_feed_ro_{os.getpid()}"))
    code, _, err = cli("--remove-change-log")
    assert code == 1 and err.count("\n") == 1, err
    assert "needs the table's owner, or a role with TRIGGER on it" in err
    assert changelog.missing_reason(source()) == f"this role may not read the change log public.{changelog.LOG}"
    monkeypatch.setenv(ENV, platform)
    code, out, _ = cli("--remove-change-log")
    assert code == 0 and out.startswith("removed the change log"), out
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = value WHERE key = %s", [BANNER_KEY])
    with psycopg.connect(libpq(small_platform)) as conn:
        assert conn.execute("SELECT to_regclass(%s)", [changelog.LOG]).fetchone() == (None,)
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'promo_kv_changes%%'").fetchone() == (0,)
    code, _, err = cli("--follow", "--full")
    assert code == 2 and err.count("\n") == 1
    # Supabase grants its API roles every table of public by default: not the log's
    with psycopg.connect(libpq(small_platform), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = 'anon'").fetchone():
            conn.execute("CREATE ROLE anon NOLOGIN")
        conn.execute("ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon")
    code, out, _ = cli("--install-change-log")
    assert code == 0 and out.startswith("installed the change log"), out
    with psycopg.connect(libpq(small_platform)) as conn:
        assert conn.execute("SELECT has_table_privilege('anon', %s, 'SELECT') OR has_table_privilege('anon', %s, "
                            "'DELETE')", [changelog.LOG, changelog.STATE]).fetchone() == (False,)
    # the KV table dropped and made again: its triggers went with it, so there is no change log to read any more
    platform_execute(small_platform, f"DROP TABLE {TABLE}")
    platform_execute(small_platform, f"CREATE TABLE {TABLE} (key text PRIMARY KEY, value jsonb)")
    assert cli("--change-log-status")[1].startswith(f"no change log on {TABLE}")
    code, out, _ = cli("--install-change-log")
    assert code == 0 and out.startswith("installed the change log again (its triggers were gone)"), out


def test_full_rebuilds_though_the_log_could_and_keeps_the_position(small_platform: str, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """``sync --full`` rebuilds the store while the log could have brought it up to date (no reason line: it was
    asked for); it records its position, so the next plain ``sync`` applies only what changed after it."""
    store = tmp_path / "full.duckdb"

    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["sync", "--db", str(store), "--source", f"env:{ENV}", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert cli()[0] == 0  # the first sync: a full one
    platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES ('profile:feed-full', "
                                     "'{\"id\": \"feed-full\", \"name\": \"Полная\"}')")
    code, out, err = cli("--full")
    assert code == 0 and out.startswith("ingest ") and "incremental" not in out, out
    assert ": full sync" not in err, err
    assert scalar(Store(str(store)), "SELECT COUNT(*) FROM ingest_runs") == 2
    assert scalar(Store(str(store)), "SELECT mode FROM sync_feed") == "full"
    assert scalar(Store(str(store)), "SELECT name FROM profiles WHERE id = 'feed-full'") == "Полная"
    code, out, _ = cli()
    assert code == 0 and out.startswith(f"incremental sync of {store}: up to date"), out  # not applied twice
    platform_execute(small_platform, f"UPDATE {TABLE} SET value = jsonb_set(value, '{{name}}', '\"После\"') "
                                     "WHERE key = 'profile:feed-full'")
    code, out, _ = cli()
    assert code == 0 and "1 change to 1 key applied" in out and out.count("\n") == 1, out
    assert scalar(Store(str(store)), "SELECT COUNT(*) FROM ingest_runs") == 2
    assert scalar(Store(str(store)), "SELECT name FROM profiles WHERE id = 'feed-full'") == "После"


def test_follow_applies_changes_as_they_come_and_stops(small_platform: str, tmp_path: Path) -> None:
    store = Store(str(tmp_path / "followed.duckdb"))
    stop = threading.Event()
    said: list[str] = []
    runner = threading.Thread(target=follow, args=(source(), store, "auto", 0.3),
                              kwargs={"say": said.append, "stop": stop}, daemon=True)
    runner.start()
    try:
        deadline = time.monotonic() + 60
        while not any("sync ok" in line for line in said) and time.monotonic() < deadline:
            time.sleep(0.1)  # the first run is a full sync (the store has no position)
        assert follower_alive(store)
        platform_execute(small_platform, f"INSERT INTO {TABLE} VALUES ('profile:feed-follow', "
                                   "'{\"id\": \"feed-follow\", \"name\": \"Следящий\"}')")
        while not any("incremental sync" in line for line in said) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert any("1 change to 1 key applied" in line for line in said), said
        quiet_before = len(said)
        time.sleep(1)
        assert len(said) == quiet_before  # nothing changed: nothing said
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not follower_alive(store)
    assert scalar(store, "SELECT name FROM profiles WHERE id = 'feed-follow'") == "Следящий"
    assert scalar(store, "SELECT follower FROM sync_feed") is not None  # the app says the feed stopped


def test_bench_sync_incremental_reports_lag_and_cpu_per_change(pg_url: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``bench sync --incremental`` as the command runs it, at the tiny scale and for two seconds: a follower per
    store keeps up with the writer's stream without a full sync, and the report gives each store's lag (p50, p95,
    max: from the platform's commit to the store's) and the CPU per change."""
    from dashboard.bench import demo_stores
    from dashboard.bench import sync_feed as bench_feed

    monkeypatch.setattr(demo_stores, "BENCH_DIR", tmp_path)  # the demo file and the stores: not the repo's data/
    monkeypatch.setattr(bench_feed, "BENCH_DIR", tmp_path)
    monkeypatch.setenv("PROMO_BENCH_SOURCE", "")  # the bench sets it for its children: unset again after
    monkeypatch.chdir(REPO)  # its children import the dashboard from here
    result = bench_feed.bench_incremental("tiny", 42, pg_url, rate=20, seconds=2, poll=0.5)
    for name in ("duckdb", "same_postgresql"):
        r = result[name]
        assert r["full_syncs"] == 0 and r["changes"] >= 40 and r["batches"] >= 1, (name, r)
        assert 0 < r["lag_p50_s"] <= r["lag_p95_s"] <= r["lag_max_s"] < 60, (name, r)
        assert r["follower_cpu_ms_per_change"] > 0, (name, r)
        assert r["server_cpu_ms_per_change"] is None or r["server_cpu_ms_per_change"] > 0, (name, r)
    bench_feed.print_incremental(result)
    out = capsys.readouterr().out
    for label in ("-> DuckDB", "-> same PostgreSQL"):
        assert re.search(rf"{label} +[\d,]+ changes in [\d,]+ batches .*; lag p50 [\d.]+ s, p95 [\d.]+ s, max "
                         r"[\d.]+ s; CPU per change: follower [\d.]+ ms, PostgreSQL ([\d.]+|None) ms", out), out


def test_source_errors_stay_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "postgresql://nobody@127.0.0.1:9/nowhere")
    with pytest.raises(SourceError) as err:
        changelog.install(source())
    assert "\n" not in str(err.value)


# ---------------------------------------------------------------- the revenue rollups, group by group (issue 21)

ARTIST = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"
TESTER = "b81d4e77-2c3a-4f1e-a9d0-6e5c4b3a2f10"
DONATION_ID = "1769076000049-uletq9ar2"
LINKED_REQUEST = "track_test:requests:00000000-0000-4000-8000-000000000001"
PAY_FOR_DONATION = f"payments:{ARTIST}:tx:pay-for-donation"
TOTALLED_TRACK = f"track:{ARTIST}:1769011200031-b20aklu2g"  # analytics:{ARTIST}:track:… holds its play totals
GHOST = "feed-ghost-artist"
PAYER = "feed-payer"


def _lines_by_stream(store: Store) -> dict[str, int]:
    from tests.sql import rows

    return {s: int(n) for s, n in rows(store, "SELECT stream, SUM(lines) FROM revenue_daily GROUP BY stream")}


@pytest.mark.parametrize("kind", ["duckdb", "other_postgresql", "same_postgresql"])
def test_a_batch_moves_the_lines_that_other_keys_decide_about(kind: str, platform: str, pg_url: str,
                                                               fixture_snapshot: Path, tmp_path: Path) -> None:
    """A batch changes the rollups' groups of its lines and of the lines its rows decide about under other keys (a
    payment naming a donation, a subscription payment, a request linking a payment, a contract of a service order):
    after each batch both rollups equal the revenue lines summed, on every kind of store."""
    from tests.test_rollups import coins_in_step, directory_in_step, donations_in_step, orphans_in_step, revenue_in_step

    store = new_store(kind, platform, pg_url, tmp_path)
    assert not isinstance(run_sync(source(), store, say=quiet), FeedResult)
    gen = Platform.of(platform, fixture_snapshot, seed=5)
    before = _lines_by_stream(store)
    revenue_in_step(store)
    batches: list[list[tuple[str, list[Any]]]] = [
        # a donation_received payment names an existing donation: the payment is the line, the donation no longer
        [gen._set(PAY_FOR_DONATION, {"id": "pay-for-donation", "user_id": ARTIST, "amount": 100, "currency": "RUB",
                                     "type": "donation_received", "status": "completed",
                                     "metadata": {"donation_id": DONATION_ID},
                                     "created_at": "2026-01-22T10:00:01.000Z"})],
        # a subscription payment of a subscribed artist: the subscription is no line of its own any more
        [gen._set(f"payments:{ARTIST}:tx:pay-sub", {"id": "pay-sub", "user_id": ARTIST, "amount": 1490,
                                                     "type": "subscription", "status": "completed",
                                                     "created_at": "2026-01-27T09:00:00.000Z"})],
        # the request a track-test payment paid for is deleted: the payment becomes a line of its own
        [gen._delete(LINKED_REQUEST)],
        # a contract for a service order: the order is paid in milestones now
        [gen._set("contract:sord-demo-2", {"id": "ctr-feed", "orderId": "sord-demo-2", "clientId": "demo-user",
                                           "producerId": "artist-maxam", "status": "active", "milestones": [
                                               {"id": "ms-f", "index": 0, "amount": 500, "status": "approved"}],
                                           "createdAt": "2026-02-10T10:00:00.000Z"})],
        # the donation's payment goes away again: the donation is its own line once more; a new artist's first
        # track, and an artist's profile renamed (the artist directory)
        [gen._delete(PAY_FOR_DONATION),
         gen._set("track:feed-new-artist:feed-new-track", {
             "id": "feed-new-track", "userId": "feed-new-artist", "title": "Первый 🎵", "status": "pending",
             "createdAt": "2026-02-01T10:00:00.000Z"}),
         gen._set(f"profile:{ARTIST}", {"userId": ARTIST, "name": "Переименован 🎤", "city": "Казань",
                                        "role": "artist"}),
         gen._set(f"donation:{ARTIST}:feed-donation", {"id": "feed-donation", "artistId": ARTIST, "amount": 250,
                                                       "currency": "RUB", "status": "completed",
                                                       "createdAt": "2026-01-22T21:30:00.000Z"}),
         # a coin transaction changes its user and amount (both users' rows move), and one without a user
         gen._set(f"coins:tx:{ARTIST}:1769126400055-ygau7n1on", {
             "id": "1769126400055-ygau7n1on", "userId": TESTER, "amount": -70, "type": "spend",
             "createdAt": "2026-01-23T00:00:00.056Z"}),
         gen._set(f"coins:tx:{ARTIST}:feed-coins", {"id": "feed-coins", "amount": 5, "type": "earn",
                                                    "createdAt": "2026-01-24T00:00:00.000Z"})],
        # data health's orphans: a track with play totals deleted (its totals lose their track), a donation to an
        # artist nobody knows
        [gen._delete(TOTALLED_TRACK),
         gen._set(f"donation:{GHOST}:feed-ghost-donation", {"id": "feed-ghost-donation", "artistId": GHOST,
                                                            "amount": 300, "currency": "RUB", "status": "completed",
                                                            "createdAt": "2026-01-25T10:00:00.000Z"}),
         # a payer who owns nothing yet: no artist, so none of Revenue → Artists' lines
         gen._set(f"payments:{PAYER}:tx:pay-feed", {"id": "pay-feed", "user_id": PAYER, "amount": 990,
                                                    "currency": "RUB", "type": "coins_purchase",
                                                    "status": "completed", "created_at": "2026-01-26T09:00:00.000Z"})],
        # and both end: the track is back, and the artist gets a profile
        [gen._set(TOTALLED_TRACK, {"id": TOTALLED_TRACK.rsplit(":", 1)[1], "userId": ARTIST, "title": "Снова 🎶",
                                   "status": "approved", "createdAt": "2026-01-21T10:00:00.000Z"}),
         gen._set(f"profile:{GHOST}", {"userId": GHOST, "name": "Призрак 👻", "role": "artist"}),
         # the payer's first track: an artist now, with the payment among the artist's lines
         gen._set(f"track:{PAYER}:feed-payer-track", {"id": "feed-payer-track", "userId": PAYER, "title": "Дебют",
                                                      "status": "pending", "createdAt": "2026-02-02T10:00:00.000Z"})],
    ]
    seen: list[dict[str, int]] = []
    counted: list[int] = []
    orphans = [orphans_in_step(store)]
    payer_lines: list[list[tuple[Any, ...]]] = []
    for batch in batches:
        gen.run(batch)
        assert isinstance(run_sync(source(), store, say=quiet), FeedResult)
        revenue_in_step(store)
        directory_in_step(store)
        counted.append(donations_in_step(store))
        coins_in_step(store)
        orphans.append(orphans_in_step(store))
        payer_lines.append(rows(store, "SELECT lines, platform_net FROM artist_lines_daily WHERE artist_id = :a",
                                a=PAYER))
        seen.append(_lines_by_stream(store))
    assert seen[0]["donations"] == before["donations"]  # one line moved: the donation's became the payment's
    assert seen[1].get("subscriptions", 0) == seen[0].get("subscriptions", 0)  # the payment replaced the line
    assert seen[2]["track_tests"] == before["track_tests"]  # the request's line went, the payment's came
    assert seen[3]["services"] == seen[2]["services"]  # the order's line went, the milestone's came
    assert seen[4]["donations"] == seen[3]["donations"] + 1  # the new donation (the other one moved back)
    assert counted[4] == counted[3] + 1
    # the deleted track's play totals are orphans (one key), as is the ghost's donation; then neither is
    assert orphans[6][0] == orphans[5][0] + 1 and orphans[6][1] == orphans[5][1] + 1
    assert orphans[7] == orphans[5] == orphans[0]
    assert payer_lines[5] == [] and [(int(n), float(net)) for n, net in payer_lines[6]] == [(1, 990.0)]
    from dashboard.store.queries import run_query

    assert run_query(store, "artists_matching", search="переим", limit=5)["city"].tolist() == ["Казань"]
