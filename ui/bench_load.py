"""``python -m dashboard bench load``: many sessions that speak Streamlit's websocket protocol, as browser tabs do.

A session connects to ``/_stcore/stream`` (subprotocol ``streamlit``, the proxy's replica cookie kept, as a browser
keeps it), then opens pages one after another: a ``rerun_script`` BackMsg with the page's URL path and query string
the first time (a typed or shared link), with the page's ``page_script_hash`` afterwards (a click in the menu), and
waits for the ``script_finished`` ForwardMsg. The time from sending the request to ``script_finished`` is one page
run. Between pages a session "thinks" (the think time, ±50 %, so sessions do not move in lockstep).

Errors: exception elements in the deltas, a page the app does not find, a run over the per-run limit, refused or
dropped connections (a dropped session reconnects after a second, as the browser does). Only loopback targets.

Without ``--url`` it starts ``streamlit run app.py`` itself on a small demo store (PROMO_DEMO_MODE=1, 127.0.0.1, a
free port). Streamlit's protobufs and the ``websockets`` client (both ship with Streamlit) are imported only when
a bench runs, so ``dashboard`` imports without Streamlit.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import os
import random
import socket
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]  # ui/bench_load.py -> the repository
# what a staff person opens, in menu order (demo mode starts as admin; artist pages show the first artist); the
# default page (the overview for staff) is at "/", its URL path is empty
DEFAULT_PAGES = ("", "data_health", "moderation_queue", "moderation_log", "artist_overview", "artist_tracks",
                 "artist_audience", "artist_concerts", "artist_fans", "artist_promotion", "revenue")
RUN_LIMIT_SECONDS = 120.0  # one page run longer than this counts as an error
CONNECT_SECONDS = 15.0


@dataclass
class Run:
    page: str
    ms: float
    errors: list[str]


@dataclass
class LoadReport:
    url: str
    sessions: int
    seconds: float
    think_ms: int
    runs: list[Run] = field(default_factory=list)
    connection_errors: list[str] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    replicas: dict[int, str] = field(default_factory=dict)  # session → the replica cookie it got (behind serve)
    toured: set[int] = field(default_factory=set)  # the sessions that have opened every page at least once

    @property
    def errors(self) -> int:
        return sum(1 for r in self.runs if r.errors) + len(self.connection_errors)

    def lines(self) -> list[str]:
        out = [f"bench load on {self.url}: {self.sessions} session{'s' if self.sessions != 1 else ''}, think "
               f"{self.think_ms} ms, {self.seconds:.0f} s",
               f"  runs {len(self.runs)} ({len(self.runs) / self.seconds:.1f}/s), errors {self.errors} "
               f"({sum(1 for r in self.runs if r.errors)} in runs, {len(self.connection_errors)} connections)",
               f"  load average {self.load_before[0]:.2f} before, {self.load_after[0]:.2f} after "
               f"(1 min; {os.cpu_count()} cores)"]
        if any(self.replicas.values()):
            spread = Counter(c.partition("=")[2] for c in self.replicas.values() if c)
            out.append("  sessions per replica: " + ", ".join(f"{r} {n}" for r, n in sorted(spread.items())))
        if self.runs:
            out.append(f"  {'page':20} {'runs':>5} {'p50':>8} {'p95':>8} {'max':>8} {'errors':>6}")
            pages = list(dict.fromkeys(r.page for r in self.runs))
            for page in [*sorted(pages), "(all)"]:
                runs = self.runs if page == "(all)" else [r for r in self.runs if r.page == page]
                ms = [r.ms for r in runs]
                out.append(f"  {page:20} {len(runs):>5} {percentile(ms, 50):>6.0f}ms {percentile(ms, 95):>6.0f}ms "
                           f"{max(ms):>6.0f}ms {sum(1 for r in runs if r.errors):>6}")
        shown = [f"{r.page}: {e}" for r in self.runs for e in r.errors] + self.connection_errors
        for line in list(dict.fromkeys(shown))[:10]:
            out.append(f"  error: {line}")
        return out


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p50 of [1, 2, 3, 4] is 2; p95 of 20 values is the 19th)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return float(ordered[int(rank) - 1])


def loopback_url(url: str) -> tuple[str, int, str]:
    """(host, port, base path) of an http:// URL on this machine; ValueError (one line) otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"--url must be http://HOST:PORT on this machine, not {url!r}")
    host = parts.hostname
    try:
        loop = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loop = False
    if not loop:
        raise ValueError(f"bench load only loads this machine (127.0.0.1, ::1, localhost), not {host}")
    return host, parts.port or 80, parts.path.rstrip("/")


