"""Steps that run once the entity tables are built, in the transaction that makes them live (issue 18):

- ``contract_milestones``: one row per element of ``contracts.milestones`` (a layout entry makes one row per key,
  and a contract key is one contract; its milestones are the second entity stored under it);
- ``track_analytics`` rows from the platform's ``dailyStats`` (``analytics:{u}:track:{t}``, kept in
  ``track_totals.daily_stats``): empty in every sample so far, and the code defines no entry shape; an entry that is
  an object with a ``date`` (or ``day``) becomes that day's row (plays, likes, downloads, shares), so the artist pages
  use the platform's own days whenever it starts keeping them;
- the track totals history (dashboard/ingest/series.py);
- the rollups the store-wide pages read (dashboard/rollups.py), from the tables just built, for the build's layout.

``after_build(con, run_id)`` runs as the ingest targets' durable append (``durable_append``, registered in
``target.DURABLE_APPENDS`` when this module is imported, which ``build`` does): in the DuckDB build before its swap
(``con`` is the build's DuckDB connection) and in PostgreSQL's swap transaction (``con`` is its psycopg cursor, the
new tables already live), for file ingests and the in-server sync alike. Only trusted SQL text; no user value
is interpolated.
"""

from __future__ import annotations

from typing import Any

import duckdb

from dashboard.ingest.series import record_track_totals
from dashboard.ingest.target import DURABLE_APPENDS, AppendContext
from dashboard.rollups import build_all

# the tables these steps fill, from the rows of which tables (the incremental sync replaces a changed contract's or
# totals' derived rows with its own: every derived row keeps the source_key of the row it came from)
DERIVED_FROM: dict[str, tuple[str, ...]] = {"contracts": ("contract_milestones",), "track_totals": ("track_analytics",)}

MILESTONES_DUCKDB = """
INSERT INTO contract_milestones (contract_id, order_id, id, position, title, amount, status, due_date, paid_at,
                                 source_key)
SELECT contract_id, order_id, m->>'$.id',
       COALESCE(TRY_CAST(m->>'$.index' AS INTEGER), CAST(i AS INTEGER)),
       left(m->>'$.title', 255), TRY_CAST(m->>'$.amount' AS DECIMAL(10,2)), left(m->>'$.status', 20),
       TRY_CAST(COALESCE(m->>'$.dueDate', m->>'$.due_date') AS TIMESTAMPTZ),
       TRY_CAST(COALESCE(m->>'$.paidAt', m->>'$.paid_at') AS TIMESTAMPTZ), source_key
FROM (SELECT contract_id, order_id, source_key, unnest(range(len(l))) AS i, unnest(l) AS m
      FROM (SELECT id AS contract_id, order_id, source_key, json_extract(milestones, '$[*]') AS l
            FROM contracts WHERE json_type(milestones) = 'ARRAY'))
WHERE json_type(m) = 'OBJECT'
"""

# PostgreSQL has no TRY_CAST: session-local functions (pg_temp) turn what does not cast into NULL, as DuckDB does.
PG_TRY_FUNCTIONS = (
    """CREATE OR REPLACE FUNCTION pg_temp.promo_try_ts(t text) RETURNS timestamptz LANGUAGE plpgsql AS $$
       BEGIN RETURN t::timestamptz; EXCEPTION WHEN others THEN RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.promo_try_money(t text) RETURNS numeric(10,2) LANGUAGE plpgsql AS $$
       BEGIN RETURN t::numeric(10,2); EXCEPTION WHEN others THEN RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.promo_try_int(t text) RETURNS integer LANGUAGE plpgsql AS $$
       BEGIN RETURN t::integer; EXCEPTION WHEN others THEN RETURN NULL; END $$""",
    """CREATE OR REPLACE FUNCTION pg_temp.promo_try_date(t text) RETURNS date LANGUAGE plpgsql AS $$
       BEGIN RETURN CASE WHEN length(t) = 10 THEN t::date ELSE t::timestamptz::date END;
       EXCEPTION WHEN others THEN RETURN NULL; END $$""",
)

