-- Returns: one row per date in [start, end] with track analytics for the artist's tracks: day, plays,
--          unique_listeners, likes, shares, downloads, playlist_adds (sums over the artist's tracks), by day.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
SELECT a.date AS day,
       SUM(a.plays) AS plays, SUM(a.unique_listeners) AS unique_listeners, SUM(a.likes) AS likes,
       SUM(a.shares) AS shares, SUM(a.downloads) AS downloads, SUM(a.playlist_adds) AS playlist_adds
FROM track_analytics AS a
JOIN owned_tracks AS t ON t.id = a.track_id
WHERE a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY a.date
ORDER BY day
