-- Returns: one row about the derived daily series (dashboard/ingest/series.py) for the artist: recordings (ingests
--          or syncs that recorded totals, store-wide), first_day and last_day (the Moscow days of the first and the
--          last recording: where the series starts and ends), tracks (the artist's tracks with recorded totals) and grown (steps in which
--          one of them grew). The series has days to show from the second recording on.
-- Params: :artist_id (text) the artist
WITH
-- include: series_days
SELECT (SELECT COUNT(*) FROM series_runs) AS recordings,
       (SELECT CAST(MIN(recorded_at) AS DATE) FROM series_runs) AS first_day,
       (SELECT CAST(MAX(recorded_at) AS DATE) FROM series_runs) AS last_day,
       (SELECT COUNT(DISTINCT h.track_id) FROM track_totals_history AS h
        WHERE h.user_id = :artist_id AND h.track_id IS NOT NULL) AS tracks,
       (SELECT COUNT(*) FROM series_steps) AS grown
