-- Returns: one row per country code (the keys of track_analytics.geographic_stats, ISO 3166-1 alpha-2) with the
--          plays of the artist's tracks from that country on dates in [start, end], most first.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_tracks
SELECT UPPER(e.key) AS country, SUM(CAST(CAST(e.value AS TEXT) AS INTEGER)) AS plays
FROM track_analytics AS a
JOIN owned_tracks AS t ON t.id = a.track_id,
     json_each(CAST(a.geographic_stats AS JSON)) AS e
WHERE a.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY UPPER(e.key)
ORDER BY plays DESC, country
