-- Fragment (not a query): the CTEs "series_runs", "series_steps" and "series_days", included by artist queries
-- with a line "-- include: series_days" (after another CTE and a comma, or right after WITH). The derived daily
-- series of an artist's tracks (dashboard/ingest/series.py): track_totals_history holds each track's running totals
-- when they changed and one run row (track_id NULL) per ingest or sync. A step is the growth between a track's
-- consecutive records (plays, likes, downloads; a decrease counts 0), which happened after the run before the new
-- record: it is spread evenly over the time between those two runs, per Moscow day, in whole plays (each play falls
-- on the day its even share of the time ends in, so the days add up to the growth exactly). The first recording is the
-- baseline (no growth); a track first recorded later grew from 0 since the run before. Tracks that have daily
-- analytics rows (track_analytics: the documented layout, or the platform's dailyStats) are left out: their days
-- are counted there. series_days: one row per (track_id, day) with plays, likes, downloads (whole numbers; a day
-- inside a step that got none of its plays has 0).
-- Needs :artist_id (the records' user_id is the owner the platform keyed the totals under).
series_runs AS (
  SELECT r.recorded_at, LAG(r.recorded_at) OVER (ORDER BY r.recorded_at) AS prev_at
  FROM (SELECT DISTINCT recorded_at FROM track_totals_history WHERE track_id IS NULL) AS r
),
series_steps AS (
  SELECT s.track_id, s.t0, s.t1, s.plays, s.likes, s.downloads,
         EXTRACT(EPOCH FROM s.t1) - EXTRACT(EPOCH FROM s.t0) AS seconds
  FROM (
    SELECT h.track_id, r.prev_at AS t0, h.recorded_at AS t1,
           GREATEST(COALESCE(h.plays, 0) - COALESCE(LAG(h.plays) OVER w, 0), 0) AS plays,
           GREATEST(COALESCE(h.likes, 0) - COALESCE(LAG(h.likes) OVER w, 0), 0) AS likes,
           GREATEST(COALESCE(h.downloads, 0) - COALESCE(LAG(h.downloads) OVER w, 0), 0) AS downloads
    FROM track_totals_history AS h
    JOIN series_runs AS r ON r.recorded_at = h.recorded_at
    WHERE h.user_id = :artist_id
      AND h.track_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM track_analytics AS ta WHERE ta.track_id = h.track_id)
    WINDOW w AS (PARTITION BY h.track_id ORDER BY h.recorded_at, h.run_id)
  ) AS s
  WHERE s.t0 IS NOT NULL AND s.t1 > s.t0 AND s.plays + s.likes + s.downloads > 0
),
series_days AS (
  SELECT z.track_id, z.day,
         CAST(FLOOR(z.plays * z.e1 / z.seconds + 0.000000001) - FLOOR(z.plays * z.e0 / z.seconds + 0.000000001)
              AS BIGINT) AS plays,
         CAST(FLOOR(z.likes * z.e1 / z.seconds + 0.000000001) - FLOOR(z.likes * z.e0 / z.seconds + 0.000000001)
              AS BIGINT) AS likes,
         CAST(FLOOR(z.downloads * z.e1 / z.seconds + 0.000000001)
              - FLOOR(z.downloads * z.e0 / z.seconds + 0.000000001) AS BIGINT) AS downloads
  FROM (
    SELECT y.track_id, y.day, y.plays, y.likes, y.downloads, y.seconds,
           GREATEST(EXTRACT(EPOCH FROM CAST(y.day AS TIMESTAMP WITH TIME ZONE)) - EXTRACT(EPOCH FROM y.t0), 0) AS e0,
           LEAST(EXTRACT(EPOCH FROM CAST(CAST(y.day + 1 AS DATE) AS TIMESTAMP WITH TIME ZONE))
                 - EXTRACT(EPOCH FROM y.t0), y.seconds) AS e1
    FROM (
      SELECT st.track_id, st.t0, st.plays, st.likes, st.downloads, st.seconds,
             CAST(CAST(st.t0 AS DATE) + CAST(g.k AS INTEGER) AS DATE) AS day
      FROM series_steps AS st
      CROSS JOIN LATERAL generate_series(0, CAST(CAST(st.t1 AS DATE) - CAST(st.t0 AS DATE) AS INTEGER)) AS g(k)
    ) AS y
  ) AS z
  WHERE z.e1 > z.e0
)
