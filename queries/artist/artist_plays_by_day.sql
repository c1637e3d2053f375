-- Returns: one row per date in [start, end] with plays of the artist's tracks: day, plays, unique_listeners, likes,
--          shares, downloads, playlist_adds (sums over the artist's tracks), by day. From the daily track_analytics
--          rows, and for tracks without any (the deployed platform keeps only totals) from the derived daily series
--          (queries/shared/series_days.sql: plays, likes and downloads; the other measures 0 there).
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
,
-- include: series_days
, rows_by_day AS (
  SELECT a.date AS day, a.plays, a.unique_listeners, a.likes, a.shares, a.downloads, a.playlist_adds
  FROM track_analytics AS a
  JOIN owned_tracks AS t ON t.id = a.track_id
  WHERE a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  UNION ALL
  SELECT s.day, s.plays, 0, s.likes, 0, s.downloads, 0
  FROM series_days AS s
  WHERE s.day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
)
SELECT day,
       SUM(plays) AS plays, SUM(unique_listeners) AS unique_listeners, SUM(likes) AS likes,
       SUM(shares) AS shares, SUM(downloads) AS downloads, SUM(playlist_adds) AS playlist_adds
FROM rows_by_day
GROUP BY day
ORDER BY day
