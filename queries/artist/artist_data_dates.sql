-- Returns: one row: store_last_day, the dashboard's "today" for artist pages: the latest analytics date in the
--          whole store (track or concert analytics), or when the store has none (the deployed platform keeps no
--          daily rows) the Moscow day of the last recording of the totals (dashboard/ingest/series.py); NULL when
--          there is neither (the pages then use the Moscow date). artist_last_day: the latest day with track or
--          concert analytics of the artist, or with growth in the artist's derived series (NULL when none).
--          artist_has_daily: whether the artist's tracks have daily analytics rows (track_analytics);
--          artist_has_concert_daily: whether the artist's concerts have daily analytics rows (concert_analytics);
--          store_has_daily, store_has_concert_daily: whether the store has any dated track (concert) analytics rows
--          (the documented layout records them; the deployed platform records none; MAX of the indexed date, so
--          PostgreSQL reads one index entry, not the table).
--          series_first_day, series_recordings: the Moscow day of the derived series' first recording (where it
--          starts) and how many recordings there are (store-wide; days to show from the second recording on).
-- Params: :artist_id (text) the artist
WITH
-- include: owned_tracks
,
-- include: owned_concerts
,
-- include: series_days
SELECT COALESCE(
         (SELECT MAX(x.day) FROM (SELECT MAX(date) AS day FROM track_analytics
                                  UNION ALL SELECT MAX(date) FROM concert_analytics) AS x),
         (SELECT CAST(MAX(recorded_at) AS DATE) FROM series_runs)) AS store_last_day,
       (SELECT MAX(x.day) FROM (
          SELECT MAX(a.date) AS day
          FROM track_analytics AS a
          JOIN owned_tracks AS t ON t.id = a.track_id
          UNION ALL
          SELECT MAX(ca.date)
          FROM concert_analytics AS ca
          JOIN owned_concerts AS c ON c.id = ca.concert_id
          UNION ALL
          SELECT MAX(s.day) FROM series_days AS s) AS x) AS artist_last_day,
       EXISTS (SELECT 1 FROM track_analytics AS a JOIN owned_tracks AS t ON t.id = a.track_id) AS artist_has_daily,
       EXISTS (SELECT 1 FROM concert_analytics AS ca JOIN owned_concerts AS c ON c.id = ca.concert_id)
         AS artist_has_concert_daily,
       (SELECT MAX(date) FROM track_analytics) IS NOT NULL AS store_has_daily,
       (SELECT MAX(date) FROM concert_analytics) IS NOT NULL AS store_has_concert_daily,
       (SELECT CAST(MIN(recorded_at) AS DATE) FROM series_runs) AS series_first_day,
       (SELECT COUNT(*) FROM series_runs) AS series_recordings
