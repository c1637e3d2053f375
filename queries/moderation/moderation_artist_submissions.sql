-- Returns: an artist's submissions of every moderated type except one item (the one being reviewed), newest first,
--          at most :limit: entity, entity_id, source_key, title, status, created_at, moderated_at, moderator, reason,
--          and on every row total (how many there are in all). A track test counts once (its request).
-- Params: :artist_id (text) the artist; :entity, :source_key, :entity_id (text) the item left out; :limit (integer)
WITH
-- include: moderated_items
, theirs AS (
  SELECT i.* FROM moderated_items AS i
  WHERE i.artist_id = CAST(:artist_id AS TEXT) AND i.entity <> 'track_test_result'
    AND NOT (i.entity = CAST(:entity AS TEXT) AND i.source_key = CAST(:source_key AS TEXT)
             AND i.entity_id = CAST(:entity_id AS TEXT))
)
SELECT t.entity, t.entity_id, t.source_key, t.title, t.status, t.created_at, t.moderated_at, t.moderator, t.reason,
       COUNT(*) OVER () AS total
FROM theirs AS t
ORDER BY CASE WHEN t.created_at IS NULL THEN 1 ELSE 0 END, t.created_at DESC, t.entity, t.entity_id
LIMIT CAST(:limit AS INTEGER)
