-- Returns: one row per artist (a user owning a track, video or concert): artist_id and display name
--          (profile name, else the id), ordered by name. Read from the artist_directory rollup (dashboard/rollups.py).
--          Used by the access commands to check an artist id (the pickers search with artists_matching instead).
-- Params: none
SELECT artist_id, name
FROM artist_directory
ORDER BY name, artist_id