DAILY_STATS_DUCKDB = """
INSERT INTO track_analytics (id, track_id, date, plays, likes, shares, downloads, source_key)
SELECT track_id || ':' || CAST(day AS VARCHAR), track_id, day, TRY_CAST(e->>'$.plays' AS INTEGER),
       TRY_CAST(e->>'$.likes' AS INTEGER), TRY_CAST(e->>'$.shares' AS INTEGER),
       TRY_CAST(e->>'$.downloads' AS INTEGER), source_key
FROM (SELECT track_id, source_key, e,
             CASE WHEN length(COALESCE(e->>'$.date', e->>'$.day')) = 10
                  THEN TRY_CAST(COALESCE(e->>'$.date', e->>'$.day') AS DATE)
                  ELSE CAST(TRY_CAST(COALESCE(e->>'$.date', e->>'$.day') AS TIMESTAMPTZ) AS DATE) END AS day
      FROM (SELECT track_id, source_key, unnest(json_extract(daily_stats, '$[*]')) AS e
            FROM track_totals WHERE json_type(daily_stats) = 'ARRAY' AND json_array_length(daily_stats) > 0))
WHERE json_type(e) = 'OBJECT' AND day IS NOT NULL AND track_id IS NOT NULL
"""

DAILY_STATS_PG = """
INSERT INTO track_analytics (id, track_id, date, plays, likes, shares, downloads, source_key)
SELECT x.track_id || ':' || CAST(x.day AS text), x.track_id, x.day, pg_temp.promo_try_int(x.e->>'plays'),
       pg_temp.promo_try_int(x.e->>'likes'), pg_temp.promo_try_int(x.e->>'shares'),
       pg_temp.promo_try_int(x.e->>'downloads'), x.source_key
FROM (SELECT t.track_id, t.source_key, d.e, pg_temp.promo_try_date(COALESCE(d.e->>'date', d.e->>'day')) AS day
      FROM track_totals AS t
      CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(t.daily_stats) = 'array' THEN t.daily_stats
                                                   ELSE '[]'::jsonb END) AS d(e)
      WHERE jsonb_typeof(d.e) = 'object') AS x
WHERE x.day IS NOT NULL AND x.track_id IS NOT NULL
"""

MILESTONES_PG = """
INSERT INTO contract_milestones (contract_id, order_id, id, position, title, amount, status, due_date, paid_at,
                                 source_key)
SELECT c.id, c.order_id, m.e->>'id', COALESCE(pg_temp.promo_try_int(m.e->>'index'), CAST(m.n - 1 AS integer)),
       left(m.e->>'title', 255), pg_temp.promo_try_money(m.e->>'amount'), left(m.e->>'status', 20),
       pg_temp.promo_try_ts(COALESCE(m.e->>'dueDate', m.e->>'due_date')),
       pg_temp.promo_try_ts(COALESCE(m.e->>'paidAt', m.e->>'paid_at')), c.source_key
FROM contracts AS c
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.milestones) = 'array' THEN c.milestones
                                             ELSE '[]'::jsonb END) WITH ORDINALITY AS m(e, n)
WHERE jsonb_typeof(m.e) = 'object'
"""


def derive_contract_milestones(con: Any) -> None:
    if isinstance(con, duckdb.DuckDBPyConnection):
        con.execute("DELETE FROM contract_milestones")
        con.execute(MILESTONES_DUCKDB)
        return
    for statement in PG_TRY_FUNCTIONS:
        con.execute(statement)
    con.execute("DELETE FROM contract_milestones")
    con.execute(MILESTONES_PG)


def derive_daily_stats(con: Any) -> None:
    """The platform's dailyStats entries as track_analytics rows (after the contract milestones, which create the
    PostgreSQL helper functions)."""
    con.execute(DAILY_STATS_DUCKDB if isinstance(con, duckdb.DuckDBPyConnection) else DAILY_STATS_PG)


def after_build(con: Any, run_id: str, layout: str = "seed") -> None:
    """The derived tables, the track totals history and the rollups, in the caller's transaction (see the module's
    doc)."""
    derive_contract_milestones(con)
    derive_daily_stats(con)
    record_track_totals(con, run_id)
    build_all(con.execute, layout)


def durable_append(ctx: AppendContext) -> None:
    """``after_build`` as the ingest targets' durable append (``target.DURABLE_APPENDS``): run on the connection
    (DuckDB build) or cursor (PostgreSQL swap transaction) whose ``execute`` the target hands over."""
    after_build(ctx.execute.__self__, ctx.run_id, ctx.layout)  # type: ignore[attr-defined]


DURABLE_APPENDS.append(durable_append)
