-- Returns: one row: first_day and last_day (Moscow dates) of any payment or donation, and payments (count of
--          payment_transactions plus donations); days are NULL when there are none.
-- Params: none
SELECT MIN(day) AS first_day, MAX(day) AS last_day, COUNT(*) AS payments
FROM (SELECT CAST(created_at AS DATE) AS day FROM payment_transactions WHERE created_at IS NOT NULL
      UNION ALL
      SELECT CAST(created_at AS DATE) FROM donations WHERE created_at IS NOT NULL) AS d
