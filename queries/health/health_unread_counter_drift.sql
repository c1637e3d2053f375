-- Returns: one row per unread counter (kv_counters: the notifications unread counters) that differs from the number of the
--          user's notifications not marked read (is_read false or missing). artist_id (the user), kv_key (the
--          counter key), related_key (a key holding the user's notifications), counter, unread,
--          difference (counter - unread); for the fix proposal, the counter's current_value and double_encoded are
--          added by key lookup afterwards (dashboard/health/checks.py). Users without a counter key are not
--          checked.
-- Params: none
WITH unread AS (
    SELECT user_id,
           CAST(SUM(CASE WHEN COALESCE(is_read, FALSE) THEN 0 ELSE 1 END) AS BIGINT) AS unread,
           MIN(source_key) AS related_key
    FROM notifications
    WHERE user_id IS NOT NULL
    GROUP BY user_id
)
SELECT c.owner_id AS artist_id,
       c.counter_key AS kv_key,
       u.related_key,
       c.value AS counter,
       COALESCE(u.unread, 0) AS unread,
       c.value - COALESCE(u.unread, 0) AS difference
FROM kv_counters AS c
LEFT JOIN unread AS u ON u.user_id = c.owner_id
WHERE c.name LIKE 'notifications%'
  AND (c.value IS NULL OR c.value <> COALESCE(u.unread, 0))
ORDER BY c.owner_id, c.counter_key
