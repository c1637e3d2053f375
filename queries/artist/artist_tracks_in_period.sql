-- Returns: one row per track of the artist (any status; an id another owner also claims is left out, see
--          queries/shared/owned_tracks.sql): track_id, title, status, release_date, created_at, the last moderation
--          decision (moderated_at, reason), lifetime plays (the track record's counter) and the sums of its daily
--          analytics in [start, end] (plays, unique_listeners, likes, shares, downloads, playlist_adds;
--          0 without analytics). Most played in the period first.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
SELECT t.id AS track_id, t.title, t.status, t.release_date, t.created_at, t.moderated_at, t.reason,
       t.plays AS lifetime_plays,
       COALESCE(s.plays, 0) AS plays, COALESCE(s.unique_listeners, 0) AS unique_listeners,
       COALESCE(s.likes, 0) AS likes, COALESCE(s.shares, 0) AS shares, COALESCE(s.downloads, 0) AS downloads,
       COALESCE(s.playlist_adds, 0) AS playlist_adds
FROM tracks AS t
LEFT JOIN (
  SELECT a.track_id,
         SUM(a.plays) AS plays, SUM(a.unique_listeners) AS unique_listeners, SUM(a.likes) AS likes,
         SUM(a.shares) AS shares, SUM(a.downloads) AS downloads, SUM(a.playlist_adds) AS playlist_adds
  FROM track_analytics AS a
  JOIN owned_tracks AS o ON o.id = a.track_id
  WHERE a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  GROUP BY a.track_id
) AS s ON s.track_id = t.id
WHERE t.user_id = :artist_id
  AND t.id IN (SELECT id FROM owned_tracks)
ORDER BY plays DESC, t.title, t.id
