"""Every queries/*.sql runs on DuckDB and on PostgreSQL against the same data and returns the same result."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from dashboard.moderation.config import pending_params
from dashboard.store.connect import Store
from dashboard.store.queries import QueryError, all_queries, load_query, run_query
from tests.conftest import AS_OF

# Values for every parameter name any query uses. A query with a parameter not listed here fails the test:
# add a sensible demo value when you add a query.
PARAMS: dict[str, Any] = {
    "start": AS_OF - dt.timedelta(days=89), "end": AS_OF, "grain": "week",
    "cur_start": AS_OF - dt.timedelta(days=29), "cur_end": AS_OF,
    "prev_start": AS_OF - dt.timedelta(days=59), "prev_end": AS_OF - dt.timedelta(days=30),
    "since": AS_OF - dt.timedelta(days=365), "until": AS_OF, "as_of": AS_OF, "today": AS_OF,
    "actor": "", "action": "", "entity": "", **pending_params("seed"),
}
# columns that differ between two ingest runs of the same data by nature
RUN_SPECIFIC = {"last_ingest": ["id", "finished_at"]}


def normalize(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, Decimal | float):
        return round(float(value), 6)
    if isinstance(value, pd.Timestamp | dt.datetime):
        ts = pd.Timestamp(value)
        return (ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return normalize(value.item())
    if isinstance(value, dict | list):
        return repr(value)
    return value


def result_rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(normalize(v) for v in row) for row in frame.itertuples(index=False)]


def params_for(name: str, store: Store, artist_id: str) -> dict[str, Any]:
    from tests.sql import scalar

    values = {**PARAMS, "artist_id": artist_id,
              "track_id": scalar(store, "SELECT MIN(id) FROM tracks WHERE user_id = :a", a=artist_id),
              "concert_id": scalar(store, "SELECT MIN(id) FROM concerts WHERE user_id = :a", a=artist_id)}
    missing = [p for p in load_query(name).params if p not in values]
    if missing:
        pytest.fail(f"add demo values for {missing} to PARAMS in tests/test_query_parity.py")
    return {p: values[p] for p in load_query(name).params}


@pytest.mark.parametrize("name", all_queries())
def test_same_result_on_both_engines(name: str, demo_stores: dict[str, Store]) -> None:
    duck, pg = demo_stores["duckdb"], demo_stores["postgresql"]
    from tests.sql import scalar

    # the artist with the most tracks, so that artist-scoped queries return rows
    top_artist = scalar(duck, "SELECT user_id FROM tracks GROUP BY user_id ORDER BY COUNT(*) DESC, user_id LIMIT 1")
    params = params_for(name, duck, top_artist)
    a = run_query(duck, name, **params).drop(columns=RUN_SPECIFIC.get(name, []))
    b = run_query(pg, name, **params).drop(columns=RUN_SPECIFIC.get(name, []))
    assert list(a.columns) == list(b.columns)
    rows_a, rows_b = result_rows(a), result_rows(b)
    if "ORDER BY" not in load_query(name).sql.upper():
        rows_a, rows_b = sorted(rows_a, key=repr), sorted(rows_b, key=repr)
    assert rows_a == rows_b


def test_every_query_has_a_header() -> None:
    for name in all_queries():
        q = load_query(name)
        assert q.returns, f"queries/{name}.sql needs a '-- Returns:' header"
        assert "-- Params:" in q.sql, f"queries/{name}.sql needs a '-- Params:' header"


def test_missing_parameter_is_refused(demo_stores: dict[str, Store]) -> None:
    with pytest.raises(QueryError, match="needs parameters: start, end"):
        run_query(demo_stores["duckdb"], "donations_by_day")
    with pytest.raises(QueryError, match="bad query name"):
        run_query(demo_stores["duckdb"], "../etc/passwd")


def test_overview_numbers(demo_stores: dict[str, Store]) -> None:
    """The overview's KPIs against independent SQL on both engines."""
    from tests.sql import scalar

    for store in demo_stores.values():
        kpis = run_query(store, "platform_kpis").iloc[0]
        assert kpis["tracks"] == scalar(store, "SELECT COUNT(*) FROM tracks")
        assert kpis["coins_in_circulation"] == scalar(store, "SELECT SUM(balance) FROM coins_balance")
        periods = run_query(store, "donations_two_periods", **{k: PARAMS[k] for k in
                            ("cur_start", "cur_end", "prev_start", "prev_end")}).set_index("period")
        expected = scalar(store, "SELECT SUM(amount) FROM donations WHERE status = 'completed' AND currency = 'RUB' "
                                 "AND created_at >= :a AND created_at < :b",
                          a=pd.Timestamp(PARAMS["cur_start"]).tz_localize("Europe/Moscow").to_pydatetime(),
                          b=pd.Timestamp(AS_OF + dt.timedelta(days=1)).tz_localize("Europe/Moscow").to_pydatetime())
        assert periods.loc["current", "amount_rub"] == expected
        assert expected > 0
