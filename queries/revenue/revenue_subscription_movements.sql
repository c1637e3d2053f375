-- Returns: one row per tier with subscription movements over [start, end]: active_at_start (active at the start
--          of :start), new (started_at day in the period), cancelled (status cancelled and access ended in the
--          period), expired (any other status and access ended in the period), active_at_end (active at the end of
--          :end). Active and end as in revenue_subscriptions_active, so
--          active_at_start + new - cancelled - expired = active_at_end.
-- Params: :start, :end (date, inclusive)
WITH subs AS (
  SELECT COALESCE(tier, 'unknown') AS tier,
         COALESCE(status, 'unknown') AS status,
         CAST(started_at AS DATE) AS start_day,
         CAST(COALESCE(expires_at, CASE WHEN status IN ('cancelled', 'expired') THEN updated_at END) AS DATE)
           AS end_day
  FROM subscriptions
  WHERE started_at IS NOT NULL
)
SELECT tier,
       SUM(CASE WHEN start_day < CAST(:start AS DATE)
                 AND (end_day IS NULL OR end_day >= CAST(:start AS DATE)) THEN 1 ELSE 0 END) AS active_at_start,
       SUM(CASE WHEN start_day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE) THEN 1 ELSE 0 END) AS new,
       SUM(CASE WHEN status = 'cancelled' AND start_day <= CAST(:end AS DATE)
                 AND end_day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE) THEN 1 ELSE 0 END) AS cancelled,
       SUM(CASE WHEN status <> 'cancelled' AND start_day <= CAST(:end AS DATE)
                 AND end_day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE) THEN 1 ELSE 0 END) AS expired,
       SUM(CASE WHEN start_day <= CAST(:end AS DATE)
                 AND (end_day IS NULL OR end_day > CAST(:end AS DATE)) THEN 1 ELSE 0 END) AS active_at_end
FROM subs
GROUP BY tier
ORDER BY tier
