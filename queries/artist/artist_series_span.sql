-- Returns: one row about the derived daily series (dashboard/ingest/series.py) for the artist: recordings (ingests
--          or syncs that recorded totals, store-wide), first_at and last_at (the first and the last recording, when
--          the series starts and ends), tracks (the artist's tracks with recorded totals) and grown (steps in which
--          one of them grew). The series has days to show from the second recording on.
-- Params: :artist_id (text) the artist
WITH
-- include: series_days
SELECT (SELECT COUNT(*) FROM series_runs) AS recordings,
       (SELECT MIN(recorded_at) FROM series_runs) AS first_at,
       (SELECT MAX(recorded_at) FROM series_runs) AS last_at,
       (SELECT COUNT(DISTINCT h.track_id) FROM track_totals_history AS h
        WHERE h.user_id = :artist_id AND h.track_id IS NOT NULL) AS tracks,
       (SELECT COUNT(*) FROM series_steps) AS grown
