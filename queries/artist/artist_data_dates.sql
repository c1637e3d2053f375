-- Returns: one row: store_last_day, the latest analytics date in the whole store (track or concert analytics; the
--          dashboard's "today" is this day, at most the Moscow date), and artist_last_day, the latest date with
--          track or concert analytics for the artist (NULL when the artist has none).
-- Params: :artist_id (text) the artist
WITH
-- include: owned_tracks
,
-- include: owned_concerts
SELECT GREATEST(COALESCE((SELECT MAX(date) FROM track_analytics), CAST('1970-01-01' AS DATE)),
                COALESCE((SELECT MAX(date) FROM concert_analytics), CAST('1970-01-01' AS DATE))) AS store_last_day,
       (SELECT MAX(x.day) FROM (
          SELECT MAX(a.date) AS day
          FROM track_analytics AS a
          JOIN owned_tracks AS t ON t.id = a.track_id
          UNION ALL
          SELECT MAX(ca.date)
          FROM concert_analytics AS ca
          JOIN owned_concerts AS c ON c.id = ca.concert_id) AS x) AS artist_last_day
