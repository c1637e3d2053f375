-- Returns: one row per track status (NULL shown as 'unknown') with the number of tracks, most first.
-- Params: none
SELECT COALESCE(status, 'unknown') AS status, COUNT(*) AS tracks
FROM tracks
GROUP BY COALESCE(status, 'unknown')
ORDER BY tracks DESC, status
