-- Returns: the latest audit log entry of one item (at most one row): actor, action, to_status, at.
-- Params: :entity, :source_key, :entity_id (text) the item
SELECT l.actor, l.action, l.to_status, l."at"
FROM moderation_log AS l
WHERE l.entity = CAST(:entity AS TEXT) AND l.source_key = CAST(:source_key AS TEXT)
  AND l.entity_id = CAST(:entity_id AS TEXT)
ORDER BY l."at" DESC, l.id DESC
LIMIT 1
