-- Fragment (not a query): the CTE "owned_tracks" (one column, id), included by artist queries with a line
-- "-- include: owned_tracks" right after WITH. Analytics rows name a track by id alone, so a track's analytics
-- belong to an artist only when the artist owns that id and no one else does: ownership is checked by (owner, id).
-- A row like tracks:{A}:{B's track id} makes the id claimed by two owners, and then its analytics show for
-- neither (an id collision across owners exposes nothing). Needs :artist_id.
owned_tracks AS (
  SELECT DISTINCT t.id
  FROM tracks AS t
  WHERE t.user_id = :artist_id
    AND t.id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM tracks AS other
                    WHERE other.id = t.id AND other.user_id IS NOT NULL AND other.user_id <> :artist_id)
)
