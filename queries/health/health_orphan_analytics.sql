-- Returns: one row per analytics row whose track or concert has no record: track_analytics and concert_analytics
--          rows, and the unmodeled analytics keys that name a track (the deployed per-user track analytics keys,
--          the seed per-track summary keys). artist_id (the key's user where the key names one), kv_key,
--          kind (track or concert), parent_id (the missing track or concert id), day (for daily rows).
-- Params: none
SELECT CAST(NULL AS TEXT) AS artist_id, a.source_key AS kv_key, 'track' AS kind, a.track_id AS parent_id,
       a.date AS day
FROM track_analytics AS a
WHERE a.track_id IS NULL OR NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = a.track_id)
UNION ALL
SELECT CAST(NULL AS TEXT), c.source_key, 'concert', c.concert_id, c.date
FROM concert_analytics AS c
WHERE c.concert_id IS NULL OR NOT EXISTS (SELECT 1 FROM concerts AS k WHERE k.id = c.concert_id)
UNION ALL
SELECT split_part(u.key, ':', 2), u.key, 'track', split_part(u.key, ':', 4), CAST(NULL AS DATE)
FROM kv_unmapped AS u
WHERE split_part(u.key, ':', 1) = 'analytics' AND split_part(u.key, ':', 3) = 'track'
  AND NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = split_part(u.key, ':', 4))
UNION ALL
SELECT CAST(NULL AS TEXT), u.key, 'track', split_part(u.key, ':', 3), CAST(NULL AS DATE)
FROM kv_unmapped AS u
WHERE split_part(u.key, ':', 1) = 'analytics' AND split_part(u.key, ':', 2) = 'tracks'
  AND split_part(u.key, ':', 4) = 'summary'
  AND NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = split_part(u.key, ':', 3))
ORDER BY kv_key
