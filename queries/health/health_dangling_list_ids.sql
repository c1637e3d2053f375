-- Returns: one row per id in a list key of kv_index (each user's tracks, videos, concerts, … lists, the promoted concerts and
--          news, the active banners, the deployed user_* lists) that has no record in the list's table (matched by id;
--          a NULL id counts too). Lists of a kind not named in dashboard/rollups.py (DANGLING_LISTS) are not checked.
--          artist_id (the list's owner; NULL for global lists), kv_key (the list key), item_id, position,
--          target (the table the ids belong to); for the fix proposal, the list's current_value and
--          double_encoded are added by key lookup afterwards (dashboard/health/checks.py).
--          Read from dangling_ids_rollup (dashboard/rollups.py, dangling_select: the definition, one anti-join per
--          kind of list), which every build and sync batch keeps, and every decision that edits a list: the
--          fifteen anti-joins over kv_index took 33 ms of data health's cold run at 1M keys (86 ms beside the
--          other checks).
-- Params: none
SELECT d.artist_id,
       d.kv_key,
       d.item_id,
       d.position,
       d.target
FROM dangling_ids_rollup AS d
ORDER BY d.kv_key, d.position
