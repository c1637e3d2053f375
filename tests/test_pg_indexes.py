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
