-- Returns: one row, n: 1 when the store has the health_counts table (written by `python -m dashboard check` and
--          created by every ingest; a store ingested before it existed lacks it), else 0.
-- Params: none
SELECT CASE WHEN COUNT(*) > 0 THEN 1 ELSE 0 END AS n
FROM information_schema.tables
WHERE table_name = 'health_counts'
