-- Returns: the artists (users owning a track, video or concert) with a revenue line in [start, end] that rank in the
--          first :limit by donations_net or by platform_net (so each top list is in the rows; at most 2 × :limit
--          rows, whatever the number of artists), each with: artist_id, name (profile name, else the id), lines
--          (revenue lines in any status and currency), donations (count of completed RUB donations received),
--          donations_net (RUB, completed donations received), platform_net (RUB, completed payments the artist
--          made: subscriptions, coins, promotion, other); and on every row the period's totals over all artists
--          with a line: active_artists (how many), revenue (donations_net + platform_net, summed), and artists (the
--          number of all artists). Revenue lines as in queries/shared/revenue_lines.sql (a donation counted once),
--          read from their rollup per day and artist, artist_lines_daily (the directory's artists only, with the
--          sums by side, currency and status made at build), and the names from artist_directory
--          (dashboard/rollups.py).
--          Non-RUB is left out of the sums. Ordered by donations_net + platform_net, most first.
--          Each top list is an ORDER BY … LIMIT (a top-N heap), the totals one aggregate and the names looked up for
--          the listed rows only: two ROW_NUMBER windows sorted every active artist twice and the names were joined
--          to the whole directory (2.1 s of 2.3 s at 10M keys on PostgreSQL, issue 21).
-- Params: :start, :end (date, inclusive); :limit (integer) the length of each top list
WITH per_artist AS (
  SELECT artist_id,
         CAST(SUM(lines) AS BIGINT) AS lines,
         CAST(SUM(donations) AS BIGINT) AS donations,
         SUM(donations_net) AS donations_net,
         SUM(platform_net) AS platform_net
  FROM artist_lines_daily
  WHERE day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  GROUP BY artist_id
  HAVING SUM(lines) <> 0
),
totals AS (
  SELECT COUNT(*) AS active_artists, SUM(donations_net + platform_net) AS revenue FROM per_artist
),
listed AS (
  (SELECT * FROM per_artist ORDER BY donations_net DESC, artist_id LIMIT :limit)
  UNION
  (SELECT * FROM per_artist ORDER BY platform_net DESC, artist_id LIMIT :limit)
)
SELECT r.artist_id,
       n.name,
       r.lines, r.donations, r.donations_net, r.platform_net, t.active_artists, t.revenue,
       (SELECT COUNT(*) FROM artist_directory) AS artists
FROM listed AS r
JOIN artist_directory AS n ON n.artist_id = r.artist_id
CROSS JOIN totals AS t
ORDER BY r.donations_net + r.platform_net DESC, r.artist_id
