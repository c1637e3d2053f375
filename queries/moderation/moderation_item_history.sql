-- Returns: one item's audit log, newest first: at, actor, action, from_status, to_status, reason, note, id.
-- Params: :entity, :source_key, :entity_id (text) the item
SELECT l."at", l.actor, l.action, l.from_status, l.to_status, l.reason, l.note, l.id
FROM moderation_log AS l
WHERE l.entity = CAST(:entity AS TEXT) AND l.source_key = CAST(:source_key AS TEXT)
  AND l.entity_id = CAST(:entity_id AS TEXT)
ORDER BY l."at" DESC, l.id DESC
