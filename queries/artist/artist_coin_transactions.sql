-- Returns: the artist's coin transactions on Moscow days in [start, end], newest first, at most 500: created_at,
--          amount (positive earned, negative spent), type, description, related_entity_type.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
SELECT x.created_at, x.amount, x.type, x.description, x.related_entity_type
FROM coins_transactions AS x
WHERE x.user_id = :artist_id
  AND CAST(x.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
ORDER BY x.created_at DESC, x.id
LIMIT 500
