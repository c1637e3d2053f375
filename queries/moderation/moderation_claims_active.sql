-- Returns: every claim on a queue item still in force at :now (a moderator has the item open): entity, source_key,
--          entity_id, holder (the browser session), actor (the name others see), claimed_at, expires_at; earliest
--          first.
-- Params: :now (timestamptz) the time the claims must still be in force at
SELECT c.entity, c.source_key, c.entity_id, c.holder, c.actor, c.claimed_at, c.expires_at
FROM moderation_claims AS c
WHERE c.expires_at > CAST(:now AS TIMESTAMPTZ)
ORDER BY c.claimed_at, c.holder
