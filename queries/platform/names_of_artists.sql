-- Returns: one row per id of :artist_ids that is an artist (a user owning a track, video or concert): artist_id and
--          display name (profile name, else the id): known_artists for those ids only. The data health page names
--          the artists in its findings with it, so it never loads the whole artist list.
-- Params: :artist_ids (list of text) the ids to name; an empty list gives no rows
SELECT o.user_id AS artist_id,
       COALESCE(MAX(p.name), o.user_id) AS name
FROM (SELECT user_id FROM tracks WHERE user_id IN :artist_ids
      UNION SELECT user_id FROM videos WHERE user_id IN :artist_ids
      UNION SELECT user_id FROM concerts WHERE user_id IN :artist_ids) AS o
LEFT JOIN profiles AS p ON p.id = o.user_id
GROUP BY o.user_id
ORDER BY name, artist_id
