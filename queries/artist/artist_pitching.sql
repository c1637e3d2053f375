-- Returns: one row per pitching submission of the artist (all time): submission_id, created_at, content_type,
--          content_title (the artist's track or video pitched, when found), target_type, target_name, status
--          (pending, accepted, rejected), response, responded_at. Newest first.
-- Params: :artist_id (text) the artist
SELECT s.id AS submission_id, s.created_at, s.content_type, COALESCE(t.title, v.title) AS content_title,
       s.target_type, s.target_name, s.status, s.response, s.responded_at
FROM pitching_submissions AS s
LEFT JOIN tracks AS t ON t.id = s.content_id AND t.user_id = :artist_id
LEFT JOIN videos AS v ON v.id = s.content_id AND v.user_id = :artist_id
WHERE s.user_id = :artist_id
ORDER BY s.created_at DESC, s.id
