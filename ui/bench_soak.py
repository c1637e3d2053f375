"""``python -m dashboard bench soak``: many sessions for a long time on app replicas over PostgreSQL, some of them
deciding, with a sync of the platform in the middle (issue 19's soak).

The set-up is the live one: a platform database holding the demo snapshot as ``kv_store_84730125``, a store database
synced from it (``python -m dashboard sync``), and ``python -m dashboard serve --replicas N`` on that store in demo
mode with ``PROMO_PLATFORM_URL`` set, so each decision is written back to the platform. Then, for ``--seconds``:

- readers: sessions that open the staff and artist pages in turn with a think time (``ui.bench_load``);
- deciders: sessions that open the moderation queue, pick one of its first pending items (so deciders meet on the
  same item now and then) and press "Approve", as a moderator does in the browser; each decision is the toast the
  run shows (✅ applied, ⚠️ refused: someone decided it first) or an error;
- halfway, ``python -m dashboard sync`` of the store from the platform (the store's content replaced by what the
  platform holds, the write-backs included), while the sessions go on;
- each replica's resident memory (``/proc/PID/status``) after the warm-up, every few seconds, and at the end; the
  bound (10 % growth) is measured from the first sample after a tenth of the soak, once every session has arrived
  and run pages: what a session holds lasts as long as the session, and is not growth.

After the run, and one more sync: every applied decision is in the audit log once and nothing else is
(``moderation_log`` approvals since the start = applied decisions, no item approved twice), and the queue is shorter
by exactly the items approved (so no decision was lost to the sync: the platform had each one). The report ends
``soak passed`` or ``soak FAILED`` with what failed; the exit code says the same.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import queue
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ui.bench_load import (
    DEFAULT_PAGES,
    REPO,
    RUN_LIMIT_SECONDS,
    LoadReport,
    Run,
    Session,
    free_port,
    one_session,
    parse_page,
    warm_up,
)

QUEUE_PAGE = "moderation_queue"
PICK_FROM = 3  # a decider picks one of the queue's first items: deciders meet on one item now and then
MEMORY_GROWTH = 0.10  # the bound: a replica's memory grows by at most 10 % over the soak
MEMORY_EVERY = 5.0  # seconds between memory samples
SETTLED = 0.1  # the share of the soak after which every session has arrived and run pages: memory's baseline
PLATFORM_TABLE = "kv_store_84730125"


@dataclass
class Decisions:
    applied: int = 0  # ✅ toasts: the decision was made and written
    refused: int = 0  # ⚠️ toasts: someone else decided the item first (not an error)
    empty: int = 0  # the queue had nothing to pick
    unanswered: list[str] = field(default_factory=list)  # no toast after the click (an error)


@dataclass
class Memory:
    """Resident memory (MB) of each replica: after the warm-up (one session), once every reading session has opened
    every page (``start``: a session's state is memory the replica needs while the session lasts, not growth), the
    largest sample, the last sample."""
    warm: dict[str, float] = field(default_factory=dict)
    start: dict[str, float] = field(default_factory=dict)
    peak: dict[str, float] = field(default_factory=dict)
    end: dict[str, float] = field(default_factory=dict)
    restarted: set[str] = field(default_factory=set)
    toured: bool = True  # the baseline was taken once every reading session had opened every page


@dataclass
class SoakReport:
    load: LoadReport
    decisions: Decisions
    memory: Memory
    sync_mid: str = ""  # the mid-run sync's outcome line
    logged: int = 0  # approvals in the audit log since the start
    twice: int = 0  # items with more than one approval since the start
    pending_before: int = 0
    pending_after: int = 0
    failures: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        d = self.decisions
        out = [*self.load.lines(),
               f"  decisions: {d.applied} applied, {d.refused} refused (decided first by another), {d.empty} with an "
               f"empty queue, {len(d.unanswered)} unanswered",
               *(f"  unanswered: {line}" for line in list(dict.fromkeys(d.unanswered))[:5]),
               f"  sync in the middle: {self.sync_mid}",
               f"  audit log: {self.logged} approvals since the start, {self.twice} items approved more than once",
               f"  queue: {self.pending_before} pending before, {self.pending_after} after (shorter by "
               f"{self.pending_before - self.pending_after})"]
        for name in sorted(self.memory.start):
            m = self.memory
            start, end = m.start[name], m.end.get(name, 0.0)
            when = "once every session had opened every page" if m.toured else "at half the soak"
            out.append(f"  memory {name}: {m.warm.get(name, 0.0):.0f} MB after the warm-up, {start:.0f} MB {when}, "
                       f"peak {m.peak.get(name, 0.0):.0f} MB, end {end:.0f} MB "
                       f"({(end / start - 1) * 100 if start else 0:+.1f} % since then)"
                       + (" (restarted during the soak)" if name in m.restarted else ""))
        out.append("soak passed" if not self.failures else "soak FAILED: " + "; ".join(self.failures))
        return out


def rss_mb(pid: int) -> float:
    """Resident memory of a process, MB (0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    found = re.search(r"^VmRSS:\s+(\d+) kB", text, re.M)
    return int(found[1]) / 1024 if found else 0.0


def element_of(session: Session, kind: str, key: str) -> Any:
    """The widget of type ``kind`` whose key is ``key`` in the session's last run, or None."""
    for e in session.elements:
        if e.WhichOneof("type") == kind and getattr(e, kind).id.endswith(f"-{key}"):
            return getattr(e, kind)
    return None


def toast_icons(session: Session) -> list[str]:
    return [e.toast.icon for e in session.elements if e.WhichOneof("type") == "toast"]


async def decide_once(session: Session, rng: random.Random, decisions: Decisions) -> list[str]:
    """Open the queue, pick one of its first items, press "Approve"; the errors of the three runs."""
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    errors = await session.open_page(QUEUE_PAGE)
    pick = element_of(session, "multiselect", "mod_pick")
    if pick is None or not pick.options:
        decisions.empty += 1
        return errors
    widgets = WidgetStates()
    chosen = widgets.widgets.add()
    chosen.id = pick.id
    chosen.string_array_value.data.append(rng.choice(list(pick.options)[:PICK_FROM]))
    errors += await session.open_page(QUEUE_PAGE, widgets=widgets)
    approve = element_of(session, "button", "mod_approve")
    if approve is None:
        decisions.refused += 1  # the item was decided (and left the queue) between the two runs
        return errors
    click = widgets.widgets.add()
    click.id, click.trigger_value = approve.id, True
    errors += await session.open_page(QUEUE_PAGE, widgets=widgets)
    icons = toast_icons(session)
    alerts = [e.alert for e in session.elements if e.WhichOneof("type") == "alert"]
    if "✅" in icons:
        decisions.applied += 1
    elif "⚠️" in icons or any(a.format == a.WARNING for a in alerts):
        decisions.refused += 1  # decided first by another: a toast, or a note that the open item left the queue
    else:
        decisions.unanswered.append("; ".join(a.body for a in alerts)[:200] or "no toast and no message after Approve")
        errors.append("a decision got no answer")
    return errors


async def decider(number: int, url: tuple[str, int, str], every: float, deadline: float, report: LoadReport,
                  decisions: Decisions, rng: random.Random) -> None:
    """A moderator: a decision every ``every`` seconds (±50 %) until the deadline, reconnecting when dropped."""
    session = Session(*url)
    await asyncio.sleep(rng.uniform(0, min(every, 2.0)))
    while time.monotonic() < deadline:
        if session.ws is None:
            try:
                await session.connect()
                report.replicas[number] = session.cookie
            except Exception as exc:  # refused, reset, handshake rejected
                report.connection_errors.append(f"decider {number}: connect: {type(exc).__name__}: {exc}"[:200])
                await asyncio.sleep(1.0)
                continue
        t0 = time.perf_counter()
        try:
            errors = await asyncio.wait_for(decide_once(session, rng, decisions), RUN_LIMIT_SECONDS)
        except TimeoutError:
            errors = [f"no script_finished within {RUN_LIMIT_SECONDS:.0f} s"]
            await session.close()
        except Exception as exc:  # the connection dropped during a run
            report.connection_errors.append(f"decider {number}: dropped: {type(exc).__name__}"[:200])
            session.ws = None
            await asyncio.sleep(1.0)
            continue
        report.runs.append(Run("(decide: 3 runs)", (time.perf_counter() - t0) * 1000, errors))
        await asyncio.sleep(max(0.0, min(every * rng.uniform(0.5, 1.5), deadline - time.monotonic())))
    await session.close()


class Served:
    """``python -m dashboard serve`` in demo mode on ``store``; the replicas' pids from its lines as they come."""

    def __init__(self, store: str, replicas: int, env: dict[str, str]) -> None:
        self.port = free_port()
        self.pids: dict[str, int] = {}
        self.restarted: set[str] = set()
        self.lines: queue.Queue[str] = queue.Queue()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard", "serve", "--db", store, "--port", str(self.port), "--replicas",
             str(replicas)], cwd=REPO, env={**env, "PROMO_DEMO_MODE": "1"}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            found = re.match(r"replica (r\d+) pid (\d+) port \d+", line)
            if found:
                if found[1] in self.pids:
                    self.restarted.add(found[1])
                self.pids[found[1]] = int(found[2])
            self.lines.put(line.rstrip("\n"))

    def wait_ready(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        seen: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"serve exited with {self.proc.returncode}: {' / '.join(seen[-3:])}") from None
                continue
            seen.append(line)
            if line.startswith("serving "):
                return
        raise RuntimeError(f"serve was not ready within {seconds:.0f} s: {' / '.join(seen[-3:])}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


async def watch_memory(served: Served, memory: Memory, deadline: float, settled: float, halfway: float,
                       toured: Callable[[], bool] = lambda: True) -> None:
    """Each replica's memory every MEMORY_EVERY seconds; the baseline is the first sample at or after ``settled``
    once every reading session has opened every page (``toured``: what a session holds for a page it has seen
    lasts as long as the session, and is not growth), or at half the soak if that comes first."""
    while time.monotonic() < deadline:
        await asyncio.sleep(min(MEMORY_EVERY, max(0.0, deadline - time.monotonic())))
        for name, pid in served.pids.items():
            now = rss_mb(pid)
            memory.peak[name] = max(memory.peak.get(name, 0.0), now)
            at = time.monotonic()
            if name not in memory.start and at >= settled and (toured() or at >= halfway):
                memory.start[name] = now
                memory.toured = toured()


def run_sync(store: str, env: dict[str, str]) -> tuple[bool, str]:
    """``python -m dashboard sync --db STORE`` (the platform in PROMO_PLATFORM_URL): (it worked, its last line)."""
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "dashboard", "sync", "--db", store], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False, timeout=1800)
    last = (done.stdout.strip().splitlines() or done.stderr.strip().splitlines() or [""])[-1]
    return done.returncode == 0, f"exit {done.returncode} in {time.perf_counter() - t0:.1f} s: {last[:160]}"


