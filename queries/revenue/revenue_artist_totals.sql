-- Returns: the totals every row of revenue_top_artists carries, without its ranking (Revenue → Artists compares its
--          period with the one before by them): one row, or none when no artist has a revenue line in [start, end]:
--          active_artists (artists with a line in the period), revenue (their completed RUB lines, donations
--          received and payments made, summed: the sum of revenue_top_artists' donations_net + platform_net) and
--          artists (the number of all artists). Read from revenue_artist_daily and artist_directory
--          (dashboard/rollups.py).
-- Params: :start, :end (date, inclusive)
SELECT CAST(COUNT(DISTINCT l.user_id) AS BIGINT) AS active_artists,
       COALESCE(SUM(CASE WHEN l.currency = 'RUB' AND l.status = 'completed' THEN l.amount ELSE 0 END), 0) AS revenue,
       (SELECT COUNT(*) FROM artist_directory) AS artists
FROM revenue_artist_daily AS l
JOIN artist_directory AS a ON a.artist_id = l.user_id
WHERE l.day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
HAVING COUNT(*) > 0
