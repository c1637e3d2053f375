-- Returns: the artists (users owning a track, video or concert) with a revenue line in [start, end] that rank in the
--          first :limit by donations_net or by platform_net (so each top list is in the rows; at most 2 × :limit
--          rows, whatever the number of artists), each with: artist_id, name (profile name, else the id), lines
--          (revenue lines in any status and currency), donations (count of completed RUB donations received),
--          donations_net (RUB, completed donations received), platform_net (RUB, completed payments the artist
--          made: subscriptions, coins, promotion, other); and on every row the period's totals over all artists
--          with a line: active_artists (how many), revenue (donations_net + platform_net, summed), and artists (the
--          number of all artists). Revenue lines as in queries/shared/revenue_lines.sql (a donation counted once),
--          read from their rollup per day and payer, revenue_artist_daily, and the artists (with their names)
--          from artist_directory (dashboard/rollups.py).
--          Non-RUB is left out of the sums. Ordered by donations_net + platform_net, most first.
-- Params: :start, :end (date, inclusive); :limit (integer) the length of each top list
WITH lines AS (
  SELECT user_id, CASE WHEN stream = 'donations' THEN 'donations' ELSE 'platform' END AS side, currency, status,
         lines, amount
  FROM revenue_artist_daily
  WHERE day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
),
per_artist AS (
  SELECT l.user_id AS artist_id,
         CAST(SUM(l.lines) AS BIGINT) AS lines,
         CAST(SUM(CASE WHEN l.side = 'donations' AND l.currency = 'RUB' AND l.status = 'completed' THEN l.lines
                       ELSE 0 END) AS BIGINT) AS donations,
         SUM(CASE WHEN l.side = 'donations' AND l.currency = 'RUB' AND l.status = 'completed' THEN l.amount
                  ELSE 0 END) AS donations_net,
         SUM(CASE WHEN l.side = 'platform' AND l.currency = 'RUB' AND l.status = 'completed' THEN l.amount
                  ELSE 0 END) AS platform_net
  FROM lines AS l
  JOIN artist_directory AS a ON a.artist_id = l.user_id
  GROUP BY l.user_id
  HAVING SUM(l.lines) <> 0
),
ranked AS (
  SELECT pa.*,
         COUNT(*) OVER () AS active_artists,
         SUM(pa.donations_net + pa.platform_net) OVER () AS revenue,
         ROW_NUMBER() OVER (ORDER BY pa.donations_net DESC, pa.artist_id) AS donations_rank,
         ROW_NUMBER() OVER (ORDER BY pa.platform_net DESC, pa.artist_id) AS platform_rank
  FROM per_artist AS pa
)
SELECT r.artist_id,
       n.name,
       r.lines, r.donations, r.donations_net, r.platform_net, r.active_artists, r.revenue,
       (SELECT COUNT(*) FROM artist_directory) AS artists
FROM ranked AS r
JOIN artist_directory AS n ON n.artist_id = r.artist_id
WHERE r.donations_rank <= :limit OR r.platform_rank <= :limit
ORDER BY r.donations_net + r.platform_net DESC, r.artist_id
