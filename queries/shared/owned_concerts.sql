-- Fragment (not a query): the CTE "owned_concerts" (one column, id), included by artist queries with a line
-- "-- include: owned_concerts" right after WITH: the concert ids the artist owns and no one else claims, as
-- queries/shared/owned_tracks.sql does for tracks (concert analytics name a concert by id alone). Needs :artist_id.
owned_concerts AS (
  SELECT DISTINCT c.id
  FROM concerts AS c
  WHERE c.user_id = :artist_id
    AND c.id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM concerts AS other
                    WHERE other.id = c.id AND other.user_id IS NOT NULL AND other.user_id <> :artist_id)
)
