-- Returns: one row per analytics row whose track or concert has no record: track_analytics and concert_analytics
--          rows, the deployed per-user track totals (track_totals, analytics:{u}:track:{t}) and the unmodeled
--          analytics keys that name a track (the same keys where a layout leaves them unmodeled, the seed per-track
--          summary keys). artist_id (the key's user where the key names one), kv_key,
--          kind (track or concert), parent_id (the missing track or concert id), day (for daily rows).
--          The missing ids are found first from the id column alone; only their rows are then read whole, by a join
--          (PostgreSQL: the (id, date) index): an anti-join of every analytics row read every row's source_key
--          (0.7M at 1M keys, 7M at 10M), and an OR with IS NULL made PostgreSQL scan the table twice.
-- Params: none
WITH missing_tracks AS (
    SELECT DISTINCT a.track_id FROM track_analytics AS a
    WHERE NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = a.track_id)
),
missing_concerts AS (
    SELECT DISTINCT c.concert_id FROM concert_analytics AS c
    WHERE NOT EXISTS (SELECT 1 FROM concerts AS k WHERE k.id = c.concert_id)
)
SELECT CAST(NULL AS TEXT) AS artist_id, a.source_key AS kv_key, 'track' AS kind, a.track_id AS parent_id,
       a.date AS day
FROM track_analytics AS a
JOIN missing_tracks AS m ON m.track_id = a.track_id
UNION ALL
SELECT CAST(NULL AS TEXT), a.source_key, 'track', a.track_id, a.date
FROM track_analytics AS a
WHERE a.track_id IS NULL
UNION ALL
SELECT CAST(NULL AS TEXT), c.source_key, 'concert', c.concert_id, c.date
FROM concert_analytics AS c
JOIN missing_concerts AS m ON m.concert_id = c.concert_id
UNION ALL
SELECT CAST(NULL AS TEXT), c.source_key, 'concert', c.concert_id, c.date
FROM concert_analytics AS c
WHERE c.concert_id IS NULL
UNION ALL
SELECT tt.user_id, tt.source_key, 'track', tt.track_id, CAST(NULL AS DATE)
FROM track_totals AS tt
WHERE tt.track_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM tracks AS t WHERE t.id = tt.track_id)
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
