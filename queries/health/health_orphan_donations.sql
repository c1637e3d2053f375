-- Returns: one row per donation to an artist that does not exist (donations.artist_id set, but no users row and no
--          profiles row with that id). artist_id (the missing artist), kv_key, item_id (the donation id), amount,
--          currency. A donation with no artist_id at all is a missing required field instead.
-- Params: none
SELECT d.artist_id,
       d.source_key AS kv_key,
       d.id AS item_id,
       d.amount,
       d.currency
FROM donations AS d
WHERE d.artist_id IS NOT NULL AND TRIM(d.artist_id) <> ''
  AND NOT EXISTS (SELECT 1 FROM users AS u WHERE u.id = d.artist_id)
  AND NOT EXISTS (SELECT 1 FROM profiles AS p WHERE p.id = d.artist_id)
ORDER BY d.source_key, d.id
