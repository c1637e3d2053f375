-- Returns: one row per bucket × currency × stream × status for the revenue lines (queries/shared/revenue_lines.sql:
--          payments plus donations without a payment of their own; read from their rollup revenue_daily, which
--          dashboard/rollups.py keeps equal to them) whose Moscow day is
--          in [start, end]: bucket (first day of the day/week/month, never before :start), payments, amount,
--          platform_share (the platform's part of amount), third_party (ticket vendors' commission).
-- Params: :start, :end (date, inclusive); :grain (text) 'day', 'week' (ISO, Monday) or 'month'
SELECT GREATEST(CAST(date_trunc(:grain, day) AS DATE), CAST(:start AS DATE)) AS bucket,
       currency, stream, status,
       CAST(SUM(lines) AS BIGINT) AS payments,
       SUM(amount) AS amount,
       SUM(platform_share) AS platform_share,
       SUM(third_party) AS third_party
FROM revenue_daily
WHERE day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY 1, currency, stream, status
HAVING SUM(lines) <> 0
ORDER BY bucket, currency, stream, status
