-- Returns: the totals every row of revenue_top_artists carries, without its ranking (Revenue → Artists compares its
--          period with the one before by them): one row, or none when no artist has a revenue line in [start, end]:
--          active_artists (artists with a line in the period), revenue (their completed RUB lines, donations
--          received and payments made, summed: the sum of revenue_top_artists' donations_net + platform_net) and
--          artists (the number of all artists). Read from artist_lines_daily and artist_directory (dashboard/rollups.py).
-- Params: :start, :end (date, inclusive)
SELECT CAST(COUNT(DISTINCT l.artist_id) AS BIGINT) AS active_artists,
       COALESCE(SUM(l.donations_net + l.platform_net), 0) AS revenue,
       (SELECT COUNT(*) FROM artist_directory) AS artists
FROM artist_lines_daily AS l
WHERE l.day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
HAVING COUNT(*) > 0
