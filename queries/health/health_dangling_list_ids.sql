-- Returns: one row per id in a list key of kv_index (each user's tracks, videos, concerts, … lists, the promoted concerts and
--          news, the active banners, the deployed user_* lists) that has no record in the list's table (matched by id;
--          a NULL id counts too).
--          artist_id (the list's owner; NULL for global lists), kv_key (the list key), item_id, position,
--          target (the table the ids belong to) and double_encoded, for the fix proposal (the list's
--          current_value is added by key lookup afterwards, in dashboard/health/checks.py). Lists of a kind not
--          named below are not checked. One anti-join per kind of list, each against its own table's ids (an index
--          on PostgreSQL: PG_INDEXES); one anti-join against the union of every table's ids made PostgreSQL sort
--          that union once per worker, 2.3 s at 1M keys (issue 21).
-- Params: none
WITH lists AS MATERIALIZED (
  SELECT * FROM (
    SELECT list_key, owner_id, position, item_id,
           CASE split_part(list_key, ':', 1)
               WHEN 'tracks' THEN 'tracks'
               WHEN 'videos' THEN 'videos'
               WHEN 'concerts' THEN 'concerts'
               WHEN 'news' THEN 'news'
               WHEN 'donations' THEN 'donations'
               WHEN 'banners' THEN 'banner_ads'
               WHEN 'promotion' THEN 'promotion_campaigns'
               WHEN 'user_campaigns' THEN 'promotion_campaigns'
               WHEN 'pitching' THEN 'pitching_submissions'
               WHEN 'messages' THEN 'conversations'
               WHEN 'conversations' THEN 'conversations'
               WHEN 'user_conversations' THEN 'conversations'
               WHEN 'tickets' THEN 'tickets'
               WHEN 'user_tickets' THEN 'tickets'
               WHEN 'user_notifications' THEN 'notifications'
           END AS target
    FROM kv_index
    WHERE POSITION(':' IN list_key) > 0  -- a list's kind is the part of its key before the first ':'
  ) AS k
  WHERE target IS NOT NULL
),
missing AS (
    SELECT l.* FROM lists AS l
    WHERE l.target = 'tracks' AND NOT EXISTS (SELECT 1 FROM tracks AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'videos' AND NOT EXISTS (SELECT 1 FROM videos AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'concerts' AND NOT EXISTS (SELECT 1 FROM concerts AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'news' AND NOT EXISTS (SELECT 1 FROM news AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'donations' AND NOT EXISTS (SELECT 1 FROM donations AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'banner_ads' AND NOT EXISTS (SELECT 1 FROM banner_ads AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'promotion_campaigns'
      AND NOT EXISTS (SELECT 1 FROM promotion_campaigns AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'pitching_submissions'
      AND NOT EXISTS (SELECT 1 FROM pitching_submissions AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'conversations' AND NOT EXISTS (SELECT 1 FROM conversations AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'tickets' AND NOT EXISTS (SELECT 1 FROM tickets AS r WHERE r.id = l.item_id)
    UNION ALL SELECT l.* FROM lists AS l
    WHERE l.target = 'notifications' AND NOT EXISTS (SELECT 1 FROM notifications AS r WHERE r.id = l.item_id)
)
SELECT m.owner_id AS artist_id,
       m.list_key AS kv_key,
       m.item_id,
       m.position,
       m.target,
       CASE WHEN d.key IS NULL THEN 0 ELSE 1 END AS double_encoded
FROM missing AS m
LEFT JOIN kv_double_encoded AS d ON d.key = m.list_key
ORDER BY m.list_key, m.position
