-- Returns: one row per item of the artist waiting for a decision (status 'pending'): kind (track, video, concert,
--          news, banner, campaign, pitching), title and created_at, oldest first.
-- Params: :artist_id (text) the artist
SELECT kind, title, created_at FROM (
  SELECT 'track' AS kind, title, created_at FROM tracks WHERE user_id = :artist_id AND status = 'pending'
  UNION ALL SELECT 'video', title, created_at FROM videos WHERE user_id = :artist_id AND status = 'pending'
  UNION ALL SELECT 'concert', title, created_at FROM concerts WHERE user_id = :artist_id AND status = 'pending'
  UNION ALL SELECT 'news', title, created_at FROM news WHERE user_id = :artist_id AND status = 'pending'
  UNION ALL SELECT 'banner', title, created_at FROM banner_ads WHERE user_id = :artist_id AND status = 'pending'
  UNION ALL SELECT 'campaign', name, created_at FROM promotion_campaigns
            WHERE user_id = :artist_id AND status = 'pending'
  UNION ALL SELECT 'pitching', target_name, created_at FROM pitching_submissions
            WHERE user_id = :artist_id AND status = 'pending'
) AS pending
ORDER BY created_at, kind, title
