"""``serve``: two app replicas behind HAProxy on a PostgreSQL demo store, driven as browsers drive them (Streamlit's
websocket protocol, through ``ui.bench_load.Session``), and ``bench load`` against it. Real processes, real
proxy, the suite's real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import AS_OF, REPO
from tests.serving import Serving, serving_pg, start_serve

HAPROXY = bool(shutil.which("haproxy") or Path("/usr/sbin/haproxy").exists())
# make test installs haproxy; on CI a missing one fails the tests (serve says so in one line)
pytestmark = pytest.mark.skipif(not HAPROXY and not os.environ.get("CI"), reason="haproxy not installed (make haproxy)")
PENDING = "Ждут решения"  # the moderation queue's first metric (Russian UI, the default language)


@pytest.fixture(scope="module")
def served(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serving]:
    with serving_pg(pg_url, tmp_path_factory.mktemp("serve")) as serving:
        yield serving


def session(port: int, replica: str | None = None) -> Any:
    from ui.bench_load import Session

    s = Session("127.0.0.1", port, "")
    if replica:
        s.cookie = f"PROMO_REPLICA={replica}"
    return s


def element(s: Any, kind: str, key: str) -> Any:
    return next(getattr(e, kind) for e in s.elements
                if e.WhichOneof("type") == kind and getattr(e, kind).id.endswith(f"-{key}"))


def metric(s: Any, label: str) -> str:
    return str(next(e.metric.body for e in s.elements if e.WhichOneof("type") == "metric" and e.metric.label == label))


def texts(s: Any) -> list[str]:
    return [e.markdown.body if e.WhichOneof("type") == "markdown" else e.alert.body
            for e in s.elements if e.WhichOneof("type") in ("markdown", "alert")]


def http_get(url: str, cookie: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_both_replicas_answer_through_the_proxy(served: Serving) -> None:
    async def visit(replica: str) -> tuple[str, list[str]]:
        s = session(served.port, replica)
        await s.connect()
        errors = await s.open_page("moderation_queue")
        await s.close()
        return s.cookie, errors + ([] if metric(s, PENDING) else ["no pending metric"])

    for replica in ("r1", "r2"):
        cookie, errors = asyncio.run(visit(replica))
        assert errors == []
        assert cookie == f"PROMO_REPLICA={replica}"
    # a newcomer gets a replica cookie from the proxy; the two replicas take turns (least connections)
    cookies = set()
    for _ in range(4):
        with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/_stcore/health", timeout=10) as resp:
            assert resp.status == 200
            cookies |= {c.split(";")[0] for c in resp.headers.get_all("Set-Cookie") if c.startswith("PROMO_REPLICA=")}
    assert cookies == {"PROMO_REPLICA=r1", "PROMO_REPLICA=r2"}


def test_a_session_stays_on_its_replica_and_its_csv_download_works(served: Serving) -> None:
    async def log_page() -> tuple[str, list[str], list[str]]:
        s = session(served.port, "r2")
        await s.connect()
        errors = await s.open_page("data_health")
        await s.close()
        return s.cookie, errors, s.downloads

    cookie, errors, downloads = asyncio.run(log_page())
    assert errors == [] and downloads, "the data health page offers CSV downloads (the demo plants problems)"
    status, body = http_get(f"http://127.0.0.1:{served.port}{downloads[0]}", cookie)
    assert status == 200
    header = body.decode("utf-8-sig").splitlines()[0]
    assert "," in header
    # the file lives on the session's replica only: the other replica does not have it
    assert http_get(f"http://127.0.0.1:{served.port}{downloads[0]}", "PROMO_REPLICA=r1")[0] == 404


def test_a_decision_on_one_replica_shows_on_the_other(served: Serving) -> None:
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    async def flow() -> tuple[int, int, int, int]:
        a, b = session(served.port, "r1"), session(served.port, "r2")
        await a.connect()
        await b.connect()
        assert await b.open_page("moderation_queue") == []
        seen_before = int(metric(b, PENDING))
        assert await a.open_page("moderation_queue") == []
        before = int(metric(a, PENDING))
        pick = element(a, "multiselect", "mod_pick")
        widgets = WidgetStates()
        chosen = widgets.widgets.add()
        chosen.id = pick.id
        chosen.string_array_value.data.append(pick.options[0])
        assert await a.open_page("moderation_queue", widgets=widgets) == []  # the item is picked: its preview
        click = widgets.widgets.add()
        click.id, click.trigger_value = element(a, "button", "mod_approve").id, True
        assert await a.open_page("moderation_queue", widgets=widgets) == []  # "Approve"
        assert await a.open_page("moderation_queue") == []
        after = int(metric(a, PENDING))
        assert await b.open_page("moderation_queue") == []  # the other replica's next run
        seen_after = int(metric(b, PENDING))
        await a.close()
        await b.close()
        return before, after, seen_before, seen_after

    logged = decisions_logged(served.store)
    before, after, seen_before, seen_after = asyncio.run(flow())
    assert after == before - 1
    assert (seen_before, seen_after) == (before, after)
    assert decisions_logged(served.store) == logged + 1  # one click, one audit row


def decisions_logged(store: str) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(store)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SELECT count(*) FROM moderation_log WHERE action = 'approve'"))
                       .scalar_one())
    finally:
        engine.dispose()


def test_bench_load_runs_pages_without_errors(served: Serving) -> None:
    proc = subprocess.run([sys.executable, "-m", "dashboard", "bench", "load", "--url",
                           f"http://127.0.0.1:{served.port}", "--sessions", "3", "--think", "200", "--seconds", "4",
                           "--pages", "", "moderation_queue", "artist_tracks", "revenue"],
                          cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = re.search(r"runs (\d+) .*errors (\d+)", proc.stdout)
    assert runs and int(runs[1]) >= 4 and runs[2] == "0", proc.stdout
    for page in ("/ (default)", "moderation_queue", "artist_tracks", "revenue"):
        assert re.search(rf"^\s+{re.escape(page)}\s+\d+\s+\d+ms", proc.stdout, re.M), proc.stdout


def test_bench_load_refuses_a_remote_target() -> None:
    from ui.bench_load import loopback_url

    with pytest.raises(ValueError, match="only loads this machine"):
        loopback_url("http://example.org:8501")
    with pytest.raises(ValueError, match="http://HOST:PORT"):
        loopback_url("ws://127.0.0.1:8501")
    assert loopback_url("http://127.0.0.1:8501/") == ("127.0.0.1", 8501, "")


def test_a_killed_replica_leaves_the_app_answering_and_comes_back(served: Serving) -> None:
    victim = "r1"
    old_pid = served.pids[victim]

    async def tab_through_a_kill() -> tuple[bool, list[str], str]:
        s = session(served.port, victim)
        await s.connect()
        assert await s.open_page("") == []
        os.kill(old_pid, signal.SIGKILL)
        try:  # the open tab's websocket drops with its replica
            await s.open_page("")
            dropped = False
        except Exception:
            dropped = True
        # the browser reconnects with the same cookie: the proxy sends it to the other replica (a new session)
        await s.connect()
        errors = await s.open_page("moderation_queue")
        await s.close()
        return dropped, errors, s.cookie

    async def visit(replica: str) -> tuple[list[str], str]:
        s = session(served.port, replica)
        await s.connect()
        errors = await s.open_page("")
        await s.close()
        return errors, s.cookie

    dropped, errors, cookie = asyncio.run(tab_through_a_kill())
    assert dropped
    assert errors == []
    assert cookie == "PROMO_REPLICA=r2"
    # serve starts it again on its port; the proxy takes it back once its health checks pass
    served.wait_for(rf"replica {victim} pid (?!{old_pid}\b)\d+ port {served.ports[victim]}", seconds=30)
    deadline = time.monotonic() + 90
    while asyncio.run(visit(victim))[1] != f"PROMO_REPLICA={victim}":
        assert time.monotonic() < deadline, "the restarted replica never came back behind the proxy"
        time.sleep(1)
    assert asyncio.run(visit(victim)) == ([], f"PROMO_REPLICA={victim}")


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_serve_on_duckdb_runs_one_replica_and_stops_cleanly(tmp_path: Path, how: signal.Signals) -> None:
    from dashboard.demo.snapshot import write_demo_snapshot
    from dashboard.ingest.build import ingest
    from dashboard.store.connect import Store

    snapshot, store = tmp_path / "tiny.ndjson", tmp_path / "store.duckdb"
    write_demo_snapshot(snapshot, scale="tiny", seed=3, as_of=AS_OF)
    ingest([snapshot], Store(str(store)), "seed", say=lambda _m: None)
    serving = start_serve(str(store), 1, replicas_flag=False)  # the default on DuckDB: one replica
    try:
        assert list(serving.pids) == ["r1"] and serving.config is not None and serving.config.is_file()
        assert "cookie PROMO_REPLICA insert" in serving.config.read_text()

        async def visit() -> list[str]:
            s = session(serving.port)
            await s.connect()
            errors = await s.open_page("moderation_queue")
            await s.close()
            return errors + ([] if s.cookie == "PROMO_REPLICA=r1" else [f"cookie {s.cookie!r}"])

        assert asyncio.run(visit()) == []
    finally:
        serving.proc.send_signal(how)
        assert serving.proc.wait(30) == 0
    for pid in (serving.proxy_pid, serving.pids["r1"]):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert not serving.config.parent.exists()


@pytest.mark.slow
def test_serve_on_duckdb_refuses_two_replicas(tmp_path: Path) -> None:
    env = dict(os.environ, PROMO_DEMO_MODE="1")
    proc = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--db", str(tmp_path / "store.duckdb"),
                           "--replicas", "2"], cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "PostgreSQL" in lines[0], proc.stderr


@pytest.mark.slow
def test_serve_needs_sign_in_or_demo_mode(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PROMO_DEMO_MODE"}
    env["HOME"] = str(tmp_path)  # no ~/.streamlit/secrets.toml
    proc = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--db", str(tmp_path / "store.duckdb")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=False)
    if (REPO / ".streamlit" / "secrets.toml").is_file():
        pytest.skip("this checkout has a secrets.toml")
    assert proc.returncode == 2
    assert "PROMO_DEMO_MODE=1" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    demo_remote = subprocess.run([sys.executable, "-m", "dashboard", "serve", "--db", str(tmp_path / "s.duckdb"),
                                  "--address", "0.0.0.0"], cwd=REPO, env=dict(env, PROMO_DEMO_MODE="1"),
                                 capture_output=True, text=True, timeout=60, check=False)
    assert demo_remote.returncode == 2 and "127.0.0.1 only" in demo_remote.stderr


def test_haproxy_config_sticks_checks_and_redispatches(tmp_path: Path) -> None:
    from dashboard.serve import Replica, haproxy_config

    cfg = haproxy_config("127.0.0.1", 8600, [Replica(1, 40001, tmp_path / "a"), Replica(2, 40002, tmp_path / "b")])
    assert "bind 127.0.0.1:8600" in cfg
    assert "cookie PROMO_REPLICA insert indirect nocache" in cfg
    assert "option httpchk GET /_stcore/health" in cfg and "option redispatch" in cfg
    assert "server r1 127.0.0.1:40001 check cookie r1" in cfg and "server r2 127.0.0.1:40002 check cookie r2" in cfg
    assert "bind [::1]:8600" in haproxy_config("::1", 8600, [Replica(1, 40001, tmp_path / "a")])


def test_bench_load_report_counts_errors_and_percentiles() -> None:
    from ui.bench_load import LoadReport, Run, parse_page, percentile

    assert percentile([1, 2, 3, 4], 50) == 2 and percentile(list(range(1, 21)), 95) == 19
    assert percentile([7.0], 95) == 7.0
    assert parse_page("/artist_tracks?period=90") == ("artist_tracks", "period=90") and parse_page("") == ("", "")
    report = LoadReport("http://127.0.0.1:1", 2, 10, 3000,
                        runs=[Run("revenue", 100, []), Run("revenue", 300, ["ValueError: boom"]), Run("/", 50, [])],
                        connection_errors=["session 1: connect: ConnectionRefusedError"],
                        replicas={0: "PROMO_REPLICA=r1", 1: "PROMO_REPLICA=r2"})
    text = "\n".join(report.lines())
    assert report.errors == 2
    assert "runs 3 (0.3/s), errors 2 (1 in runs, 1 connections)" in text
    assert re.search(r"revenue\s+2\s+100ms\s+300ms\s+300ms\s+1", text)
    assert "sessions per replica: r1 1, r2 1" in text
    assert "error: revenue: ValueError: boom" in text
