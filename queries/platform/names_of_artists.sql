-- Returns: one row per id of :artist_ids that is an artist (a user owning a track, video or concert): artist_id and
--          display name (profile name, else the id): known_artists for those ids only, from the artist_directory
--          rollup. The data health page names the artists in its findings with it, so it never loads the whole
--          artist list.
-- Params: :artist_ids (array of text) the ids to name; an empty array gives no rows
SELECT artist_id, name
FROM artist_directory
WHERE artist_id IN (SELECT unnest(CAST(:artist_ids AS TEXT[])))
ORDER BY name, artist_id
