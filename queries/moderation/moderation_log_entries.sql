-- Returns: audit log rows whose Moscow day is in [:start, :end], newest first, optionally only one moderator,
--          action or entity ('' means any): at, actor, action, entity, entity_id, from_status, to_status, reason,
--          note, batch_id, source_key, id; the item's title and artist (artist_id, artist_name; NULL when the
--          item is gone); for an undo, the entry it undid (undone_action, undone_actor, undone_at: the item's
--          previous log entry, since only the latest decision can be undone).
-- Params: :start, :end (date, inclusive); :actor, :action, :entity (text, '' for any)
WITH
-- include: moderated_items
, logged AS (
  SELECT l.*,
         LAG(l.action) OVER item_order AS prev_action,
         LAG(l.actor) OVER item_order AS prev_actor,
         LAG(l."at") OVER item_order AS prev_at
  FROM moderation_log AS l
  WINDOW item_order AS (PARTITION BY l.entity, l.source_key, l.entity_id ORDER BY l."at", l.id)
)
SELECT l."at", l.actor, l.action, l.entity, l.entity_id, l.from_status, l.to_status, l.reason, l.note, l.batch_id,
       l.source_key, l.id, i.title, i.artist_id, p.name AS artist_name,
       CASE WHEN l.action = 'undo' THEN l.prev_action END AS undone_action,
       CASE WHEN l.action = 'undo' THEN l.prev_actor END AS undone_actor,
       CASE WHEN l.action = 'undo' THEN l.prev_at END AS undone_at
FROM logged AS l
LEFT JOIN moderated_items AS i
  ON i.entity = l.entity AND i.source_key = l.source_key AND i.entity_id = l.entity_id
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS p ON p.id = i.artist_id
WHERE CAST(l."at" AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  AND (CAST(:actor AS TEXT) = '' OR l.actor = CAST(:actor AS TEXT))
  AND (CAST(:action AS TEXT) = '' OR l.action = CAST(:action AS TEXT))
  AND (CAST(:entity AS TEXT) = '' OR l.entity = CAST(:entity AS TEXT))
ORDER BY l."at" DESC, l.id