async def mid_sync(store: str, env: dict[str, str], at: float, report: SoakReport) -> None:
    await asyncio.sleep(at)
    ok, line = await asyncio.to_thread(run_sync, store, env)
    report.sync_mid = line
    if not ok:
        report.failures.append("the sync in the middle failed")


def pending_total(store: str) -> int:
    """The moderation queue's length, as its page counts it (``pending_summary`` with the store's layout)."""
    from dashboard.moderation.config import pending_params, sla_bounds
    from dashboard.moderation.unit_of_work import store_layout
    from dashboard.store.connect import Store, engine
    from dashboard.store.queries import run_query

    s = Store(store)
    eng = engine(s)
    try:
        with eng.connect() as conn:
            layout = store_layout(conn)
    finally:
        eng.dispose()
    frame = run_query(s, "pending_summary", **pending_params(layout), **sla_bounds(dt.datetime.now(dt.UTC)))
    return int(frame["items"].sum()) if len(frame) else 0


def audit_since(store: str, since: dt.datetime) -> tuple[int, int]:
    """(approvals logged since ``since``, items approved more than once since then)."""
    import sqlalchemy as sa

    from dashboard.store.connect import Store, engine

    eng = engine(Store(store))
    try:
        with eng.connect() as conn:
            logged = conn.execute(sa.text("SELECT count(*) FROM moderation_log WHERE action = 'approve' AND at >= :t"),
                                  {"t": since}).scalar_one()
            twice = conn.execute(sa.text(
                "SELECT count(*) FROM (SELECT entity, entity_id FROM moderation_log WHERE action = 'approve' "
                "AND at >= :t GROUP BY entity, entity_id HAVING count(*) > 1) AS d"), {"t": since}).scalar_one()
    finally:
        eng.dispose()
    return int(logged), int(twice)


