-- Returns: one row with platform-wide counts: artists (users owning a track, video or concert), tracks,
--          pending items across content types, and coins in circulation (sum of coin balances).
-- Params: none
SELECT
  (SELECT COUNT(*) FROM (
     SELECT user_id FROM tracks WHERE user_id IS NOT NULL
     UNION SELECT user_id FROM videos WHERE user_id IS NOT NULL
     UNION SELECT user_id FROM concerts WHERE user_id IS NOT NULL) AS owners) AS artists,
  (SELECT COUNT(*) FROM tracks) AS tracks,
  (SELECT COUNT(*) FROM concerts) AS concerts,
  (SELECT COALESCE(SUM(balance), 0) FROM coins_balance) AS coins_in_circulation
