-- Returns: one row per day in [start, end] (every day, 0 when nothing grew): day, plays, likes, downloads of the
--          artist's tracks from the derived daily series (queries/shared/series_days.sql: the growth of the totals
--          recorded at each ingest or sync, spread in whole plays over the days between two recordings), and tracks
--          (how many of the artist's tracks grew that day).
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: series_days
, days AS (
  SELECT CAST(CAST(:start AS DATE) + CAST(g.k AS INTEGER) AS DATE) AS day
  FROM generate_series(0, CAST(CAST(:end AS DATE) - CAST(:start AS DATE) AS INTEGER)) AS g(k)
)
SELECT d.day,
       COALESCE(SUM(s.plays), 0) AS plays,
       COALESCE(SUM(s.likes), 0) AS likes,
       COALESCE(SUM(s.downloads), 0) AS downloads,
       COUNT(DISTINCT CASE WHEN s.plays + s.likes + s.downloads > 0 THEN s.track_id END) AS tracks
FROM days AS d
LEFT JOIN series_days AS s ON s.day = d.day
GROUP BY d.day
ORDER BY d.day
