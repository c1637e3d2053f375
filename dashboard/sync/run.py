"""``sync``: the platform's KV table → the store, through the same build as ``ingest``; and the refresh loop.

One run: the table is read in one consistent snapshot into an NDJSON file (``source.read_snapshot``), the layout
is recognised from the keys when asked (``auto``), and ``ingest`` builds the store from that file exactly as from a
snapshot file (same rejects, unmapped keys, coercion counts, atomic replace). ``ingest_runs.files`` records the
source (URL without password), the table, where the credentials came from, whether the role may write back, and
when the snapshot was taken. When the store is the source's own PostgreSQL database, nothing is read out: the
same build runs inside the server (``sync/inserver.py``, ``ingest/pg_build.py``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from dashboard.ingest.build import ingest
from dashboard.ingest.layout import LayoutError, load_layout
from dashboard.ingest.result import IngestError, IngestResult
from dashboard.ingest.target import DURABLE_APPENDS
from dashboard.store.connect import Store, StoreError
from dashboard.store.leftovers import SYNC_PREFIX, remove_dead_workdirs, work_folder
from dashboard.sync.changelog import FullSyncNeeded, mark_now
from dashboard.sync.feed import Feed, FeedResult, follower_lock, follower_name, mark_follower
from dashboard.sync.position import full_sync_append
from dashboard.sync.source import PlatformSource, Snapshot, SourceError, read_snapshot

Say = Callable[[str], None]
SYNC_FORMAT = "postgresql"
KNOWN_LAYOUTS = ("seed", "deployed")
_INTERVAL = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m|h)?$")


def detect_layout(keys: tuple[str, ...] | list[str]) -> tuple[str, dict[str, int]]:
    """The known layout whose modelled patterns (tables, indexes, counters) cover most of the keys, with each
    layout's count. Raises LayoutError when neither covers any key, or both cover the same number."""
    scores: dict[str, int] = {}
    for name in KNOWN_LAYOUTS:
        layout = load_layout(name)
        modelled = [(e.prefix, re.compile(e.regex)) for e in layout.entries if e.shape != "unmodeled"]
        scores[name] = sum(1 for k in keys if any(k.startswith(p) and rx.fullmatch(k) for p, rx in modelled))
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if ranked[0][1] == 0 or ranked[0][1] == ranked[1][1]:
        shown = ", ".join(f"{n} {c:,}" for n, c in ranked)
        raise LayoutError(f"--layout auto: cannot tell the layout from the keys ({shown} keys recognised); "
                          "pass --layout seed, deployed or a layout file")
    return ranked[0][0], scores


def origin_of(source: PlatformSource, snap: Snapshot, layout_note: str) -> dict[str, Any]:
    return {
        "format": SYNC_FORMAT,
        "source": source.label,
        "table": source.table,
        "credentials": source.credentials,
        "writable": snap.writable,
        "snapshot_at": snap.taken_at.isoformat(),
        "keys": snap.keys,
        "layout_choice": layout_note,
    }


def snapshot_parent(store: Store) -> Path:
    """Where a sync writes its snapshot of the platform table: next to a DuckDB store (same disk as the build), in
    the system temp folder for a PostgreSQL store."""
    parent = Path(tempfile.gettempdir()) if store.is_postgres else store.path.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    return parent


def remove_dead_snapshots(store: Store, say: Say) -> None:
    """The snapshot folders of killed syncs (``promo-sync-{pid}-…`` whose process is gone), removed before this
    sync writes its own: each is a full copy of the platform table."""
    freed = remove_dead_workdirs(snapshot_parent(store), SYNC_PREFIX)
    if freed:
        say(f"  removed {freed / 1e6:,.1f} MB left by an interrupted sync")


