-- Returns: two rows, period 'current' and 'previous', for one artist: sums of the daily track_analytics of the
--          artist's tracks (plays, unique_listeners, likes, shares, downloads, playlist_adds; for tracks without
--          daily rows, plays, likes and downloads of the derived daily series, queries/shared/series_days.sql),
--          completed RUB donations received (donations, donations_rub) and the net coin change (coins_net, sum of the artist's
--          coin transaction amounts), each counted on its Moscow date within [start, end] of the period.
-- Params: :artist_id (text) the artist; :cur_start, :cur_end, :prev_start, :prev_end (date, inclusive)
WITH
-- include: owned_tracks
,
-- include: completed_rub_donations
,
-- include: series_days
, p AS (
  SELECT 'current' AS period, CAST(:cur_start AS DATE) AS d0, CAST(:cur_end AS DATE) AS d1
  UNION ALL
  SELECT 'previous', CAST(:prev_start AS DATE), CAST(:prev_end AS DATE)
),
daily_rows AS (
  SELECT p.period, a.plays, a.unique_listeners, a.likes, a.shares, a.downloads, a.playlist_adds
  FROM track_analytics AS a
  JOIN owned_tracks AS t ON t.id = a.track_id
  JOIN p ON a.date BETWEEN p.d0 AND p.d1
  UNION ALL
  SELECT p.period, s.plays, 0, s.likes, 0, s.downloads, 0
  FROM series_days AS s
  JOIN p ON s.day BETWEEN p.d0 AND p.d1
),
plays AS (
  SELECT period,
         SUM(plays) AS plays, SUM(unique_listeners) AS unique_listeners, SUM(likes) AS likes,
         SUM(shares) AS shares, SUM(downloads) AS downloads, SUM(playlist_adds) AS playlist_adds
  FROM daily_rows
  GROUP BY period
),
money AS (
  SELECT p.period, COUNT(*) AS donations, SUM(d.amount) AS donations_rub
  FROM completed_rub_donations AS d
  JOIN p ON CAST(d.created_at AS DATE) BETWEEN p.d0 AND p.d1
  WHERE d.artist_id = :artist_id
  GROUP BY p.period
),
coins AS (
  SELECT p.period, SUM(x.amount) AS coins_net
  FROM coins_transactions AS x
  JOIN p ON CAST(x.created_at AS DATE) BETWEEN p.d0 AND p.d1
  WHERE x.user_id = :artist_id
  GROUP BY p.period
)
SELECT p.period,
       COALESCE(plays.plays, 0) AS plays,
       COALESCE(plays.unique_listeners, 0) AS unique_listeners,
       COALESCE(plays.likes, 0) AS likes,
       COALESCE(plays.shares, 0) AS shares,
       COALESCE(plays.downloads, 0) AS downloads,
       COALESCE(plays.playlist_adds, 0) AS playlist_adds,
       COALESCE(money.donations, 0) AS donations,
       COALESCE(money.donations_rub, 0) AS donations_rub,
       COALESCE(coins.coins_net, 0) AS coins_net
FROM p
LEFT JOIN plays ON plays.period = p.period
LEFT JOIN money ON money.period = p.period
LEFT JOIN coins ON coins.period = p.period
ORDER BY p.period
