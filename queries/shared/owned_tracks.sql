-- Fragment (not a query): the CTE "owned_tracks" (one column, id), included by artist queries with a line
-- "-- include: owned_tracks" right after WITH. Analytics rows name a track by id alone, so a track's analytics
-- belong to an artist only when the artist owns that id and no one else does: ownership is checked by (owner, id).
-- A row like tracks:{A}:{B's track id} makes the id claimed by two owners, and then its analytics show for
-- neither (an id collision across owners exposes nothing). Needs :artist_id.
-- The artist's ids first, then every row of those ids (a semi-join on a handful of ids): the NOT EXISTS form
-- built a hash table of all other tracks for each artist query.
owned_tracks AS (
  SELECT t.id
  FROM tracks AS t
  WHERE t.id IN (SELECT m.id FROM tracks AS m WHERE m.user_id = :artist_id AND m.id IS NOT NULL)
  GROUP BY t.id
  HAVING COUNT(*) FILTER (WHERE t.user_id IS NOT NULL AND t.user_id <> :artist_id) = 0
)
