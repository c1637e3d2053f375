"""Every query (queries/AREA/NAME.sql) runs on DuckDB and on PostgreSQL against the same data, returns rows, and
returns the same result; its header lists exactly the parameters it uses."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from dashboard.cli import main as cli
from dashboard.i18n.formatting import MOSCOW, moscow_today
from dashboard.moderation import claims
from dashboard.moderation.config import pending_params
from dashboard.store.connect import Store
from dashboard.store.queries import QueryError, all_queries, header_params, index_queries, load_query, run_query
from tests.conftest import AS_OF
from tests.engines import assert_same_result
from tests.pg_server import create_database
from tests.sql import rows, scalar
from tests.test_artist_deals import DEPLOYED_ONLY

# Values for the parameters that do not depend on the data. A query with a parameter not listed here (or picked
# from the data in params_for) fails the test: add a sensible demo value when you add a query.
PARAMS: dict[str, Any] = {
    "start": AS_OF - dt.timedelta(days=89), "end": AS_OF, "grain": "week",
    "cur_start": AS_OF - dt.timedelta(days=29), "cur_end": AS_OF,
    "prev_start": AS_OF - dt.timedelta(days=59), "prev_end": AS_OF - dt.timedelta(days=30),
    "since": AS_OF - dt.timedelta(days=365), "until": AS_OF, "as_of": AS_OF, "today": AS_OF,
    "actor": "", "action": "", "entity": "", "entity_id": "", "source_key": "", "search": "", "limit": 50,
    "offset": 0, "types": "", "bands": "", "artist_filter": "",
    "red_before": dt.datetime(2026, 10, 29, tzinfo=MOSCOW), "amber_before": dt.datetime(2026, 10, 31, tzinfo=MOSCOW),
    "now": dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC),  # a claim in decided_stores is in force then
    **pending_params("seed"),
}
# an artist whose platform account has an email (for the account and auto-mapping queries)
ARTIST_WITH_EMAIL = ("SELECT MIN(u.id), LOWER(MIN(u.email)) FROM users AS u WHERE u.email IS NOT NULL AND u.id = "
                     "(SELECT MIN(t.user_id) FROM tracks AS t JOIN users AS x ON x.id = t.user_id "
                     "WHERE x.email IS NOT NULL)")
# per query: the decisions in decided_stores are made now, not on the demo's as-of day
# the audit log up to tomorrow: the decisions are made when the module's fixture runs, which may be after Moscow's
# midnight if the module was imported before it (a run that failed so at 00:15 Moscow)
PARAMS_OF = {"moderation_log_entries": {"start": AS_OF, "end": moscow_today() + dt.timedelta(days=1)},
             "moderation_my_decisions": {"actor": "Анна"}}
# columns that differ between two ingest runs of the same data by nature
RUN_SPECIFIC = {"last_ingest": ["id", "finished_at"], "moderation_log_entries": ["at", "id", "batch_id"],
                "moderation_item_decision": ["at"], "moderation_item_history": ["at", "id"],
                "moderation_my_decisions": ["id", "at", "latest_id", "latest_at"],
                "store_version": ["ingested_at", "decided_at", "accounts_changed_at"]}
# tables an artist-scoped query reads: the artists with the most rows in them are tried first
ARTIST_TABLES = {"tracks": "user_id", "concerts": "user_id", "donations": "artist_id", "banner_ads": "user_id",
                 "promotion_campaigns": "user_id", "pitching_submissions": "user_id", "coins_transactions": "user_id"}


@pytest.fixture(scope="module")
def decided_stores(demo_snapshot: Path, pg_url: str, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[dict[str, Store]]:
    """The demo snapshot on both engines with two moderation decisions (through the moderate command), so the audit
    log queries have rows too."""
    from dashboard.ingest.build import ingest

    duck = Store(str(tmp_path_factory.mktemp("decided") / "demo.duckdb"))
    pg = Store(create_database(pg_url, f"decided_{os.getpid()}"))
    for store in (duck, pg):
        ingest([demo_snapshot], store, "seed", say=lambda _m: None)
        track, video = (rows(store, f"SELECT MIN(id) FROM {t} WHERE status = 'pending'")[0][0]
                        for t in ("tracks", "videos"))
        assert cli(["moderate", "--db", store.name, "--entity", "tracks", "--id", track, "--action", "approve",
                    "--actor", "Анна"]) == 0
        assert cli(["moderate", "--db", store.name, "--entity", "videos", "--id", video, "--action", "reject",
                    "--reason", "quality", "--actor", "Анна"]) == 0
        pending = rows(store, "SELECT source_key, MAX(id) FROM news WHERE status = 'pending' GROUP BY source_key "
                              "ORDER BY 1 LIMIT 1")[0]  # a claim in force at PARAMS["now"]
        claims.claim(store, f"news\t{pending[0]}\t{pending[1]}", "session-1", "Анна", now=PARAMS["now"], seconds=600)
        artist, email = rows(store, ARTIST_WITH_EMAIL)[0]  # an account, so the account queries have rows too
        assert cli(["users", "add", email, "--role", "artist", "--artist-id", artist, "--db", store.name]) == 0
    yield {"duckdb": duck, "postgresql": pg}


def artist_candidates(store: Store) -> list[str]:
    """The artists with the most rows in each table an artist query reads (the busiest first, no repeats)."""
    found: list[str] = []
    for table, column in ARTIST_TABLES.items():
        found += [r[0] for r in rows(store, f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "
                                            f"GROUP BY {column} ORDER BY COUNT(*) DESC, {column} LIMIT 2")]
    return list(dict.fromkeys(found))


def params_for(name: str, store: Store, artist_id: str) -> dict[str, Any]:
    """The query's parameters, with the artist's busiest track in the period and their first concert."""
    values = {**PARAMS, **PARAMS_OF.get(name, {}), "artist_id": artist_id,
              "track_id": scalar(store, """
                  SELECT a.track_id FROM track_analytics a JOIN tracks t ON t.id = a.track_id
                  WHERE t.user_id = :a AND a.date BETWEEN :s AND :e
                  GROUP BY a.track_id ORDER BY SUM(a.plays) DESC, a.track_id LIMIT 1""",
                                a=artist_id, s=PARAMS["start"], e=PARAMS["end"]) if "track_id" in
              load_query(name).params else None,
              "concert_id": scalar(store, "SELECT MIN(id) FROM concerts WHERE user_id = :a", a=artist_id),
              # two pending items, one line each (queries/moderation/pending_items_by_id.sql)
              "ids": "\n" + "\n".join(str(r[0]) for r in rows(store, """
                  SELECT MIN(id) FROM tracks WHERE status = 'pending'
                  UNION ALL SELECT MIN(id) FROM videos WHERE status = 'pending'""")) + "\n",
              "email": rows(store, ARTIST_WITH_EMAIL)[0][1],
              # list (expanding) parameters: three keys (counters: their JSON text is the same on both engines,
              # unlike an object's, whose jsonb text PostgreSQL reorders), and two artists plus a user who is not one
              "keys": tuple(r[0] for r in rows(store, "SELECT counter_key FROM kv_counters ORDER BY 1 LIMIT 3")),
              "artist_ids": tuple(r[0] for r in rows(store, """
                  (SELECT MIN(user_id) FROM tracks) UNION ALL (SELECT MAX(user_id) FROM concerts)
                  UNION ALL (SELECT MIN(id) FROM users
                             WHERE id NOT IN (SELECT user_id FROM tracks WHERE user_id IS NOT NULL))
                  """))}
    if "source_key" in load_query(name).params:  # one item of the audit log (the decided track)
        values["entity"], values["source_key"], values["entity_id"] = rows(
            store, "SELECT entity, source_key, entity_id FROM moderation_log ORDER BY entity, entity_id LIMIT 1")[0]
    missing = [p for p in load_query(name).params if p not in values]
    if missing:
        pytest.fail(f"add demo values for {missing} to PARAMS in tests/test_query_parity.py")
    return {p: values[p] for p in load_query(name).params}


# the data health checks find problems, and the demo has only some kinds: tests/test_health.py runs them on both
# engines on a store with every kind of problem (the same comparison, KV JSON text compared as JSON)
ELSEWHERE = ("health", "anomalies")  # anomalies: tests/test_anomalies.py (thresholds from their file)
# DEPLOYED_ONLY: queries of tables only the deployed layout fills; tests/test_artist_deals.py runs them on both
# engines on the fixture and the deployed demo, with rows


# FIXTURE_ONLY: keys only the deployed layout has (the platform's double-encoded values): tests/test_health.py runs
# them on both engines on the deployed fixture
FIXTURE_ONLY = ("double_encoded_keys",)


@pytest.mark.parametrize("name", [n for n in all_queries() if load_query(n).path.parent.name not in ELSEWHERE
                                  and n not in DEPLOYED_ONLY and n not in FIXTURE_ONLY])
def test_rows_and_the_same_result_on_both_engines(name: str, decided_stores: dict[str, Store]) -> None:
    """Each query returns at least one row on the demo data (with parameters picked from the data: an artist who
    has rows), and the same rows on both engines."""
    duck, pg = decided_stores["duckdb"], decided_stores["postgresql"]
    artists = artist_candidates(duck) if "artist_id" in load_query(name).params else [""]
    for artist in artists:
        params = params_for(name, duck, artist)
        a = run_query(duck, name, **params).drop(columns=RUN_SPECIFIC.get(name, []))
        if not a.empty:
            break
    assert not a.empty, f"{name} returns no rows on the demo data: the comparison would prove nothing"
    b = run_query(pg, name, **params).drop(columns=RUN_SPECIFIC.get(name, []))
    assert_same_result(a, b, ordered="ORDER BY" in load_query(name).sql.upper(), label=(name, params))


@pytest.mark.parametrize("name", all_queries())
def test_header_lists_exactly_the_parameters_the_sql_uses(name: str) -> None:
    query = load_query(name)
    assert query.returns, f"{query.path} needs a '-- Returns:' header"
    header = query.path.read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("-- Params:") for line in header), f"{query.path} needs a '-- Params:' header"
    listed = header_params(query.path.read_text(encoding="utf-8"))
    assert set(listed) - set(query.params) == set(), f"{query.path}: the header lists parameters the SQL never uses"
    assert set(query.params) - set(listed) == set(), f"{query.path}: the SQL uses parameters the header does not list"


def test_header_params_reads_multi_line_headers() -> None:
    sql = ("-- Returns: rows on :today (not a parameter)\n-- Params: :a (text) first;\n--         :b, :c_d (date)\n"
           "SELECT :a, :b, :c_d, '12:30'")
    assert header_params(sql) == ("a", "b", "c_d")


def test_queries_live_in_area_folders_and_names_are_unique(tmp_path: Path) -> None:
    areas = {load_query(n).path.parent.name for n in all_queries()}
    assert {"artist", "revenue", "moderation", "platform"} <= areas and "shared" not in areas
    assert load_query("pending_items").path.parent.name == "moderation"
    for area in ("artist", "health"):
        (tmp_path / area).mkdir()
        (tmp_path / area / "same_name.sql").write_text("-- Returns: x\n-- Params: none\nSELECT 1\n")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "fragment.sql").write_text("x AS (SELECT 1)\n")
    with pytest.raises(QueryError, match="two queries named 'same_name'"):
        index_queries(tmp_path)
    (tmp_path / "artist" / "same_name.sql").unlink()
    assert list(index_queries(tmp_path)) == ["same_name"]  # a new area folder is found; shared/ is not a query


def test_missing_parameter_is_refused(demo_duckdb: Store) -> None:
    with pytest.raises(QueryError, match="needs parameters: start, end"):
        run_query(demo_duckdb, "donations_by_day")
    with pytest.raises(QueryError, match="bad query name"):
        run_query(demo_duckdb, "../etc/passwd")


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
                          a=pd.Timestamp(PARAMS["cur_start"]).tz_localize(MOSCOW).to_pydatetime(),
                          b=pd.Timestamp(AS_OF + dt.timedelta(days=1)).tz_localize(MOSCOW).to_pydatetime())
        assert periods.loc["current", "amount_rub"] == expected
        assert expected > 0
