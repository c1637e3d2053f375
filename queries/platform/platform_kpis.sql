-- Returns: one row with platform-wide counts: artists (users owning a track, video or concert: the
--          artist_directory rollup's rows), tracks,
--          pending items across content types, and coins in circulation (sum of coin balances).
-- Params: none
SELECT
  (SELECT COUNT(*) FROM artist_directory) AS artists,
  (SELECT COUNT(*) FROM tracks) AS tracks,
  (SELECT COUNT(*) FROM concerts) AS concerts,
  (SELECT COALESCE(SUM(balance), 0) FROM coins_balance) AS coins_in_circulation
