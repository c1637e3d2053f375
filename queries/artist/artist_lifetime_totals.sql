-- Returns: one row of the artist's running totals, as the platform keeps them (no dates needed): tracks (the
--          artist's tracks), plays, likes, downloads (per track the higher of the track record's counter and the
--          analytics totals analytics:{u}:track:{t}, summed over the artist's tracks), donations and donations_rub
--          (completed RUB donations ever received), first_donation_at, last_donation_at, coin_balance (NULL without
--          a balance record) and subscribers (the figure the artist entered in the profile; NULL when none).
-- Params: :artist_id (text) the artist
WITH
-- include: owned_tracks
,
-- include: completed_rub_donations
, per_track AS (
  SELECT t.id,
         GREATEST(COALESCE(MAX(t.plays), 0), COALESCE(MAX(a.plays), 0)) AS plays,
         GREATEST(COALESCE(MAX(t.likes), 0), COALESCE(MAX(a.likes), 0)) AS likes,
         GREATEST(COALESCE(MAX(t.downloads), 0), COALESCE(MAX(a.downloads), 0)) AS downloads
  FROM tracks AS t
  LEFT JOIN track_totals AS a ON a.track_id = t.id AND a.user_id = :artist_id
  WHERE t.user_id = :artist_id
    AND t.id IN (SELECT id FROM owned_tracks)
  GROUP BY t.id
),
money AS (
  SELECT COUNT(*) AS donations, COALESCE(SUM(d.amount), 0) AS donations_rub,
         MIN(d.created_at) AS first_donation_at, MAX(d.created_at) AS last_donation_at
  FROM completed_rub_donations AS d
  WHERE d.artist_id = :artist_id
)
SELECT (SELECT COUNT(*) FROM per_track) AS tracks,
       (SELECT COALESCE(SUM(plays), 0) FROM per_track) AS plays,
       (SELECT COALESCE(SUM(likes), 0) FROM per_track) AS likes,
       (SELECT COALESCE(SUM(downloads), 0) FROM per_track) AS downloads,
       money.donations, money.donations_rub, money.first_donation_at, money.last_donation_at,
       (SELECT MAX(b.balance) FROM coins_balance AS b WHERE b.user_id = :artist_id) AS coin_balance,
       (SELECT MAX(p.subscribers) FROM profiles AS p WHERE p.id = :artist_id) AS subscribers
FROM money
