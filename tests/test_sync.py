"""sync from the platform's KV table (a real PostgreSQL database the suite starts) and write-back of decisions."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from dashboard.ingest.build import ingest
from dashboard.moderation import service
from dashboard.store.connect import Store, StoreError
from dashboard.store.queries import read_engine
from dashboard.sync.platform import PlatformError
from dashboard.sync.run import detect_layout, sync, sync_every
from dashboard.sync.source import SourceError, resolve_source
from tests.pg_server import create_database
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
_n = itertools.count()
ENV = "PROMO_TEST_PLATFORM_URL"
quiet = lambda _m: None  # noqa: E731


@pytest.fixture
def platform(pg_url: str, fixture_snapshot: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh platform database holding the deployed fixture; its URL is in $PROMO_TEST_PLATFORM_URL."""
    url = make_platform(pg_url, f"platform_{os.getpid()}_{next(_n)}", fixture_snapshot)
    monkeypatch.setenv(ENV, libpq(url))
    return url


def counts(result: object) -> dict[str, object]:
    names = ("rows_read", "rows_loaded", "rows_rejected", "rows_unmapped", "table_counts", "coercion_nulls",
             "unmapped_by_pattern", "rejects_by_reason")
    return {n: getattr(result, n) for n in names}


def scalar(store: Store, sql: str, **params: object) -> object:
    with read_engine(store).connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def last_run_files(store: Store) -> list[dict[str, object]]:
    files = scalar(store, "SELECT files FROM ingest_runs ORDER BY finished_at DESC LIMIT 1")
    return json.loads(files) if isinstance(files, str) else files  # type: ignore[return-value]


# ---------------------------------------------------------------- source names and layout detection


def test_source_names_never_carry_a_password_on_the_command_line(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SourceError, match="password on the command line"):
        resolve_source("postgresql://u:s3cret@h/db")
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connections.platform]\nurl = "postgresql://sync:s3cret@db.example:5432/prod"\n')
    monkeypatch.delenv("PROMO_PLATFORM_URL", raising=False)
    src = resolve_source(None, secrets_file=secrets)
    assert src.credentials == "secrets:platform" and "s3cret" in src.conninfo()
    assert src.label == "postgresql://sync@db.example:5432/prod"
    monkeypatch.setenv("MY_PLATFORM", "postgresql://w:pw@h/db")
    assert resolve_source("env:MY_PLATFORM").label == "postgresql://w@h/db"
    for bad in ("env:NOPE_NOT_SET", "secrets:missing", "mysql://x", "env:bad name"):
        with pytest.raises(SourceError):
            resolve_source(bad, secrets_file=secrets)
    with pytest.raises(SourceError, match="not a table name"):
        resolve_source("env:MY_PLATFORM", table="kv; DROP TABLE x")


def test_layout_auto_recognises_both_layouts(fixture_snapshot: Path, demo_snapshot: Path) -> None:
    deployed = [json.loads(line)["key"] for line in fixture_snapshot.open(encoding="utf-8")]
    seed = [json.loads(line)["key"] for line, _ in zip(demo_snapshot.open(encoding="utf-8"), range(5000),
                                                       strict=False)]
    assert detect_layout(deployed)[0] == "deployed"
    assert detect_layout(seed)[0] == "seed"
    with pytest.raises(Exception, match="cannot tell"):
        detect_layout(["nothing:known", "at:all"])


# ---------------------------------------------------------------- sync = ingest of the same data


@pytest.mark.parametrize("target", ["duckdb", "other_postgresql", "same_postgresql"])
def test_sync_gives_the_counts_of_ingest(target: str, platform: str, pg_url: str, fixture_snapshot: Path,
                                         tmp_path: Path) -> None:
    reference = ingest([fixture_snapshot], Store(str(tmp_path / "ref.duckdb")), "deployed", say=quiet)
    store = {"duckdb": lambda: Store(str(tmp_path / "synced.duckdb")),
             "other_postgresql": lambda: Store(create_database(pg_url, f"synced_{os.getpid()}_{next(_n)}")),
             "same_postgresql": lambda: Store(platform)}[target]()
    said: list[str] = []
    result = sync(resolve_source(f"env:{ENV}"), store, "auto", say=said.append)
    assert counts(result) == counts(reference)
    assert any("layout auto: deployed" in line for line in said)
    assert result.layout == "deployed"
    origin = last_run_files(store)[0]
    assert origin["format"] == "postgresql" and origin["table"] == TABLE and origin["writable"] is True
    assert origin["source"] == libpq(platform) and origin["credentials"] == f"env:{ENV}"
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 486
    # the platform table is untouched by a sync
    assert platform_value(platform, "coins:balance:demo-user")[0] == "string"


