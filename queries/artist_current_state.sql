-- Returns: one row with the artist's state on :today: coin_balance (NULL when the artist has no coin balance
--          record), upcoming_concerts (concerts dated :today or later, not rejected, draft or cancelled) and
--          pending_items (tracks, videos, concerts, news, banners, campaigns and pitching submissions whose status is
--          'pending', i.e. waiting for moderation or, for pitching, for the curator's answer).
-- Params: :artist_id (text) the artist; :today (date) the dashboard's "today" (last data day, at most Moscow today)
SELECT
  (SELECT MAX(b.balance) FROM coins_balance AS b WHERE b.user_id = :artist_id) AS coin_balance,
  (SELECT COUNT(*) FROM concerts AS c
   WHERE c.user_id = :artist_id AND c.date >= CAST(:today AS DATE)
     AND COALESCE(c.status, '') NOT IN ('rejected', 'draft', 'cancelled')) AS upcoming_concerts,
  (SELECT COUNT(*) FROM (
     SELECT id FROM tracks WHERE user_id = :artist_id AND status = 'pending'
     UNION ALL SELECT id FROM videos WHERE user_id = :artist_id AND status = 'pending'
     UNION ALL SELECT id FROM concerts WHERE user_id = :artist_id AND status = 'pending'
     UNION ALL SELECT id FROM news WHERE user_id = :artist_id AND status = 'pending'
     UNION ALL SELECT id FROM banner_ads WHERE user_id = :artist_id AND status = 'pending'
     UNION ALL SELECT id FROM promotion_campaigns WHERE user_id = :artist_id AND status = 'pending'
     UNION ALL SELECT id FROM pitching_submissions WHERE user_id = :artist_id AND status = 'pending'
   ) AS pending) AS pending_items
