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
-- The store's dates and the artist's, each in one materialized row, joined once: as one SELECT of ten scalar
-- subqueries, DuckDB's join-order optimizer took 23 ms of the query's 52 (deployed 1M demo), the run itself 10.
, store_dates AS MATERIALIZED (
  SELECT (SELECT MAX(date) FROM track_analytics) AS track_day,
         (SELECT MAX(date) FROM concert_analytics) AS concert_day,
         (SELECT CAST(MAX(recorded_at) AS DATE) FROM series_runs) AS last_recording_day,
         (SELECT CAST(MIN(recorded_at) AS DATE) FROM series_runs) AS series_first_day,
         (SELECT COUNT(*) FROM series_runs) AS series_recordings
),
artist_dates AS MATERIALIZED (
  SELECT (SELECT MAX(a.date) FROM track_analytics AS a JOIN owned_tracks AS t ON t.id = a.track_id) AS track_day,
         (SELECT MAX(ca.date) FROM concert_analytics AS ca JOIN owned_concerts AS c ON c.id = ca.concert_id)
           AS concert_day,
         (SELECT MAX(s.day) FROM series_days AS s) AS series_day,
         EXISTS (SELECT 1 FROM track_analytics AS a JOIN owned_tracks AS t ON t.id = a.track_id) AS has_daily,
         EXISTS (SELECT 1 FROM concert_analytics AS ca JOIN owned_concerts AS c ON c.id = ca.concert_id)
           AS has_concert_daily
)
SELECT COALESCE(GREATEST(s.track_day, s.concert_day), s.last_recording_day) AS store_last_day,
       GREATEST(a.track_day, a.concert_day, a.series_day) AS artist_last_day,
       a.has_daily AS artist_has_daily,
       a.has_concert_daily AS artist_has_concert_daily,
       s.track_day IS NOT NULL AS store_has_daily,
       s.concert_day IS NOT NULL AS store_has_concert_daily,
       s.series_first_day,
       s.series_recordings
FROM store_dates AS s
CROSS JOIN artist_dates AS a
