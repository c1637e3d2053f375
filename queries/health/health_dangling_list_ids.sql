-- Returns: one row per id in a list key of kv_index (each user's tracks, videos, concerts, … lists, the promoted concerts and
--          news, the active banners, the deployed user_* lists) that has no record in the list's table (matched by id;
--          a NULL id counts too).
--          artist_id (the list's owner; NULL for global lists), kv_key (the list key), item_id, position,
--          target (the table the ids belong to); for the fix proposal, the list's current_value and
--          double_encoded are added by key lookup afterwards (dashboard/health/checks.py). Lists of a kind not
--          named below are not checked. A list's kind is the part of its key before the first ':'. One anti-join
--          per kind, each reading only its kind's lists (a key prefix: on PostgreSQL by the text_pattern_ops index of
--          schema.PG_EXPRESSION_INDEXES) against its own table's ids (an index on PostgreSQL: PG_INDEXES); one
--          anti-join against the union of every table's ids made PostgreSQL sort that union once per worker, 2.3 s
--          at 1M keys (issue 21). One branch per key prefix too: a branch with LIKE … OR LIKE … read the whole
--          of kv_index on PostgreSQL (2M rows at 10M keys, four times: 0.86 s), where one prefix is one index range;
--          and an underscore in a prefix is escaped (in LIKE it matches any character: 'user_tickets:%' was an
--          index range of every key starting 'user'). Each anti-join is a LEFT JOIN … IS NULL rather than NOT
--          EXISTS: PostgreSQL plans both as the same anti join; DuckDB planned NOT EXISTS as a mark join that
--          hashed the whole target table even for a kind with no lists (11 of 15 on the deployed layout), and
--          plans this one as an anti join that does not (51 → 39 ms at 1M keys).
-- Params: none
WITH missing AS (
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'tracks' AS target FROM kv_index AS l
  LEFT JOIN tracks AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'tracks:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'videos' AS target FROM kv_index AS l
  LEFT JOIN videos AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'videos:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'concerts' AS target FROM kv_index AS l
  LEFT JOIN concerts AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'concerts:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'news' AS target FROM kv_index AS l
  LEFT JOIN news AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'news:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'donations' AS target FROM kv_index AS l
  LEFT JOIN donations AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'donations:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'banner_ads' AS target FROM kv_index AS l
  LEFT JOIN banner_ads AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'banners:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'promotion_campaigns' AS target FROM kv_index AS l
  LEFT JOIN promotion_campaigns AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'promotion:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'promotion_campaigns' AS target FROM kv_index AS l
  LEFT JOIN promotion_campaigns AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'user\_campaigns:%' ESCAPE '\' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'pitching_submissions' AS target FROM kv_index AS l
  LEFT JOIN pitching_submissions AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'pitching:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'conversations' AS target FROM kv_index AS l
  LEFT JOIN conversations AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'messages:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'conversations' AS target FROM kv_index AS l
  LEFT JOIN conversations AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'conversations:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'conversations' AS target FROM kv_index AS l
  LEFT JOIN conversations AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'user\_conversations:%' ESCAPE '\' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'tickets' AS target FROM kv_index AS l
  LEFT JOIN tickets AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'tickets:%' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'tickets' AS target FROM kv_index AS l
  LEFT JOIN tickets AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'user\_tickets:%' ESCAPE '\' AND r.id IS NULL
  UNION ALL
  SELECT l.list_key, l.owner_id, l.position, l.item_id, 'notifications' AS target FROM kv_index AS l
  LEFT JOIN notifications AS r ON r.id = l.item_id
  WHERE l.list_key LIKE 'user\_notifications:%' ESCAPE '\' AND r.id IS NULL
)
SELECT m.owner_id AS artist_id,
       m.list_key AS kv_key,
       m.item_id,
       m.position,
       m.target
FROM missing AS m
ORDER BY m.list_key, m.position
