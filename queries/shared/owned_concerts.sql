-- Fragment (not a query): the CTE "owned_concerts" (one column, id), included by artist queries with a line
-- "-- include: owned_concerts" right after WITH: the concert ids the artist owns and no one else claims, as
-- queries/shared/owned_tracks.sql does for tracks (concert analytics name a concert by id alone). Needs :artist_id.
-- The artist's ids first, then every row of those ids (a semi-join on a handful of ids): the NOT EXISTS form
-- built a hash table of all other concerts for each artist query.
owned_concerts AS (
  SELECT c.id
  FROM concerts AS c
  WHERE c.id IN (SELECT m.id FROM concerts AS m WHERE m.user_id = :artist_id AND m.id IS NOT NULL)
  GROUP BY c.id
  HAVING COUNT(*) FILTER (WHERE c.user_id IS NOT NULL AND c.user_id <> :artist_id) = 0
)
