-- Returns: one row per platform (the keys of track_analytics.platform_stats, e.g. yandex_music) with the plays of
--          the artist's tracks on that platform on dates in [start, end], most first.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
SELECT e.key AS platform, SUM(CAST(CAST(e.value AS TEXT) AS INTEGER)) AS plays
FROM track_analytics AS a
JOIN owned_tracks AS t ON t.id = a.track_id,
     json_each(CAST(a.platform_stats AS JSON)) AS e
WHERE a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY e.key
ORDER BY plays DESC, platform
