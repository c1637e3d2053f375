-- Returns: the artists (artist_id: a user owning a track, video or concert) whose platform account (users.email)
--          has this email, compared case-insensitively; the auto-mapping uses it only when exactly one row matches.
-- Params: :email (text) the provider's verified email, lower-case
SELECT DISTINCT u.id AS artist_id
FROM users AS u
WHERE LOWER(TRIM(u.email)) = :email
  AND u.id IN (SELECT user_id FROM tracks WHERE user_id IS NOT NULL
               UNION SELECT user_id FROM videos WHERE user_id IS NOT NULL
               UNION SELECT user_id FROM concerts WHERE user_id IS NOT NULL)
ORDER BY artist_id
