-- Returns: at most :limit artists (users owning a track, video or concert) whose display name contains :search
--          (case-insensitive) or whose id starts with it, ordered by name then id: artist_id, name (the profile's
--          name, else the id; never shortened) and city (the profile's location, which with the id tells equal
--          names apart). An empty :search gives the first :limit artists by name. The "view as" and staff artist
--          pickers search with it as the user types, so no page ever holds the whole artist list. Read from
--          the artist_directory rollup (dashboard/rollups.py): every page's shell runs it.
-- Params: :search (text) what the user typed; :limit (integer) how many matches at most
SELECT artist_id, name, city
FROM artist_directory
WHERE CAST(:search AS TEXT) = ''
   OR POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(name)) > 0
   OR POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(artist_id)) = 1
ORDER BY name, artist_id
LIMIT CAST(:limit AS INTEGER)
