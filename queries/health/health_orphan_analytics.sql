-- Returns: one row per analytics row whose track or concert has no record: track_analytics and concert_analytics
--          rows, the deployed per-user track totals (track_totals, analytics:{u}:track:{t}) and the unmodeled
--          analytics keys that name a track (the same keys where a layout leaves them unmodeled, the seed per-track
--          summary keys). artist_id (the key's user where the key names one), kv_key,
--          kind (track or concert), parent_id (the missing track or concert id), day (for daily rows).
--          Read from the orphan_analytics_rollup (dashboard/rollups.py, orphan_analytics_select: the definition
--          over those tables), which every build makes and every sync batch keeps for the parents and keys it
--          touched: the check compared every analytics row with the tracks and concerts on each run (0.4-0.6 s at
--          10M keys on PostgreSQL, reading track_totals and the analytics tables whole; issue 21).
-- Params: none
SELECT artist_id, kv_key, kind, parent_id, day
FROM orphan_analytics_rollup
ORDER BY kv_key, day, kind, parent_id
