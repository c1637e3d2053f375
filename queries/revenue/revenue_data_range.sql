-- Returns: one row: first_day and last_day (Moscow dates) of any revenue line (queries/shared/revenue_lines.sql:
--          payments, donations, and the platform's marketplace, bookings, track tests, subscriptions, publishing,
--          banners and tickets), and payments (the number of lines); days are NULL when there are none. Read from
--          the lines' rollup revenue_daily (dashboard/rollups.py).
-- Params: none
SELECT MIN(day) AS first_day, MAX(day) AS last_day, CAST(COALESCE(SUM(lines), 0) AS BIGINT) AS payments
FROM revenue_daily
WHERE day IS NOT NULL AND lines <> 0