def parse_page(spec: str) -> tuple[str, str]:
    """``artist_tracks?period=90`` → (url path, query string)."""
    path, _, query = spec.partition("?")
    return path.strip("/"), query


class Session:
    """One browser tab: a websocket, the replica cookie, and the page hashes learnt from the navigation message."""

    def __init__(self, host: str, port: int, base: str) -> None:
        self.host, self.port, self.base = host, port, base
        self.cookie = ""
        self.hashes: dict[str, str] = {}
        self.ws: Any = None
        self.downloads: list[str] = []  # /media/… URLs of download buttons in the last run
        self.elements: list[Any] = []  # the last run's elements (Element protobufs), in order

    async def connect(self) -> None:
        import websockets

        netloc = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        headers = {"Cookie": self.cookie} if self.cookie else {}
        self.ws = await asyncio.wait_for(websockets.connect(
            f"ws://{netloc}{self.base}/_stcore/stream", subprotocols=["streamlit"],  # type: ignore[list-item]
            origin=f"http://{netloc}", additional_headers=headers, max_size=256 * 2**20, open_timeout=None,
            ping_interval=None, compression=None), CONNECT_SECONDS)
        for raw in self.ws.response.headers.get_all("Set-Cookie"):
            name_value = raw.split(";", 1)[0]
            if name_value.startswith("PROMO_REPLICA="):
                self.cookie = name_value

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def open_page(self, path: str, query: str = "", widgets: Any = None) -> list[str]:
        """One page run: the request, then ForwardMsgs until ``script_finished``; the errors the run showed."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        if path in self.hashes:
            state.page_script_hash = self.hashes[path]
        else:
            state.page_name = path
        if widgets is not None:
            state.widget_states.CopyFrom(widgets)
        self.downloads = []
        self.elements = []
        await self.ws.send(msg.SerializeToString())
        errors: list[str] = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                self.elements.append(element)
                what = element.WhichOneof("type")
                if what == "exception" and not element.exception.is_warning:
                    errors.append(f"{element.exception.type}: {element.exception.message}"[:200])
                elif what == "download_button" and element.download_button.url:
                    self.downloads.append(element.download_button.url)
            elif kind == "navigation":
                self.hashes.update({p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages})
            elif kind == "page_not_found":
                errors.append(f"page not found: {fwd.page_not_found.page_name or path}")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    errors.append("the script did not compile")
                if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                    return errors


async def one_session(number: int, host: str, port: int, base: str, pages: list[tuple[str, str]], think: float,
                      deadline: float, report: LoadReport, rng: random.Random) -> None:
    session = Session(host, port, base)
    at = rng.randrange(len(pages))  # each person starts somewhere else, then opens the pages in turn
    opened = 0
    await asyncio.sleep(rng.uniform(0, min(think, 1.0)))  # arrivals spread over the first second
    while time.monotonic() < deadline:
        if session.ws is None:
            try:
                await session.connect()
                report.replicas[number] = session.cookie
            except Exception as exc:  # refused, reset, handshake rejected (OSError, TimeoutError, InvalidStatus)
                report.connection_errors.append(f"session {number}: connect: {type(exc).__name__}: {exc}"[:200])
                await asyncio.sleep(1.0)
                continue
        path, query = pages[at % len(pages)]
        at += 1
        t0 = time.perf_counter()
        try:
            errors = await asyncio.wait_for(session.open_page(path, query), RUN_LIMIT_SECONDS)
        except TimeoutError:
            errors = [f"no script_finished within {RUN_LIMIT_SECONDS:.0f} s"]
            await session.close()
        except Exception as exc:  # the connection dropped during the run (websockets.ConnectionClosed, OSError)
            report.connection_errors.append(f"session {number}: dropped during {path}: {type(exc).__name__}"[:200])
            session.ws = None
            await asyncio.sleep(1.0)
            continue
        report.runs.append(Run(path or "/ (default)", (time.perf_counter() - t0) * 1000, errors))
        opened += 1
        if opened == len(pages):
            report.toured.add(number)
        pause = think * rng.uniform(0.5, 1.5)
        await asyncio.sleep(max(0.0, min(pause, deadline - time.monotonic())))
    await session.close()


async def run_load(url: str, sessions: int, think_ms: int, seconds: float, pages: list[tuple[str, str]],
                   seed: int = 1) -> LoadReport:
    host, port, base = loopback_url(url)
    report = LoadReport(url, sessions, seconds, think_ms, load_before=os.getloadavg())
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    tasks = [asyncio.create_task(one_session(i, host, port, base, pages, think_ms / 1000, deadline, report,
                                             random.Random(rng.random()))) for i in range(sessions)]
    # bounded in time: a run still going at the deadline may finish (its own limit), then everything stops
    done, pending = await asyncio.wait(tasks, timeout=seconds + RUN_LIMIT_SECONDS + 5)
    for t in pending:
        t.cancel()
    for t in done:
        if t.exception() is not None:
            report.connection_errors.append(f"session crashed: {type(t.exception()).__name__}: {t.exception()}")
    report.load_after = os.getloadavg()
    return report


async def warm_up(url: str, pages: list[tuple[str, str]], most: int = 8) -> None:
    """Every page opened once (not timed) by one session; behind ``serve``, by one session per replica: new
    sessions until the proxy hands out a replica cookie seen before (least connections takes replicas in turn)."""
    seen: set[str] = set()
    for _ in range(most):
        session = Session(*loopback_url(url))
        await session.connect()
        try:
            if session.cookie in seen:
                return
            seen.add(session.cookie)
            for path, query in pages:
                await asyncio.wait_for(session.open_page(path, query), RUN_LIMIT_SECONDS)
        finally:
            await session.close()
        if not session.cookie:  # no proxy: one process
            return


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_health(port: int, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the app did not answer /_stcore/health within {seconds:.0f} s")


def start_app(store: str) -> tuple[subprocess.Popen[bytes], str]:
    """``streamlit run app.py`` in demo mode on a free loopback port (its output discarded)."""
    port = free_port()
    env = dict(os.environ, PROMO_DEMO_MODE="1", PROMO_DB=store)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"], cwd=REPO, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_health(port, proc)
    except BaseException:
        proc.terminate()
        proc.wait(10)
        raise
    return proc, f"http://127.0.0.1:{port}"


def cmd_load(args: argparse.Namespace) -> int:
    pages = [parse_page(p) for p in (args.pages or DEFAULT_PAGES)]
    args.sessions = 1 if args.sessions is None else args.sessions  # run as python -m ui.bench_load without them
    args.think = 3000 if args.think is None else args.think
    args.seconds = 20.0 if args.seconds is None else args.seconds
    args.scale = args.scale or "small"
    if args.sessions < 1 or args.seconds <= 0 or args.think < 0:
        print("error: --sessions ≥ 1, --seconds > 0 and --think ≥ 0", file=sys.stderr)
        return 2
    proc = None
    url = args.url
    try:
        if url:
            loopback_url(url)
        else:
            from dashboard.bench.demo_stores import bench_store

            store = bench_store(args)
            print(f"starting the app on {store} (demo mode, 127.0.0.1)…", file=sys.stderr)
            proc, url = start_app(store)
        if args.warm:  # one session opens every page once, so the timed runs start warm (SQL cache filled)
            asyncio.run(warm_up(url, pages))
        report = asyncio.run(run_load(url, args.sessions, args.think, args.seconds, pages, seed=args.seed))
    except (ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    for line in report.lines():
        print(line)
    return 0 if report.errors == 0 and report.runs else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.bench_load [bench options]``: what ``python -m dashboard bench load`` runs, in its own process
    (it speaks Streamlit's protocol with Streamlit's protobufs, so it lives with the UI; the core never imports it)."""
    from dashboard.bench.commands import add_bench_parser

    parser = argparse.ArgumentParser(prog="python -m dashboard bench load")
    add_bench_parser(parser.add_subparsers())
    return cmd_load(parser.parse_args(["bench", "load", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    raise SystemExit(main())
