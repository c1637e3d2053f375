-- Returns: one row with the artist's state on :today: coin_balance (NULL when the artist has no coin balance
--          record), upcoming_concerts (concerts dated :today or later, not rejected, draft or cancelled) and
--          pending_items (the artist's items in the moderation queue: queries/shared/pending.sql).
-- Params: :artist_id (text) the artist; :today (date) the dashboard's "today" (last data day, at most Moscow today);
--         :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params)
WITH
-- include: pending
SELECT
  (SELECT MAX(b.balance) FROM coins_balance AS b WHERE b.user_id = :artist_id) AS coin_balance,
  (SELECT COUNT(*) FROM concerts AS c
   WHERE c.user_id = :artist_id AND c.date >= CAST(:today AS DATE)
     AND COALESCE(c.status, '') NOT IN ('rejected', 'draft', 'cancelled')) AS upcoming_concerts,
  (SELECT COUNT(*) FROM pending WHERE artist_id = :artist_id) AS pending_items
