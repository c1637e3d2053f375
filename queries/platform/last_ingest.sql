-- Returns: the most recent ingest run (at most one row): id, finished_at, layout, rows_loaded, rows_rejected,
--          rows_unmapped.
-- Params: none
SELECT id, finished_at, layout, rows_loaded, rows_rejected, rows_unmapped
FROM ingest_runs
ORDER BY finished_at DESC
LIMIT 1
