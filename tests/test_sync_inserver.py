"""sync into the platform's own PostgreSQL database: the build runs inside the server (dashboard/ingest/pg_build.py)
and gives, table by table, what ``ingest`` of the same data gives on DuckDB."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
from sqlalchemy import Connection

from dashboard.ingest.build import ingest
from dashboard.ingest.dialect_postgres import match as match_pg
from dashboard.ingest.dialect_postgres import pg_regex
from dashboard.ingest.layout import load_layout
from dashboard.ingest.result import IngestResult
from dashboard.store import schema
from dashboard.store.connect import Store, engine
from dashboard.sync import run as sync_run
from dashboard.sync.inserver import same_database
from dashboard.sync.run import sync
from dashboard.sync.source import resolve_source
from tests.engines import comparable_rows
from tests.pg_server import create_database
from tests.sync_platform import TABLE, libpq, make_platform, platform_execute

REPO = Path(__file__).resolve().parent.parent
ENV = "PROMO_TEST_INSERVER_URL"
_n = itertools.count()


def same_counts(result: IngestResult, reference: IngestResult) -> None:
    mine, theirs = counts(result), counts(reference)
    for name, value in theirs.items():
        if isinstance(value, dict):
            diff = {k: (mine[name].get(k), v) for k, v in {**mine[name], **value}.items()  # type: ignore[union-attr]
                    if mine[name].get(k) != value.get(k)}  # type: ignore[union-attr]
            assert not diff, (name, diff)
        assert mine[name] == value, name


def counts(result: IngestResult) -> dict[str, object]:
    names = ("rows_read", "rows_loaded", "rows_rejected", "rows_unmapped", "duplicates", "table_counts",
             "coercion_nulls", "unmapped_by_pattern", "rejects_by_reason")
    return {n: getattr(result, n) for n in names}


def platform_ndjson(url: str, out: Path) -> Path:
    """The platform table as the NDJSON a sync reads out (values exactly as jsonb prints them)."""
    with psycopg.connect(libpq(url)) as conn, out.open("w", encoding="utf-8") as fh:
        for key, text in conn.execute(f"SELECT key, value::text FROM {TABLE}"):
            fh.write('{"key":' + json.dumps(key, ensure_ascii=False) + ',"value":' + text + "}\n")
    return out


def table_rows(conn: Connection, table: str) -> list[tuple[Any, ...]]:
    cols = schema.table_columns(table)
    names = ", ".join(f'CAST("{c}" AS TEXT) AS "{c}"' if t == "JSONB" else f'"{c}"' for c, t in cols)
    frame = pd.read_sql_query(f"SELECT {names} FROM {table}", conn)
    for col, declared in cols:  # JSON text (DuckDB) and parsed JSON (psycopg) brought to one form
        if declared == "JSONB":
            frame[col] = [json.dumps(json.loads(v), sort_keys=True) if isinstance(v, str) else None for v in frame[col]]
    if table == "kv_rejects":  # what was rejected and why; file, record numbers and run ids differ by nature
        return sorted((r, _reject_key(raw)) for raw, r in zip(frame["raw"], frame["reason"], strict=True))
    return comparable_rows(frame, ordered=False)


def _reject_key(raw: str) -> str:
    try:
        return str(json.loads(raw)["key"])
    except (ValueError, KeyError, RecursionError):
        m = re.match(r'\{"key":("(?:[^"\\]|\\.)*")', raw)
        return json.loads(m.group(1)) if m else raw


def assert_same_content(synced: Store, reference: Store) -> None:
    with engine(synced).connect() as synced_conn, engine(reference).connect() as reference_conn:
        for table in schema.replaceable_tables():
            _assert_same_table(table, table_rows(synced_conn, table), table_rows(reference_conn, table))


def _assert_same_table(table: str, mine: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]]) -> None:
    assert len(mine) == len(theirs), table
    if mine != theirs:  # say which rows differ (multisets: a list scan would be quadratic)
        extra, missing = Counter(mine) - Counter(theirs), Counter(theirs) - Counter(mine)
        raise AssertionError((table, list(extra)[:3], list(missing)[:3]))


def sync_same(url: str, layout: str = "auto", said: list[str] | None = None) -> IngestResult:
    os.environ[ENV] = libpq(url)
    return sync(resolve_source(f"env:{ENV}"), Store(url), layout, say=(said if said is not None else []).append)


@pytest.fixture
def platform(pg_url: str, fixture_snapshot: Path) -> str:
    return make_platform(pg_url, f"inserver_{os.getpid()}_{next(_n)}", fixture_snapshot)


def test_same_database_is_what_the_servers_say(platform: str, pg_url: str) -> None:
    os.environ[ENV] = libpq(platform)
    source = resolve_source(f"env:{ENV}")
    assert same_database(source, Store(platform))
    # the same database named another way (localhost instead of 127.0.0.1) is still the same database
    assert same_database(source, Store(platform.replace("127.0.0.1", "localhost")))
    assert not same_database(source, Store(create_database(pg_url, f"other_{os.getpid()}_{next(_n)}")))
    assert not same_database(source, Store("/tmp/x.duckdb"))


def test_deployed_fixture_same_content_as_ingest(platform: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    reference_store = Store(str(tmp_path / "ref.duckdb"))
    reference = ingest([platform_ndjson(platform, tmp_path / "p.ndjson")], reference_store, "deployed",
                       say=lambda _m: None)
    # no data leaves the server: reading the table out would fail
    monkeypatch.setattr(sync_run, "read_snapshot", lambda *_a, **_k: (_ for _ in ()).throw(AssertionError("read")))
    result = sync_same(platform, said=said)
    assert "  same database: building inside the server" in said
    assert any("layout auto: deployed" in line for line in said)
    same_counts(result, reference)
    assert result.rows_loaded == 486
    assert_same_content(Store(platform), reference_store)
    with engine(Store(platform)).connect() as conn:
        files = conn.exec_driver_sql("SELECT files FROM ingest_runs").scalar()
        leftovers = conn.exec_driver_sql("SELECT count(*) FROM pg_namespace "
                                         "WHERE starts_with(nspname, 'promo_')").scalar()
        functions = conn.exec_driver_sql("SELECT count(*) FROM pg_proc WHERE starts_with(proname, 'promo_')"
                                         ).scalar()
    origin = (json.loads(files) if isinstance(files, str) else files)[0]
    assert origin["format"] == "postgresql" and origin["table"] == TABLE and origin["writable"] is True
    assert origin["source"] == libpq(platform) and origin["layout_choice"] == "auto: deployed"
    assert origin["keys"] == 486 and "snapshot_at" in origin and origin["credentials"] == f"env:{ENV}"
    assert leftovers == 0 and functions == 0
    # a second run replaces the content (the swap), the same again
    again = sync_same(platform, "deployed")
    same_counts(again, reference)


def test_seed_layout_demo_same_content_as_ingest(pg_url: str, demo_snapshot: Path, tmp_path: Path) -> None:
    url = make_platform(pg_url, f"inserver_seed_{os.getpid()}_{next(_n)}", demo_snapshot)
    reference_store = Store(str(tmp_path / "ref.duckdb"))
    reference = ingest([platform_ndjson(url, tmp_path / "p.ndjson")], reference_store, "seed", say=lambda _m: None)
    result = sync_same(url)
    assert result.layout == "seed"
    same_counts(result, reference)
    assert_same_content(Store(url), reference_store)


HOSTILE_DEEP = "[" * 1200 + "]" * 1200


def test_hostile_rows_rejected_with_ingests_reasons(platform: str, tmp_path: Path) -> None:
    platform_execute(platform, f"INSERT INTO {TABLE} VALUES (%s, '1'), ('deep:one', %s::jsonb), "
                               "('bad:inner', to_jsonb(%s::text)), ('nul:inner', to_jsonb(%s::text)), "
                               "('nan:inner', to_jsonb(%s::text)), ('comma:inner', to_jsonb(%s::text)), "
                               "('deep:inner', to_jsonb(%s::text)), ('  ', '2')",
                     ["k" * 2100, HOSTILE_DEEP, '{"a": 1', '{"a": "x\\u0000y"}', '{"a": NaN}', '{"a": [1, 2,]}',
                      "[" * 600 + "]" * 600])
    reference_store = Store(str(tmp_path / "ref.duckdb"))
    reference = ingest([platform_ndjson(platform, tmp_path / "p.ndjson")], reference_store, "deployed",
                       say=lambda _m: None)
    result = sync_same(platform, "deployed")
    assert result.rejects_by_reason == reference.rejects_by_reason
    assert result.rows_rejected == reference.rows_rejected == 6
    same_counts(result, reference)
    assert_same_content(Store(platform), reference_store)


def sample_of_each_pattern(keys: Iterable[str], each: int = 12) -> list[str]:
    """At most ``each`` keys for every pattern of both layouts that they match first (and of those none matches):
    every pattern the demo writes, without its thousands of repeats."""
    regexes = [re.compile(e.regex) for name in ("seed", "deployed") for e in load_layout(name).entries]
    seen: Counter[int] = Counter()
    out: list[str] = []
    for key in keys:
        first = next((i for i, rx in enumerate(regexes) if rx.fullmatch(key)), -1)
        if seen[first] < each:
            seen[first] += 1
            out.append(key)
    return out


def test_layout_regexes_mean_the_same_in_postgresql(pg_url: str, fixture_snapshot: Path,
                                                    demo_snapshot: Path) -> None:
    keys = [json.loads(line)["key"] for line in fixture_snapshot.open(encoding="utf-8")]
    keys += sample_of_each_pattern(json.loads(line)["key"] for line in demo_snapshot.open(encoding="utf-8"))
    keys += ["banner_ad_u_1_2", "track:public:x:y", "payments:null:tx:1", "a:b:c:d:e", "users::base",
             "users:a:b:base", "tracks:u:list:", "banners:active:list", "banners:active:list:x", "users:x\n:base"]
    with psycopg.connect(libpq(pg_url)) as conn:
        for name in ("seed", "deployed"):
            for entry in load_layout(name).entries:
                rx = re.compile(entry.regex)
                expected = [list(m.groups()) if (m := rx.fullmatch(k)) else None for k in keys]
                got = [r[0] for r in conn.execute("SELECT regexp_match(k, %s) FROM unnest(%s::text[]) "
                                                  "WITH ORDINALITY AS u(k, n) ORDER BY n", [pg_regex(entry), keys])]
                if not entry.segments:  # no capture: PostgreSQL gives the whole match, Python no group
                    got = [None if g is None else [] for g in got]
                assert got == expected, (name, entry.pattern)
                # the cheaper test the classification uses where it is exact
                matched = [r[0] for r in conn.execute(f"SELECT {match_pg(entry, 'k')} FROM unnest(%s::text[]) "
                                                      "WITH ORDINALITY AS u(k, n) ORDER BY n", [keys])]
                assert matched == [e is not None for e in expected], (name, entry.pattern)


def test_a_decision_during_the_in_server_build_is_not_lost(pg_url: str, tiny_demo_snapshot: Path) -> None:
    url = make_platform(pg_url, f"inserver_race_{os.getpid()}_{next(_n)}", tiny_demo_snapshot)
    sync_same(url)
    with engine(Store(url)).connect() as conn:
        track = conn.exec_driver_sql("SELECT id FROM tracks WHERE status = 'pending' ORDER BY id LIMIT 1").scalar()
    assert track
    os.environ["PROMO_INGEST_HOLD_SECONDS"] = "3"
    done: list[subprocess.CompletedProcess[str]] = []
    try:
        worker = threading.Thread(target=lambda: sync_same(url))
        worker.start()
        time.sleep(1.0)  # the sync holds the store: building, or waiting before its swap
        env = {**os.environ, "PROMO_WRITE_WAIT": "120", "PROMO_INGEST_HOLD_SECONDS": "0"}
        done.append(subprocess.run([sys.executable, "-m", "dashboard", "moderate", "--db", url, "--entity", "tracks",
                                    "--id", str(track), "--action", "approve", "--actor", "тест"], cwd=REPO,
                                   env=env, capture_output=True, text=True, timeout=300))
        worker.join(300)
    finally:
        os.environ.pop("PROMO_INGEST_HOLD_SECONDS", None)
    assert done[0].returncode == 0, done[0].stderr
    with engine(Store(url)).connect() as conn:
        logged = conn.exec_driver_sql(f"SELECT count(*) FROM moderation_log WHERE entity_id = '{track}'").scalar()
        status = conn.exec_driver_sql(f"SELECT status FROM tracks WHERE id = '{track}'").scalar()
        platform_status = conn.exec_driver_sql(
            f"SELECT value->>'status' FROM {TABLE} WHERE key = (SELECT source_key FROM tracks WHERE id = '{track}')"
        ).scalar()
    assert logged == 1 and status == "approved" and platform_status == "approved"


EDGE_TEXT = ["", " ", "0", "5", " 5", "5 ", "+5", "-7", "1e3", "1.5", "2.5", "-2.5", ".5", "5.", "1_000", "0x1F",
             "nan", "NaN", "inf", "-Infinity", "1e400", "12abc", "1,5", "-0", "00012", "2147483647", "2147483648",
             "12.345", "0.005", "-0.005", "99999999.994", "99999999.995", "100000000", "１２", "true", "Да", " yes ",
             "off", "2026-11-01", "2026-11-01T10:00:00Z", "2026-11-01 10:00:00", "2026-11-01T10:00:00.123Z",
             "2026-11-01T10:00:00+03:00", "2026-11-01T10:00", "2026-11-01T10:00:00.1234567Z", "2026-11-1",
             "2026/11/01", "11/01/2026", "now", "today", "epoch", "Nov 1 2026", "2026-11-01 10:00:00 UTC",
             "2026-11-01T10:00:00+0300", "2026-11-01T10:00:00+03", " 2026-11-01 ", "2026-11-01T25:00:00",
             "2026-02-30", "2026-02-29", "2024-02-29", "2026-11-30T23:59:59Z", "20261101", "2026-11-01Z",
             "2026-11-01t10:00:00z", "1769468400", "1769468400135", "1769468400.5", "-86400", "19:00", "19:00:00",
             "7pm", "19:00:00.5", "24:00", "25:00", "9:00", "19:00:60", "3:45", "1:02:03", "12:3", "abcd"]


@pytest.mark.parametrize(("declared", "column"), [
    ("INTEGER", "views"), ("INTEGER", "duration"), ("DECIMAL(10,2)", "amount"), ("BOOLEAN", "is_paid"),
    ("TIMESTAMPTZ", "created_at"), ("DATE", "date"), ("TIME", "time"), ("VARCHAR(3)", "currency")])
def test_coercions_match_duckdb_try_cast(declared: str, column: str, pg_url: str, tmp_path: Path) -> None:
    from dashboard.ingest.build import open_build
    from dashboard.ingest.dialect_duckdb import coerce
    from dashboard.ingest.dialect_postgres import coerce as coerce_pg
    from dashboard.ingest.dialect_postgres import helper_functions

    duck = open_build(tmp_path / "c.duckdb", tmp_path)
    try:
        duck.execute("CREATE TABLE t (n INTEGER, r VARCHAR)")
        duck.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(EDGE_TEXT)))
        expected = duck.execute(f"SELECT {shown(coerce('r', declared, column), declared)} FROM t ORDER BY n"
                                ).fetchall()
    finally:
        duck.close()
    url = create_database(pg_url, f"coerce_{os.getpid()}_{next(_n)}")
    with psycopg.connect(libpq(url), options="-c TimeZone=Europe/Moscow") as conn:
        for statement in helper_functions(lambda name: f"public.promo_{name}"):
            conn.execute(statement.encode())
        pg_expr = coerce_pg("r", declared, column, lambda n: f"public.promo_{n}")
        got = conn.execute(f"SELECT {shown(pg_expr, declared)} "
                           "FROM unnest(%s::text[]) WITH ORDINALITY AS u(r, n) ORDER BY n".encode(),
                           [EDGE_TEXT]).fetchall()
    exp = comparable_rows(pd.DataFrame(expected, columns=["v"]))
    mine = comparable_rows(pd.DataFrame(got, columns=["v"]))
    diff = [(EDGE_TEXT[i], e, g) for i, (e, g) in enumerate(zip(exp, mine, strict=True)) if e != g]
    assert not diff
    if declared == "TIMESTAMPTZ":  # DuckDB's infinities (psycopg cannot load them, so they are compared here)
        with psycopg.connect(libpq(url)) as conn:
            assert conn.execute("SELECT public.promo_ts('inf')::text, public.promo_ts('-Infinity')::text"
                                ).fetchone() == ("infinity", "-infinity")


def shown(expr: str, declared: str) -> str:
    """Infinite timestamps and 24:00 (which psycopg cannot load) as comparable values."""
    if declared in ("TIMESTAMPTZ", "DATE"):
        return f"CASE WHEN isfinite({expr}) THEN {expr} END"
    if declared == "TIME":
        return f"CAST({expr} AS VARCHAR)"
    return expr


def test_split_segments_equal_the_regex_captures(fixture_snapshot: Path, demo_snapshot: Path) -> None:
    from dashboard.ingest.dialect_postgres import split_segments

    keys = [json.loads(line)["key"] for line in fixture_snapshot.open(encoding="utf-8")]
    keys += sample_of_each_pattern(json.loads(line)["key"] for line in demo_snapshot.open(encoding="utf-8"))
    used = 0
    for name in ("seed", "deployed"):
        for entry in load_layout(name).entries:
            split = split_segments(entry)
            if split is None or not entry.segments:
                continue
            used += 1
            positions = [int(re.search(r"(\d+)\)$", e).group(1)) for e in split]  # type: ignore[union-attr]
            for key in keys:
                if m := re.fullmatch(entry.regex, key):
                    assert [key.split(":")[p - 1] for p in positions] == list(m.groups()), (entry.pattern, key)
    assert used > 30
