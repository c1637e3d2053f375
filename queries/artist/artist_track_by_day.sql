-- Returns: one row per date in [start, end] with plays of one track of the artist (none when the track is not the
--          artist's): day, plays, unique_listeners, likes, shares, downloads, playlist_adds. From its daily
--          track_analytics rows, or when it has none from the derived daily series (queries/shared/series_days.sql).
-- Params: :artist_id (text) the artist; :track_id (text) one of the artist's tracks; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
,
-- include: series_days
, rows_by_day AS (
  SELECT a.date AS day, a.plays, a.unique_listeners, a.likes, a.shares, a.downloads, a.playlist_adds
  FROM track_analytics AS a
  JOIN owned_tracks AS t ON t.id = a.track_id
  WHERE a.track_id = :track_id
    AND a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  UNION ALL
  SELECT s.day, s.plays, 0, s.likes, 0, s.downloads, 0
  FROM series_days AS s
  WHERE s.track_id = :track_id
    AND s.day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
)
SELECT day,
       SUM(plays) AS plays, SUM(unique_listeners) AS unique_listeners, SUM(likes) AS likes,
       SUM(shares) AS shares, SUM(downloads) AS downloads, SUM(playlist_adds) AS playlist_adds
FROM rows_by_day
GROUP BY day
ORDER BY day
