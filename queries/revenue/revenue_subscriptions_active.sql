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
)
SELECT b.bucket, b.as_of, s.tier, COUNT(*) AS active
FROM buckets AS b
JOIN subs AS s ON s.start_day <= b.as_of AND (s.end_day IS NULL OR s.end_day > b.as_of)
GROUP BY b.bucket, b.as_of, s.tier
ORDER BY b.bucket, s.tier
