-- Returns: how many submissions an artist has per moderated type and status, except one item (the one being
--          reviewed): entity, status, items. A track test counts once (its request).
-- Params: :artist_id (text) the artist; :entity, :source_key, :entity_id (text) the item left out
WITH
-- include: moderated_items
SELECT i.entity, i.status, COUNT(*) AS items
FROM moderated_items AS i
WHERE i.artist_id = CAST(:artist_id AS TEXT) AND i.entity <> 'track_test_result'
  AND NOT (i.entity = CAST(:entity AS TEXT) AND i.source_key = CAST(:source_key AS TEXT)
           AND i.entity_id = CAST(:entity_id AS TEXT))
GROUP BY i.entity, i.status
ORDER BY i.entity, i.status
