-- Returns: one row: first_day and last_day (Moscow dates) of any revenue line (queries/shared/revenue_lines.sql:
--          payments, donations, and the platform's marketplace, bookings, track tests, subscriptions, publishing,
--          banners and tickets), and payments (the number of lines); days are NULL when there are none.
-- Params: none
WITH
-- include: revenue_lines
SELECT MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS payments
FROM revenue_lines
WHERE day IS NOT NULL
