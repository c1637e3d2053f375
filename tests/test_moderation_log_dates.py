"""The audit log's date range: a full range filters, a half-picked one is that day, a cleared one means any date
(like the other filters' empty choice); none of them is a traceback."""

from __future__ import annotations

import datetime as dt

from dashboard.cli import main as cli
from dashboard.i18n.formatting import moscow_today
from dashboard.store.connect import Store
from tests.apptest import open_page


def logged_ids(at: object) -> list[str]:
    """The logged items, by title (the full id is in the CSV only; the screen has the title)."""
    frames = list(at.dataframe)  # type: ignore[attr-defined]
    return [] if not frames else [TITLES.get(v, v) for v in frames[0].value["Item"]]


TITLES = {"Первый трек": "t1"}  # tests/data.py SEED_RECORDS


def test_cleared_and_half_picked_ranges(seed_duckdb: Store) -> None:
    store = seed_duckdb
    assert cli(["moderate", "--db", store.name, "--entity", "tracks", "--id", "t1", "--action", "approve",
                "--actor", "Анна"]) == 0
    today = moscow_today()
    at = open_page(store, "ui/views/moderation_log.py", role="moderator", lang="en")
    assert not at.exception, at.exception
    assert logged_ids(at) == ["t1"]  # the default range: the last 30 days

    at.date_input(key="mlog_range").set_value(()).run()  # cleared: any date
    assert not at.exception, at.exception
    assert logged_ids(at) == ["t1"]

    at.date_input(key="mlog_range").set_value((today,)).run()  # half picked: that one day
    assert not at.exception, at.exception
    assert logged_ids(at) == ["t1"]

    yesterday = today - dt.timedelta(days=1)
    at.date_input(key="mlog_range").set_value((yesterday,)).run()
    assert not at.exception, at.exception
    assert logged_ids(at) == [] and any("No log entries" in str(i.value) for i in at.info)

    at.date_input(key="mlog_range").set_value((today - dt.timedelta(days=7), yesterday)).run()
    assert not at.exception, at.exception
    assert logged_ids(at) == []
