-- Returns: one row per Moscow day in [start, end] that has completed RUB donations: day, donations, amount_rub.
-- Params: :start, :end (date, inclusive)
WITH
-- include: completed_rub_donations
SELECT CAST(created_at AS DATE) AS day,
       COUNT(*) AS donations,
       SUM(amount) AS amount_rub
FROM completed_rub_donations
WHERE CAST(created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY CAST(created_at AS DATE)
ORDER BY day
