-- Returns: audit log rows whose Moscow day is in [:start, :end], newest first, optionally only one moderator,
--          action or entity ('' means any): at, actor, action, entity, entity_id, from_status, to_status, reason,
--          note, batch_id, source_key, id.
-- Params: :start, :end (date, inclusive); :actor, :action, :entity (text, '' for any)
SELECT l."at", l.actor, l.action, l.entity, l.entity_id, l.from_status, l.to_status, l.reason, l.note, l.batch_id,
       l.source_key, l.id
FROM moderation_log AS l
WHERE CAST(l."at" AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  AND (CAST(:actor AS TEXT) = '' OR l.actor = CAST(:actor AS TEXT))
  AND (CAST(:action AS TEXT) = '' OR l.action = CAST(:action AS TEXT))
  AND (CAST(:entity AS TEXT) = '' OR l.entity = CAST(:entity AS TEXT))
ORDER BY l."at" DESC, l.id
