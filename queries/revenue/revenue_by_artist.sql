-- Returns: one row per artist (a user owning a track, video or concert) with a revenue line in [start, end]:
--          artist_id, name (profile name, else the id), lines (revenue lines in any status and currency),
--          donations (count of completed RUB donations received), donations_net (RUB, completed donations
--          received), platform_net (RUB, completed payments the artist made: subscriptions, coins, promotion,
--          other), and artists (the number of all artists, the same on every row). Revenue lines as in
--          queries/shared/revenue_lines.sql (a donation counted once). Non-RUB is left out of the sums. Ordered by
--          donations_net + platform_net, most first.
-- Params: :start, :end (date, inclusive)
WITH artists AS (
  SELECT user_id AS artist_id FROM tracks WHERE user_id IS NOT NULL
  UNION SELECT user_id FROM videos WHERE user_id IS NOT NULL
  UNION SELECT user_id FROM concerts WHERE user_id IS NOT NULL
),
-- include: revenue_lines
, lines AS (
  SELECT user_id, CASE WHEN stream = 'donations' THEN 'donations' ELSE 'platform' END AS side, currency, status,
         amount
  FROM revenue_lines
  WHERE day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
),
per_artist AS (
  SELECT l.user_id AS artist_id,
         COUNT(*) AS lines,
         SUM(CASE WHEN l.side = 'donations' AND l.currency = 'RUB' AND l.status = 'completed' THEN 1 ELSE 0 END)
           AS donations,
         SUM(CASE WHEN l.side = 'donations' AND l.currency = 'RUB' AND l.status = 'completed' THEN l.amount
                  ELSE 0 END) AS donations_net,
         SUM(CASE WHEN l.side = 'platform' AND l.currency = 'RUB' AND l.status = 'completed' THEN l.amount
                  ELSE 0 END) AS platform_net
  FROM lines AS l
  JOIN artists AS a ON a.artist_id = l.user_id
  GROUP BY l.user_id
)
SELECT pa.artist_id,
       COALESCE(n.name, pa.artist_id) AS name,
       pa.lines, pa.donations, pa.donations_net, pa.platform_net,
       (SELECT COUNT(*) FROM artists) AS artists
FROM per_artist AS pa
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS n ON n.id = pa.artist_id
ORDER BY pa.donations_net + pa.platform_net DESC, pa.artist_id