async def soak_sessions(served: Served, store: str, env: dict[str, str], sessions: int, deciders: int,
                        think_ms: int, decide_ms: int, seconds: float, sync_at: float, seed: int,
                        report: SoakReport) -> None:
    pages = [parse_page(p) for p in DEFAULT_PAGES]
    url = ("127.0.0.1", served.port, "")
    rng = random.Random(seed)
    deadline = time.monotonic() + seconds
    tasks = [asyncio.create_task(one_session(i, *url, pages, think_ms / 1000, deadline, report.load,
                                             random.Random(rng.random()))) for i in range(sessions - deciders)]
    tasks += [asyncio.create_task(decider(sessions - deciders + i, url, decide_ms / 1000, deadline, report.load,
                                          report.decisions, random.Random(rng.random()))) for i in range(deciders)]
    settled = time.monotonic() + seconds * SETTLED
    readers = sessions - deciders
    halfway = time.monotonic() + seconds / 2
    tasks.append(asyncio.create_task(watch_memory(served, report.memory, deadline, settled, halfway,
                                                  lambda: len(report.load.toured) >= readers)))
    tasks.append(asyncio.create_task(mid_sync(store, env, seconds * sync_at, report)))
    done, pending = await asyncio.wait(tasks, timeout=seconds + RUN_LIMIT_SECONDS + 60)
    for t in pending:
        t.cancel()
        report.failures.append("a session or the sync did not finish in time")
    for t in done:
        if t.exception() is not None:
            report.load.connection_errors.append(f"session crashed: {type(t.exception()).__name__}: "
                                                 f"{t.exception()}"[:200])


