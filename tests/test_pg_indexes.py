"""PostgreSQL: the main artist queries are served by indexes at medium scale (issue 13).

The small demo is loaded into its own database, then grown to medium-like volumes with generated rows for other
artists (tracks, their daily analytics, donations, concerts and their analytics, coin transactions), and ANALYZEd:
realistic statistics, no planner switches. EXPLAIN of each artist query for a demo artist must use an index and
must not read the big tables sequentially."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from dashboard.ingest.postgres_load import connect
from dashboard.metrics.periods import period_for
from dashboard.moderation.config import pending_params
from dashboard.store import schema
from dashboard.store.connect import Store
from dashboard.store.queries import load_query
from tests.conftest import AS_OF
from tests.pg_server import create_database
from tests.sql import rows

# the artist queries a page runs first, and the big tables each one reads
MAIN_ARTIST_QUERIES = {
    "artist_plays_by_day": ("track_analytics",), "artist_track_by_day": ("track_analytics",),
    "artist_platforms": ("track_analytics",), "artist_geography": ("track_analytics",),
    "artist_tracks_in_period": ("track_analytics",), "artist_period_totals": ("track_analytics", "donations"),
    "artist_donations_by_day": ("donations",), "artist_donation_feed": ("donations",),
    "artist_top_donors": ("donations",), "artist_coins_by_day": ("coins_transactions",),
    "artist_concert_by_day": ("concert_analytics",), "artist_concert_referrals": ("concert_analytics",),
    "artist_data_dates": ("track_analytics", "concert_analytics"),
}
GROWN_ARTISTS = 20_000  # other artists
TRACKS_PER_ARTIST = 3
DAYS = 10  # 20k artists x 3 tracks x 10 days = 600k analytics rows, like the medium demo's 700k


def grow(url: str) -> None:
    days = f"generate_series(0, {DAYS - 1})"
    with connect(Store(url)) as pg, pg.cursor() as cur:
        cur.execute(f"""INSERT INTO tracks (id, user_id, title, status, created_at)
            SELECT 'gen-t-' || a || '-' || k, 'gen-a-' || a, 'generated', 'approved', now()
            FROM generate_series(1, {GROWN_ARTISTS}) a, generate_series(1, {TRACKS_PER_ARTIST}) k""")
        cur.execute(f"""INSERT INTO track_analytics (id, track_id, date, plays, unique_listeners, likes, shares,
                downloads, playlist_adds, platform_stats, geographic_stats)
            SELECT 'gen-ta-' || a || '-' || k || '-' || d, 'gen-t-' || a || '-' || k, DATE '{AS_OF}' - d,
                   (a + d) % 50, 1, 0, 0, 0, 0, '{{"web": 1}}'::jsonb, '{{"ru": 1}}'::jsonb
            FROM generate_series(1, {GROWN_ARTISTS}) a, generate_series(1, {TRACKS_PER_ARTIST}) k, {days} d""")
        cur.execute(f"""INSERT INTO donations (id, artist_id, donor_name, amount, currency, status, is_anonymous,
                created_at)
            SELECT 'gen-d-' || a || '-' || d, 'gen-a-' || a, 'донор', 100, 'RUB', 'completed', false,
                   TIMESTAMPTZ '{AS_OF} 12:00+03' - d * INTERVAL '1 day'
            FROM generate_series(1, {GROWN_ARTISTS}) a, {days} d""")
        cur.execute(f"""INSERT INTO coins_transactions (id, user_id, amount, type, created_at)
            SELECT 'gen-c-' || a || '-' || d, 'gen-a-' || a, 10, 'earn',
                   TIMESTAMPTZ '{AS_OF} 12:00+03' - d * INTERVAL '1 day'
            FROM generate_series(1, {GROWN_ARTISTS}) a, {days} d""")
        cur.execute(f"""INSERT INTO concerts (id, user_id, title, status, date)
            SELECT 'gen-k-' || a, 'gen-a-' || a, 'generated', 'approved', DATE '{AS_OF}'
            FROM generate_series(1, {GROWN_ARTISTS}) a""")
        cur.execute(f"""INSERT INTO concert_analytics (id, concert_id, date, views, clicks, ticket_views,
                share_count, referral_sources)
            SELECT 'gen-ka-' || a || '-' || d, 'gen-k-' || a, DATE '{AS_OF}' - d, 5, 1, 1, 0, '{{"vk": 1}}'::jsonb
            FROM generate_series(1, {GROWN_ARTISTS}) a, {days} d""")
        for table in schema.REFERENCE_TABLES:
            cur.execute(f"ANALYZE {table}")
        pg.commit()


@pytest.fixture(scope="module")
def grown_pg(demo_snapshot: Path, pg_url: str) -> Store:
    from dashboard.ingest.build import ingest

    store = Store(create_database(pg_url, f"grown_{os.getpid()}"))
    ingest([demo_snapshot], store, "seed", say=lambda _m: None)
    grow(store.name)
    return store


def explain(store: Store, name: str, params: dict[str, object]) -> str:
    query = load_query(name)
    return "\n".join(str(r[0]) for r in rows(store, "EXPLAIN " + query.sql, **{p: params[p] for p in query.params}))


def test_every_main_artist_query_uses_an_index(grown_pg: Store) -> None:
    (analytics_rows,) = rows(grown_pg, "SELECT COUNT(*) FROM track_analytics")[0]
    assert analytics_rows >= 500_000, "medium-like volume"
    artist = rows(grown_pg, """SELECT t.user_id FROM track_analytics a JOIN tracks t ON t.id = a.track_id
        WHERE t.user_id NOT LIKE 'gen-%' GROUP BY t.user_id ORDER BY COUNT(*) DESC, t.user_id LIMIT 1""")[0][0]
    period = period_for(28, AS_OF)
    params: dict[str, object] = {"artist_id": artist, "start": period.start, "end": period.end, "today": AS_OF,
                                 **period.params(), **pending_params("seed"),
                                 "track_id": rows(grown_pg, "SELECT MIN(id) FROM tracks WHERE user_id = :a",
                                                  a=artist)[0][0],
                                 "concert_id": "none", "since": AS_OF - dt.timedelta(days=365)}
    for name, big_tables in MAIN_ARTIST_QUERIES.items():
        plan = explain(grown_pg, name, params)
        assert "Index" in plan, (name, plan)
        for table in big_tables:
            assert f"Seq Scan on {table}" not in plan, (name, plan)


# every query a store-wide page runs: the shell (every page), the overview, the queue, the audit log, data health
# and every Revenue view (measured with a query log on the 10M store, issue 21)
STORE_WIDE_QUERIES = (
    "store_version", "artists_matching", "last_ingest", "platform_kpis", "tracks_by_status", "donations_two_periods",
    "donations_by_day", "pending_summary", "pending_page", "moderation_claims_active", "moderation_artist_counts",
    "moderation_artist_submissions", "moderation_item_history", "moderation_kpis", "moderation_my_decisions",
    "moderation_actors", "moderation_log_entries", "health_coin_balance_drift", "health_dangling_list_ids",
    "health_unread_counter_drift", "health_orphan_analytics", "health_orphan_messages", "health_orphan_donations",
    "health_guest_payments", "health_missing_required_fields", "health_counts_table", "health_previous_counts",
    "kv_values_for_keys", "names_of_artists", "revenue_data_range", "revenue_payment_summary", "revenue_timeline",
    "revenue_subscription_movements", "revenue_subscriptions_active", "revenue_coins_flow", "revenue_coins_liability",
    "revenue_top_artists", "revenue_artist_totals", "revenue_payments",
)
def test_no_store_wide_query_reads_a_big_table_sequentially(grown_pg: Store) -> None:
    """EXPLAIN of every store-wide page query on the ANALYZEd medium-like store: no plan reads a table of more than
    100k rows sequentially (the orphan checks, the last two that did, read their rollups now)."""
    import re

    import sqlalchemy as sa

    from dashboard.store.connect import engine
    from dashboard.store.queries import _statement
    from tests.test_query_parity import PARAMS

    big = {str(name) for name, n in rows(grown_pg, "SELECT c.relname, c.reltuples FROM pg_class AS c JOIN "
                                                   "pg_namespace AS s ON s.oid = c.relnamespace WHERE c.relkind = "
                                                   "'r' AND s.nspname = current_schema()") if n > 100_000}
    assert {"track_analytics", "donations", "coins_transactions", "concert_analytics"} <= big, big
    values = {**PARAMS, "keys": ["tracks:none"], "artist_ids": ["gen-a-1", "gen-a-2"], "artist_id": "gen-a-1"}
    found: dict[str, set[str]] = {}
    with engine(grown_pg).connect() as conn:
        for name in STORE_WIDE_QUERIES:
            statement = _statement(name)
            explain = sa.text("EXPLAIN " + statement.text).bindparams(*statement._bindparams.values())
            query = load_query(name)
            plan = "\n".join(str(r[0]) for r in conn.execute(explain, {p: values[p] for p in query.params}))
            scanned = set(re.findall(r"Seq Scan on (\w+)", plan)) & big
            if scanned:
                found[name] = scanned
    assert found == {}