def sync(source: PlatformSource, store: Store, layout_spec: str = "auto", say: Say = print,
         allow_empty: bool = False) -> IngestResult:
    """One sync run. Fatal problems raise SourceError/IngestError/StoreError/LayoutError (one line). An empty
    platform table does not empty a store that has keys unless ``allow_empty`` (as for ingest)."""
    if layout_spec not in ("auto", *KNOWN_LAYOUTS):
        load_layout(layout_spec)  # a bad layout file fails before the source is read
    remove_dead_snapshots(store, say)
    if store.is_postgres:
        from dashboard.sync.inserver import same_database, sync_in_server

        if same_database(source, store):
            say("  same database: building inside the server")

            def choose(keys: list[str]) -> str:
                name, scores = detect_layout(keys)
                say(f"  layout auto: {name} ({', '.join(f'{n} {c:,}' for n, c in scores.items())} of "
                    f"{len(keys):,} sampled keys recognised)")
                return name

            return sync_in_server(source, store, layout_spec, say, allow_empty, origin_of, choose)
    workdir = work_folder(SYNC_PREFIX, snapshot_parent(store))
    try:
        snap = read_snapshot(source, workdir, mark_of=mark_now)
        say(f"  read {snap.keys:,} keys ({snap.size / 1e6:,.1f} MB) from {source.table} at {source.label}")
        note = layout_spec
        if layout_spec == "auto":
            layout_spec, scores = detect_layout(snap.sample)
            note = f"auto: {layout_spec}"
            say(f"  layout auto: {layout_spec} ({', '.join(f'{n} {c:,}' for n, c in scores.items())} of "
                f"{len(snap.sample):,} sampled keys recognised)")
        if not snap.writable:
            say(f"  {source.label}: this role may not update {source.table}: moderation is read-only")
        if snap.mark is None:
            say("  no change log on the platform: the next sync is a full one too (see --install-change-log)")
        layout_name = layout_spec if layout_spec in KNOWN_LAYOUTS else str(Path(layout_spec).resolve())
        return ingest(list(snap.paths), store, layout_spec, say=say, allow_empty=allow_empty,
                      origin=origin_of(source, snap, note),
                      appends=[*DURABLE_APPENDS, full_sync_append(source, snap.mark, layout_name)])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run_sync(source: PlatformSource, store: Store, layout_spec: str = "auto", say: Say = print,
             allow_empty: bool = False, full: bool = False, feed: Feed | None = None) -> IngestResult | FeedResult:
    """``sync`` as the command runs it: the changes since the store's last sync when the platform has a change log
    and the store a position in it (``feed.py``), else (or with ``full``) a full sync, saying why in one line."""
    if not full:
        feed = feed or Feed(source, store, layout_spec)
        try:
            return feed.apply(say)
        except FullSyncNeeded as why:
            if not why.first:
                say(f"  {why}: full sync")
    result = sync(source, store, layout_spec, say=say, allow_empty=allow_empty)
    if feed is not None and feed.follower:
        mark_follower(store, feed.follower)
    return result


def follow(source: PlatformSource, store: Store, layout_spec: str, seconds: float, say: Say = print,
           stop: threading.Event | None = None, max_runs: int | None = None) -> int:
    """``sync --follow``: apply the platform's changes every ``seconds`` until SIGTERM/SIGINT (a full sync first
    when the store has no position, or when the log cannot bring it up to date). One line per batch that applied
    something, per full sync and per failure; quiet while nothing changes. Returns the number of failed runs."""
    with follower_lock(store):
        feed = Feed(source, store, layout_spec, follower=follower_name())
        mark_follower(store, feed.follower)

        def once() -> IngestResult | FeedResult | None:
            result = run_sync(source, store, layout_spec, say=say, feed=feed)
            return None if isinstance(result, FeedResult) and not result.changes else result

        try:
            return sync_every(once, seconds, say=say, stop=stop, max_runs=max_runs)
        finally:
            with contextlib.suppress(StoreError, OSError):
                mark_follower(store, feed.follower)  # still recorded: the app says the feed stopped


def parse_interval(text: str) -> float:
    """``15m``, ``30s``, ``1h`` or plain seconds → seconds (at least one second)."""
    m = _INTERVAL.fullmatch(text.strip().lower())
    if not m:
        raise ValueError(f"--every {text!r}: expected a number with s, m or h (e.g. 15m)")
    seconds = float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]
    if seconds < 1:
        raise ValueError(f"--every {text!r}: at least one second")
    return seconds


def run_line(result: IngestResult | FeedResult) -> str:
    if isinstance(result, FeedResult):
        return f"{dt.datetime.now(dt.UTC).astimezone().isoformat(timespec='seconds')} {result.line()}"
    return (f"{dt.datetime.now(dt.UTC).astimezone().isoformat(timespec='seconds')} sync ok: "
            f"{result.rows_loaded:,} keys loaded, {result.rows_rejected:,} rejected, {result.rows_unmapped:,} "
            f"unmapped, layout {result.layout}, in {result.seconds:.1f} s")


def sync_every(run: Callable[[], IngestResult | FeedResult | None], seconds: float, say: Say = print,
               stop: threading.Event | None = None, max_runs: int | None = None) -> int:
    """Run ``run`` every ``seconds`` (measured from the start of one run to the next) until SIGTERM/SIGINT (or
    ``stop`` is set, or ``max_runs`` runs are done). One line per run (none when ``run`` returns None); a failed run
    is one line too and the loop goes on. Returns the number of failed runs."""
    stop = stop or threading.Event()
    previous: dict[int, Any] = {}

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        say(f"{dt.datetime.now(dt.UTC).astimezone().isoformat(timespec='seconds')} sync: "
            f"{signal.Signals(signum).name}, stopping after this run")
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
    failures = runs = 0
    try:
        while not stop.is_set():
            started = time.monotonic()
            try:
                done = run()
                if done is not None:
                    say(run_line(done))
            except (SourceError, IngestError, StoreError, LayoutError, OSError) as exc:
                failures += 1
                say(f"{dt.datetime.now(dt.UTC).astimezone().isoformat(timespec='seconds')} sync failed: {exc}; "
                    f"next attempt in {seconds:,.0f} s")
            runs += 1
            if max_runs is not None and runs >= max_runs:
                break
            stop.wait(max(0.0, seconds - (time.monotonic() - started)))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return failures