def soak(platform: str, store: str, sessions: int, deciders: int, think_ms: int, decide_ms: int, seconds: float,
         replicas: int = 2, sync_at: float = 0.5, seed: int = 1, say: Any = print) -> SoakReport:
    """The soak on an already synced PostgreSQL ``store`` whose platform is ``platform`` (a libpq URL)."""
    env = {**os.environ, "PROMO_PLATFORM_URL": platform}
    served = Served(store, replicas, env)
    report = SoakReport(LoadReport(f"serve --replicas {replicas}", sessions, seconds, think_ms), Decisions(), Memory())
    try:
        served.wait_ready()
        say(f"serve ready on port {served.port}: replicas {served.pids}; warming up…")
        asyncio.run(warm_up(f"http://127.0.0.1:{served.port}", [parse_page(p) for p in DEFAULT_PAGES]))
        report.memory.warm = {name: rss_mb(pid) for name, pid in served.pids.items()}
        report.pending_before = pending_total(store)
        started = dt.datetime.now(dt.UTC)
        say(f"soak: {sessions} sessions ({deciders} deciding) for {seconds:.0f} s, a sync at "
            f"{seconds * sync_at:.0f} s…")
        report.load.load_before = os.getloadavg()
        asyncio.run(soak_sessions(served, store, env, sessions, deciders, think_ms, decide_ms, seconds, sync_at,
                                  seed, report))
        report.load.load_after = os.getloadavg()
        report.memory.end = {name: rss_mb(pid) for name, pid in served.pids.items()}
        report.memory.restarted = set(served.restarted)
    finally:
        served.stop()
    ok, line = run_sync(store, env)  # the platform's state, write-backs included, once more
    if not ok:
        report.failures.append(f"the closing sync failed ({line})")
    report.logged, report.twice = audit_since(store, started)
    report.pending_after = pending_total(store)
    judge(report)
    return report


