"""Page benchmark: each page's full server-side run (the app shell plus the page) with Streamlit's AppTest.

Streamlit is imported inside the functions, so ``dashboard`` stays importable without it. A page is opened once as
each identity; that first run (cold query cache for this page and identity) is reported as ``first_ms`` and left
out; the next ``repeats`` runs give ``median_ms`` and ``max_ms``. With ``cold=True`` the query cache is cleared
before every run, so each timed run also pays for its SQL.

A Streamlit server compiles each page script once (its runtime's ``ScriptCache``, until the file changes). AppTest
makes a new cache on every run, so every run would also parse, rewrite ("magic") and compile ``app.py`` and the
page: 100–300 ms for the larger pages, a cost no user sees. The runs here share one cache, as a server does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dashboard.metrics.revenue import VIEWS
from dashboard.store.connect import Store

APP = Path(__file__).resolve().parent.parent / "app.py"
ARTIST_PAGES = ("ui/views/artist_overview.py", "ui/views/artist_tracks.py", "ui/views/artist_audience.py",
                "ui/views/artist_concerts.py", "ui/views/artist_fans.py", "ui/views/artist_promotion.py",
                "ui/views/artist_bookings.py", "ui/views/artist_marketplace.py", "ui/views/artist_track_tests.py")
TIMEOUT_S = 120.0


@contextmanager
def _compiled_once() -> Iterator[None]:
    """AppTest's runs share one ScriptCache (as the runs of a Streamlit server do) for the duration of the block."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    saved = app_test.ScriptCache, local_script_runner.ScriptCache
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared  # type: ignore[assignment,misc]
    try:
        yield
    finally:
        app_test.ScriptCache, local_script_runner.ScriptCache = saved  # type: ignore[misc]


@contextmanager
def _app_env(store: Store) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("PROMO_DB", "PROMO_DEMO_MODE")}
    os.environ["PROMO_DB"] = store.name
    os.environ["PROMO_DEMO_MODE"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def default_identities(store: Store, artists: int = 3) -> list[tuple[str, str | None]]:
    """The admin (whose artist picker starts on the first artist) and the first ``artists`` artists by name."""
    from dashboard.store.queries import run_query

    directory = run_query(store, "artists_matching", search="", limit=artists)
    return [("admin", None)] + [("artist", str(a)) for a in directory["artist_id"].head(artists)]


def bench_pages(store: Store, pages: list[str], identities: list[tuple[str, str | None]], repeats: int = 5,
                cold: bool = False, state: dict[str, object] | None = None) -> list[dict]:
    """Time each page as each identity: one row per (page, role, artist_id) with first_ms, median_ms, max_ms."""
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # bare-mode warnings on every run would drown the table; Streamlit sets each of its loggers' level itself
    for name in ["streamlit", *(n for n in logging.root.manager.loggerDict if n.startswith("streamlit."))]:
        logging.getLogger(name).setLevel(logging.ERROR)

    rows: list[dict] = []
    with _app_env(store), _compiled_once():
        for page in pages:
            for role, artist_id in identities:
                at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
                at.secrets["bench"] = {"isolated": True}  # never a local [auth]: that would refuse demo mode
                at.session_state["view_as"] = (role, artist_id)
                at.session_state["lang"] = "ru"
                at.run()
                at.switch_page(page)
                for key, value in (state or {}).items():  # e.g. which view of a page to open
                    at.session_state[key] = value
                times: list[float] = []
                errors: list[str] = []
                for _ in range(repeats + 1):
                    if cold:
                        st.cache_data.clear()
                    started = time.perf_counter()
                    at.run()
                    times.append((time.perf_counter() - started) * 1000.0)
                    errors += [str(e.message) for e in at.exception]
                warm = times[1:] or times
                rows.append({
                    "page": page, "role": role, "artist_id": artist_id, "runs": len(warm),
                    "first_ms": round(times[0], 1), "median_ms": round(statistics.median(warm), 1),
                    "max_ms": round(max(warm), 1), "cold": cold, "errors": sorted(set(errors)),
                    "state": dict(state or {}),
                })
    return rows


STAFF_PAGES = (("ui/views/overview.py", "admin"), ("ui/views/moderation_queue.py", "moderator"),
               ("ui/views/moderation_log.py", "moderator"), ("ui/views/data_health.py", "moderator"))


def pages_bench(store: Store, repeats: int) -> None:
    """Every page's full server-side run (AppTest): warm = query cache hit, cold = the cache cleared before each run
    (what a user sees on a first visit or right after a write)."""
    artists = [i for i in default_identities(store, artists=2) if i[0] == "artist"]
    rows: list[dict[str, Any]] = []
    for cold in (False, True):
        for page, role in STAFF_PAGES:
            rows += bench_pages(store, [page], [(role, None)], repeats=repeats, cold=cold)
        for view in VIEWS:  # the revenue page runs one view at a time
            rows += bench_pages(store, ["ui/views/revenue.py"], [("manager", None)], repeats=repeats, cold=cold,
                                state={"rev_view": view})
        rows += bench_pages(store, list(ARTIST_PAGES), artists, repeats=repeats, cold=cold)
    print(f"bench pages on {store.label()} ({repeats} timed runs each, after one warm-up run)")
    print(f"  {'page':32} {'as':22} {'warm median':>12} {'warm max':>9} {'cold median':>12} {'cold max':>9}")
    def ident(r: dict[str, Any]) -> tuple[str, str, str | None, str]:
        return r["page"], r["role"], r["artist_id"], str(r["state"].get("rev_view", ""))

    warm = {ident(r): r for r in rows if not r["cold"]}
    for r in (r for r in rows if r["cold"]):
        w = warm[ident(r)]
        who = r["role"] if r["role"] != "artist" else f"artist {str(r['artist_id'])[:6]}"
        if r["state"]:
            who += f" {r['state']['rev_view']}"
        flag = "  ERRORS: " + "; ".join(r["errors"] + w["errors"]) if r["errors"] or w["errors"] else ""
        print(f"  {r['page']:32} {who:22} {w['median_ms']:>9.0f} ms {w['max_ms']:>6.0f} ms "
              f"{r['median_ms']:>9.0f} ms {r['max_ms']:>6.0f} ms{flag}")


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.bench_pages --db STORE [--repeats N]``: what ``python -m dashboard bench pages`` runs."""
    parser = argparse.ArgumentParser(prog="python -m ui.bench_pages")
    parser.add_argument("--db", required=True, help="the store to measure (a DuckDB path or a PostgreSQL URL)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    pages_bench(Store(args.db), args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