# ---------------------------------------------------------------- write-back


BANNER_USER = "3f6b2c1e-8a4d-4c9b-9e2f-1a7d5c3b9e01"
BANNER_KEY = f"banner_ad_{BANNER_USER}_banner_1769468400135_tnifsoqfv"
BANNER_ID = "banner_1769468400135_tnifsoqfv"


@pytest.fixture(params=["duckdb", "same_postgresql"])
def synced(request: pytest.FixtureRequest, platform: str, tmp_path: Path) -> Store:
    """A store synced from the platform: a DuckDB file, or the platform's own PostgreSQL database."""
    store = Store(str(tmp_path / "synced.duckdb")) if request.param == "duckdb" else Store(platform)
    sync(resolve_source(f"env:{ENV}"), store, "auto", say=quiet)
    return store


def log_rows(store: Store) -> int:
    return int(scalar(store, "SELECT COUNT(*) FROM moderation_log"))  # type: ignore[arg-type]


def test_approving_a_pending_banner_writes_it_back(synced: Store, platform: str) -> None:
    before = set(platform_keys(platform, f"notification:{BANNER_USER}:%"))
    [out] = service.decide(synced, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                           "approve", "moder")
    assert out.applied, out.message
    kind, value = platform_value(platform, BANNER_KEY)
    assert kind == "object" and value["status"] == "pending_payment" and value["campaign_name"] == "Промо Сандра"
    assert value["updated_at"].endswith("Z") and "updatedAt" not in value  # spelling kept, nothing added
    added = set(platform_keys(platform, f"notification:{BANNER_USER}:%")) - before
    assert len(added) == 1
    notice = platform_value(platform, added.pop())[1]
    assert notice["userId"] == BANNER_USER and notice["metadata"]["entity_id"] == BANNER_ID
    assert log_rows(synced) == 1
    assert scalar(synced, "SELECT status FROM banner_ads WHERE id = :i", i=BANNER_ID) == "pending_payment"


def test_a_double_encoded_value_stays_double_encoded(synced: Store, platform: str) -> None:
    key, item_id = pending_double_encoded_track(platform)
    kind_before, text_before = platform_value(platform, key)
    assert kind_before == "string"
    camel_before = [f for f in json.loads(text_before) if any(c.isupper() for c in f)]
    [out] = service.decide(synced, [service.Item("tracks", item_id, key, "pending")], "approve", "moder")
    assert out.applied, out.message
    kind, text = platform_value(platform, key)
    assert kind == "string"  # still a JSON string holding JSON, as the platform wrote it
    value = json.loads(text)
    assert value["status"] == "approved"
    assert [f for f in value if any(c.isupper() for c in f)] == camel_before


def pending_double_encoded_track(platform: str) -> tuple[str, str]:
    with psycopg.connect(libpq(platform)) as conn:
        for key, text in conn.execute(f"SELECT key, value #>> '{{}}' FROM {TABLE} WHERE key LIKE 'track:%' "
                                      "AND key NOT LIKE 'track:public:%' AND jsonb_typeof(value) = 'string' "
                                      "ORDER BY key"):
            value = json.loads(text)
            if value.get("status") == "pending":
                return key, str(value["id"])
    pytest.skip("the fixture has no pending double-encoded track")


def test_a_platform_change_since_the_sync_is_a_conflict(synced: Store, platform: str) -> None:
    platform_execute(platform, f"UPDATE {TABLE} SET value = jsonb_set(value, '{{campaign_name}}', "
                               "'\"Промо Сандра (новое)\"') WHERE key = %s", [BANNER_KEY])
    before = set(platform_keys(platform, "notification:%"))
    [out] = service.decide(synced, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                           "approve", "moder")
    assert not out.applied and out.kind == "conflict" and out.platform_since is not None
    assert "changed on the platform since" in out.message
    value = platform_value(platform, BANNER_KEY)[1]
    assert value["status"] == "pending_moderation" and value["campaign_name"] == "Промо Сандра (новое)"
    assert set(platform_keys(platform, "notification:%")) == before
    assert log_rows(synced) == 0
    # the dashboard's copy was refreshed from the platform: the next attempt sees what the platform has
    assert scalar(synced, "SELECT title FROM banner_ads WHERE id = :i", i=BANNER_ID) == "Промо Сандра (новое)"
    [again] = service.decide(synced, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                             "approve", "moder")
    assert again.applied and platform_value(platform, BANNER_KEY)[1]["status"] == "pending_payment"


