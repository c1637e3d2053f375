-- Returns: one row per donation to an artist that does not exist (donations.artist_id set, but no users row and no
--          profiles row with that id). artist_id (the missing artist), kv_key, item_id (the donation id), amount,
--          currency. A donation with no artist_id at all is a missing required field instead.
--          Read from the orphan_donations_rollup (dashboard/rollups.py, orphan_donations_select: the definition),
--          kept by every build and sync batch: the check read every donation on each run (0.3-0.4 s at 10M keys on
--          PostgreSQL; issue 21).
-- Params: none
SELECT artist_id, kv_key, item_id, amount, currency
FROM orphan_donations_rollup
ORDER BY kv_key, item_id
