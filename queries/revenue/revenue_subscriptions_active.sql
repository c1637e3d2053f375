-- Returns: one row per bucket × tier: bucket (first day of the day/week/month, never before :start), as_of (the
--          bucket's last day within [start, end]) and active, the subscriptions active at the end of as_of. A
--          subscription is active on day D when its started_at day <= D and its end is NULL or its end day > D,
--          where end = expires_at, else (for status cancelled/expired without expires_at) updated_at. Built from
--          the one subscriptions row per user, so a user's earlier tiers are not visible. Tier NULL is 'unknown'.
-- Params: :start, :end (date, inclusive); :grain (text) 'day', 'week' or 'month'
WITH days AS (
  SELECT CAST(g.d AS DATE) AS day
  FROM generate_series(CAST(:start AS TIMESTAMP), CAST(:end AS TIMESTAMP), INTERVAL '1 day') AS g(d)
),
buckets AS (
  SELECT GREATEST(CAST(date_trunc(:grain, day) AS DATE), CAST(:start AS DATE)) AS bucket, MAX(day) AS as_of
  FROM days
  GROUP BY 1
),
subs AS (
  SELECT COALESCE(tier, 'unknown') AS tier,
         CAST(started_at AS DATE) AS start_day,
         CAST(COALESCE(expires_at, CASE WHEN status IN ('cancelled', 'expired') THEN updated_at END) AS DATE)
           AS end_day
  FROM subscriptions
  WHERE started_at IS NOT NULL
),
-- the subscriptions started by D, less those also ended by D: counted per tier and day first (a few thousand rows),
-- then summed per bucket (matching every subscription against every bucket was 3.3 s at 10M keys on PostgreSQL)
starts AS (
  SELECT tier, start_day AS day, COUNT(*) AS n FROM subs GROUP BY tier, start_day
),
ends AS (
  SELECT tier, GREATEST(start_day, end_day) AS day, COUNT(*) AS n FROM subs
  WHERE end_day IS NOT NULL GROUP BY tier, GREATEST(start_day, end_day)
),
started AS (
  SELECT b.bucket, b.as_of, s.tier, SUM(s.n) AS n FROM buckets AS b JOIN starts AS s ON s.day <= b.as_of
  GROUP BY b.bucket, b.as_of, s.tier
),
ended AS (
  SELECT b.bucket, e.tier, SUM(e.n) AS n FROM buckets AS b JOIN ends AS e ON e.day <= b.as_of
  GROUP BY b.bucket, e.tier
)
SELECT s.bucket, s.as_of, s.tier, CAST(s.n - COALESCE(e.n, 0) AS BIGINT) AS active
FROM started AS s
LEFT JOIN ended AS e ON e.bucket = s.bucket AND e.tier = s.tier
WHERE s.n - COALESCE(e.n, 0) > 0
ORDER BY s.bucket, s.tier