def judge(report: SoakReport) -> None:
    d = report.decisions
    if report.load.errors:
        report.failures.append(f"{report.load.errors} errors")
    if d.unanswered:
        report.failures.append(f"{len(d.unanswered)} decisions without an answer")
    if report.logged != d.applied:
        report.failures.append(f"{d.applied} decisions applied but {report.logged} approvals in the audit log")
    if report.twice:
        report.failures.append(f"{report.twice} items approved more than once")
    if report.pending_before - report.pending_after != d.applied:
        report.failures.append(f"the queue is shorter by {report.pending_before - report.pending_after}, not by the "
                               f"{d.applied} applied decisions")
    for name, start in report.memory.start.items():
        end = report.memory.end.get(name, 0.0)
        if name in report.memory.restarted:
            report.failures.append(f"replica {name} was restarted")
        elif start and end > start * (1 + MEMORY_GROWTH):
            report.failures.append(f"replica {name} grew {(end / start - 1) * 100:.0f} % (bound "
                                   f"{MEMORY_GROWTH * 100:.0f} %)")


def prepare(server: str, snapshot: Path, layout: str, tag: str, say: Any = print) -> tuple[str, str]:
    """A fresh platform database (the snapshot as its KV table) and a fresh store database synced from it, on the
    PostgreSQL ``server``: (platform libpq URL, store URL). Both are dropped and made again on each run."""
    import psycopg

    from dashboard.bench.sync import copy_snapshot

    base = server.replace("postgresql+psycopg://", "postgresql://")
    names = {"platform": f"promo_soak_{tag}_platform", "store": f"promo_soak_{tag}_store"}
    with psycopg.connect(base, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    platform = base.rsplit("/", 1)[0] + "/" + names["platform"]
    store = "postgresql+psycopg://" + platform.split("://", 1)[1].rsplit("/", 1)[0] + "/" + names["store"]
    say(f"loading {snapshot.name} into {names['platform']}.{PLATFORM_TABLE}…")
    with psycopg.connect(platform, autocommit=True) as conn:
        copy_snapshot(conn, snapshot, PLATFORM_TABLE)
    say(f"syncing {names['store']} from it ({layout})…")
    ok, line = run_sync(store, {**os.environ, "PROMO_PLATFORM_URL": platform})
    if not ok:
        raise RuntimeError(f"the first sync failed: {line}")
    return platform, store


def cmd_soak(args: argparse.Namespace) -> int:
    args.sessions = 100 if args.sessions is None else args.sessions  # run as python -m ui.bench_soak without them
    args.think = 5000 if args.think is None else args.think
    args.seconds = 600.0 if args.seconds is None else args.seconds
    args.scale = args.scale or "small"
    if args.sessions < 1 or not 0 <= args.deciders <= args.sessions or args.seconds <= 0 or args.think < 0 \
            or args.replicas < 1:
        print("error: --sessions ≥ 1, 0 ≤ --deciders ≤ --sessions, --seconds > 0, --think ≥ 0, --replicas ≥ 1",
              file=sys.stderr)
        return 2
    if not args.pg_url:
        print("error: bench soak runs replicas over PostgreSQL: give --pg-url (or PROMO_BENCH_PG_URL), a server "
              "where this role may create databases", file=sys.stderr)
        return 2
    from dashboard.bench.demo_stores import demo_file

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    try:
        snapshot = demo_file(args.scale, args.seed, args.layout)
        platform, store = prepare(args.pg_url, snapshot, args.layout, f"{args.scale}_{args.seed}", say)
        report = soak(platform, store, args.sessions, args.deciders, args.think, args.decide_every, args.seconds,
                      args.replicas, seed=args.seed, say=say)
    except (RuntimeError, OSError) as exc:
        print(f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", file=sys.stderr)
        return 1
    except Exception as exc:  # psycopg.Error (the server refused): one line
        print(f"error: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
              file=sys.stderr)
        return 1
    for line in report.lines():
        print(line)
    return 0 if not report.failures else 1


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.bench_soak [bench options]``: what ``python -m dashboard bench soak`` runs, in its own process
    (its sessions speak Streamlit's protocol, so it lives with the UI)."""
    from dashboard.bench.commands import add_bench_parser

    parser = argparse.ArgumentParser(prog="python -m dashboard bench soak")
    add_bench_parser(parser.add_subparsers())
    return cmd_soak(parser.parse_args(["bench", "soak", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":
    raise SystemExit(main())