def test_an_unreachable_platform_refuses_with_one_line(synced: Store, platform: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, "postgresql://nobody@127.0.0.1:9/nowhere")
    with pytest.raises(PlatformError) as err:
        service.decide(synced, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                       "approve", "moder")
    assert "\n" not in str(err.value) and "nothing was written" in str(err.value)
    assert log_rows(synced) == 0
    assert scalar(synced, "SELECT status FROM banner_ads WHERE id = :i", i=BANNER_ID) == "pending_moderation"
    assert platform_value(platform, BANNER_KEY)[1]["status"] == "pending_moderation"
    # the command line: one line, exit 1, no traceback
    env = {**os.environ, ENV: "postgresql://nobody@127.0.0.1:9/nowhere"}
    done = subprocess.run([sys.executable, "-m", "dashboard", "moderate", "--db", synced.name, "--entity",
                           "banner_ads", "--id", BANNER_ID, "--action", "approve", "--actor", "m"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and done.stderr.startswith("error: "), done.stderr


def test_a_read_only_role_gives_read_only_moderation(platform: str, pg_url: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    ro = read_only_role(pg_url, platform, f"promo_ro_{os.getpid()}")
    monkeypatch.setenv("PROMO_TEST_RO_URL", ro)
    store = Store(str(tmp_path / "ro.duckdb"))
    said: list[str] = []
    sync(resolve_source("env:PROMO_TEST_RO_URL"), store, "auto", say=said.append)
    assert last_run_files(store)[0]["writable"] is False
    assert any("read-only" in line for line in said)
    with pytest.raises(PlatformError, match="read-only"):
        service.decide(store, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                       "approve", "moder")
    assert log_rows(store) == 0


def test_snapshot_stores_keep_deciding_locally(fixture_snapshot: Path, tmp_path: Path) -> None:
    store = Store(str(tmp_path / "file.duckdb"))
    ingest([fixture_snapshot], store, "deployed", say=quiet)
    [out] = service.decide(store, [service.Item("banner_ads", BANNER_ID, BANNER_KEY, "pending_moderation")],
                           "approve", "moder")
    assert out.applied and out.changed_keys  # for export-changes


# ---------------------------------------------------------------- concurrent platform appends


def test_concurrent_platform_appends_to_a_list_are_never_lost(pg_url: str, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.demo.snapshot import write_demo_snapshot

    snap = tmp_path / "tiny.ndjson"
    write_demo_snapshot(snap, scale="tiny", seed=3, as_of=__import__("datetime").date(2026, 11, 1))
    url = make_platform(pg_url, f"platform_seed_{os.getpid()}_{next(_n)}", snap)
    platform_execute(url, f"INSERT INTO {TABLE} VALUES ('banners:active:list', '[]') ON CONFLICT DO NOTHING")
    monkeypatch.setenv(ENV, libpq(url))
    store = Store(str(tmp_path / "seed.duckdb"))
    sync(resolve_source(f"env:{ENV}"), store, "auto", say=quiet)
    with read_engine(store).connect() as conn:
        pending = conn.execute(sa.text("SELECT id, source_key FROM banner_ads WHERE status = 'pending' "
                                       "ORDER BY id LIMIT 4")).fetchall()
    assert pending, "the demo has pending banners"
    start = threading.Barrier(9)
    errors: list[BaseException] = []

    def platform_append(n: int) -> None:  # the platform's own writer: one atomic append per call
        try:
            with psycopg.connect(libpq(url), autocommit=True) as conn:
                start.wait()
                for i in range(5):
                    conn.execute(f"UPDATE {TABLE} SET value = value || to_jsonb(%s::text) "
                                 "WHERE key = 'banners:active:list'", [f"platform-{n}-{i}"])
                    time.sleep(0.01)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=platform_append, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    start.wait()
    outcomes = [service.decide(store, [service.Item("banner_ads", str(i), str(sk), "pending")], "approve", "m")[0]
                for i, sk in pending]
    for t in threads:
        t.join()
    assert not errors
    assert all(o.applied for o in outcomes), [o.message for o in outcomes]
    final = platform_value(url, "banners:active:list")[1]
    assert {f"platform-{n}-{i}" for n in range(8) for i in range(5)} <= set(final)
    assert {str(i) for i, _ in pending} <= set(final)
    assert len(final) == len(set(final))


# ---------------------------------------------------------------- the refresh loop


def test_sync_every_survives_a_failed_run(platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store(str(tmp_path / "loop.duckdb"))
    lines: list[str] = []
    attempt = itertools.count()

    def run() -> object:
        down = next(attempt) == 0
        spec = "postgresql://nobody@127.0.0.1:9/down" if down else libpq(platform)
        monkeypatch.setenv("PROMO_TEST_LOOP_URL", spec)
        return sync(resolve_source("env:PROMO_TEST_LOOP_URL"), store, "auto", say=quiet)

    failures = sync_every(run, 0.2, say=lines.append, max_runs=2)  # type: ignore[arg-type]
    assert failures == 1 and len(lines) == 2
    assert "sync failed" in lines[0] and "cannot reach" in lines[0] and "\n" not in lines[0]
    assert "sync ok" in lines[1]
    assert scalar(store, "SELECT COUNT(*) FROM kv_store") == 486


def test_sync_every_command_runs_twice_and_stops_on_sigterm(platform: str, tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    env = {**os.environ, ENV: libpq(platform)}
    proc = subprocess.Popen([sys.executable, "-m", "dashboard", "sync", "--source", f"env:{ENV}", "--db", str(db),
                             "--every", "1s"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None
    ok = []
    deadline = time.monotonic() + 240
    while len(ok) < 2 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if "sync ok" in line:
            ok.append(line)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert len(ok) == 2
    assert proc.returncode == 0 and "sync stopped" in out
    assert "Traceback" not in err
    assert libpq(platform).split("@")[1] in err  # the source is named (without a password)


def test_sync_command_errors_are_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PROMO_PLATFORM_URL": ""}
    for args in (["--source", "postgresql://u:hunter2@127.0.0.1:9/x"], ["--source", "postgresql://u@127.0.0.1:9/x"],
                 ["--source", "env:NOT_SET_ANYWHERE"], ["--every", "soon", "--source", "env:X"]):
        done = subprocess.run([sys.executable, "-m", "dashboard", "sync", "--db", str(tmp_path / "s.duckdb"), *args],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode in (1, 2) and done.stderr.count("\n") == 1, (args, done.stderr)
        assert "hunter2" not in done.stderr
    assert not (tmp_path / "s.duckdb").exists()


def test_store_error_is_the_base_of_platform_errors() -> None:
    assert issubclass(PlatformError, StoreError)


def test_parallel_streams_read_every_key_once(platform: str, tmp_path: Path) -> None:
    from dashboard.sync.source import read_snapshot

    platform_execute(platform, f"ANALYZE {TABLE}")
    snap = read_snapshot(resolve_source(f"env:{ENV}"), tmp_path, streams=3)
    assert len(snap.paths) > 1, "the fixture table spans enough pages to be split"
    keys = [json.loads(line)["key"] for p in snap.paths for line in p.open(encoding="utf-8")]
    assert snap.keys == len(keys) == len(set(keys)) == 486


def test_hostile_platform_rows_are_rejected_as_ingest_rejects_them(platform: str, tmp_path: Path) -> None:
    deep = "[" * 600 + "]" * 600
    platform_execute(platform, f"INSERT INTO {TABLE} VALUES (%s, '1'), ('deep:one', %s::jsonb)", ["k" * 2100, deep])
    store = Store(str(tmp_path / "hostile.duckdb"))
    result = sync(resolve_source(f"env:{ENV}"), store, "deployed", say=quiet)
    snapshot = tmp_path / "same.ndjson"
    with psycopg.connect(libpq(platform)) as conn:
        snapshot.write_text("".join(json.dumps({"key": k, "value": v}, ensure_ascii=False) + "\n"
                                    for k, v in conn.execute(f"SELECT key, value FROM {TABLE}")), encoding="utf-8")
    reference = ingest([snapshot], Store(str(tmp_path / "ref.duckdb")), "deployed", say=quiet)
    assert result.rejects_by_reason == reference.rejects_by_reason and result.rows_rejected == 2
    assert counts(result) == counts(reference)
    with read_engine(store).connect() as conn:
        files = {r[0] for r in conn.execute(sa.text("SELECT file FROM kv_rejects"))}
    # the source without a password, not a temp file; " part N" when the server's page count let the read be split
    # between connections (relpages, once autovacuum has analyzed the table)
    assert {re.sub(r" part \d+$", "", f) for f in files} == {libpq(platform)}
