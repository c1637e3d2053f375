-- Returns: one row per artist (a user owning a track, video or concert): artist_id and display name
--          (profile name, else the id), ordered by name. Used by the data health page to name the artists in its
--          findings (the pickers search with artists_matching instead).
-- Params: none
SELECT o.user_id AS artist_id,
       COALESCE(MAX(p.name), o.user_id) AS name
FROM (SELECT user_id FROM tracks WHERE user_id IS NOT NULL
      UNION SELECT user_id FROM videos WHERE user_id IS NOT NULL
      UNION SELECT user_id FROM concerts WHERE user_id IS NOT NULL) AS o
LEFT JOIN profiles AS p ON p.id = o.user_id
GROUP BY o.user_id
ORDER BY name, artist_id
