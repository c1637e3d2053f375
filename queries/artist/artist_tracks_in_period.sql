-- Returns: one row per track of the artist (any status; an id another owner also claims is left out, see
--          queries/shared/owned_tracks.sql): track_id, title, status, release_date, created_at, the last moderation
--          decision (moderated_at, reason), the running totals (lifetime_plays, lifetime_likes, lifetime_downloads:
--          the higher of the track record's counter and the platform's analytics totals) and the sums of its daily
--          analytics in [start, end] (plays, unique_listeners, likes, shares, downloads, playlist_adds; from the
--          derived daily series for a track without daily rows; 0 without either). Most played in the period
--          first, then most played ever.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
,
-- include: series_days
, in_period AS (
  SELECT a.track_id, a.plays, a.unique_listeners, a.likes, a.shares, a.downloads, a.playlist_adds
  FROM track_analytics AS a
  JOIN owned_tracks AS o ON o.id = a.track_id
  WHERE a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  UNION ALL
  SELECT s.track_id, s.plays, 0, s.likes, 0, s.downloads, 0
  FROM series_days AS s
  WHERE s.day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
),
totals AS (
  SELECT track_id, MAX(plays) AS plays, MAX(likes) AS likes, MAX(downloads) AS downloads
  FROM track_totals
  WHERE user_id = :artist_id
  GROUP BY track_id
)
SELECT t.id AS track_id, t.title, t.status, t.release_date, t.created_at, t.moderated_at, t.reason,
       GREATEST(COALESCE(t.plays, 0), COALESCE(tt.plays, 0)) AS lifetime_plays,
       GREATEST(COALESCE(t.likes, 0), COALESCE(tt.likes, 0)) AS lifetime_likes,
       GREATEST(COALESCE(t.downloads, 0), COALESCE(tt.downloads, 0)) AS lifetime_downloads,
       COALESCE(s.plays, 0) AS plays, COALESCE(s.unique_listeners, 0) AS unique_listeners,
       COALESCE(s.likes, 0) AS likes, COALESCE(s.shares, 0) AS shares, COALESCE(s.downloads, 0) AS downloads,
       COALESCE(s.playlist_adds, 0) AS playlist_adds
FROM tracks AS t
LEFT JOIN (
  SELECT track_id,
         SUM(plays) AS plays, SUM(unique_listeners) AS unique_listeners, SUM(likes) AS likes,
         SUM(shares) AS shares, SUM(downloads) AS downloads, SUM(playlist_adds) AS playlist_adds
  FROM in_period
  GROUP BY track_id
) AS s ON s.track_id = t.id
LEFT JOIN totals AS tt ON tt.track_id = t.id
WHERE t.user_id = :artist_id
  AND t.id IN (SELECT id FROM owned_tracks)
ORDER BY plays DESC, lifetime_plays DESC, t.title, t.id
