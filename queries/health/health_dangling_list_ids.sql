-- Returns: one row per id in a list key of kv_index (each user's tracks, videos, concerts, … lists, the promoted concerts and
--          news, the active banners, the deployed user_* lists) that has no record in the list's table (matched by id;
--          a NULL id counts too).
--          artist_id (the list's owner; NULL for global lists), kv_key (the list key), item_id, position,
--          target (the table the ids belong to) and double_encoded, for the fix proposal (the list's
--          current_value is added by key lookup afterwards, in dashboard/health/checks.py). Lists of a kind not
--          named below are not checked. Matched to the records by an anti-join (LEFT JOIN … IS NULL): a
--          correlated NOT EXISTS made DuckDB group all 83k list ids first at 1M keys (2.5× slower).
-- Params: none
WITH lists AS (
    SELECT list_key, owner_id, position, item_id,
           CASE
               WHEN list_key LIKE 'tracks:%' THEN 'tracks'
               WHEN list_key LIKE 'videos:%' THEN 'videos'
               WHEN list_key LIKE 'concerts:%' THEN 'concerts'
               WHEN list_key LIKE 'news:%' THEN 'news'
               WHEN list_key LIKE 'donations:%' THEN 'donations'
               WHEN list_key LIKE 'banners:%' THEN 'banner_ads'
               WHEN list_key LIKE 'promotion:%' OR list_key LIKE 'user_campaigns:%' THEN 'promotion_campaigns'
               WHEN list_key LIKE 'pitching:%' THEN 'pitching_submissions'
               WHEN list_key LIKE 'messages:%' OR list_key LIKE 'conversations:%'
                    OR list_key LIKE 'user_conversations:%' THEN 'conversations'
               WHEN list_key LIKE 'tickets:%' OR list_key LIKE 'user_tickets:%' THEN 'tickets'
               WHEN list_key LIKE 'user_notifications:%' THEN 'notifications'
           END AS target
    FROM kv_index
),
records AS (
    SELECT 'tracks' AS target, id FROM tracks
    UNION ALL SELECT 'videos', id FROM videos
    UNION ALL SELECT 'concerts', id FROM concerts
    UNION ALL SELECT 'news', id FROM news
    UNION ALL SELECT 'donations', id FROM donations
    UNION ALL SELECT 'banner_ads', id FROM banner_ads
    UNION ALL SELECT 'promotion_campaigns', id FROM promotion_campaigns
    UNION ALL SELECT 'pitching_submissions', id FROM pitching_submissions
    UNION ALL SELECT 'conversations', id FROM conversations
    UNION ALL SELECT 'tickets', id FROM tickets
    UNION ALL SELECT 'notifications', id FROM notifications
)
SELECT l.owner_id AS artist_id,
       l.list_key AS kv_key,
       l.item_id,
       l.position,
       l.target,
       CASE WHEN d.key IS NULL THEN 0 ELSE 1 END AS double_encoded
FROM lists AS l
LEFT JOIN records AS r ON r.target = l.target AND r.id = l.item_id
LEFT JOIN kv_double_encoded AS d ON d.key = l.list_key
WHERE l.target IS NOT NULL
  AND r.id IS NULL
ORDER BY l.list_key, l.position
