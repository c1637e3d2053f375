-- Returns: the check counts recorded for the most recent ingest run before the latest one that has counts:
--          one row per check, check_name, found, run_id, run_finished_at. No rows when no earlier run was checked.
--          Needs the health_counts table (see health_counts_table).
-- Params: none
WITH latest AS (
    SELECT finished_at FROM ingest_runs ORDER BY finished_at DESC LIMIT 1
),
previous AS (
    SELECT r.id, r.finished_at
    FROM ingest_runs AS r
    CROSS JOIN latest
    WHERE r.finished_at < latest.finished_at
      AND EXISTS (SELECT 1 FROM health_counts AS h WHERE h.run_id = r.id)
    ORDER BY r.finished_at DESC
    LIMIT 1
)
SELECT h.check_name, h.found, p.id AS run_id, p.finished_at AS run_finished_at
FROM health_counts AS h
JOIN previous AS p ON p.id = h.run_id
ORDER BY h.check_name
