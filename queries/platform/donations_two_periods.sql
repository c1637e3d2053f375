-- Returns: two rows, period 'current' and 'previous', with the count and RUB sum of completed donations
--          whose Moscow date falls in [cur_start, cur_end] and [prev_start, prev_end]. Non-RUB is left out.
-- Params: :cur_start, :cur_end, :prev_start, :prev_end (date, inclusive)
WITH
-- include: completed_rub_donations
SELECT p.period,
       COUNT(d.id) AS donations,
       COALESCE(SUM(d.amount), 0) AS amount_rub
FROM (SELECT 'current' AS period, CAST(:cur_start AS DATE) AS d0, CAST(:cur_end AS DATE) AS d1
      UNION ALL
      SELECT 'previous', CAST(:prev_start AS DATE), CAST(:prev_end AS DATE)) AS p
LEFT JOIN completed_rub_donations AS d
  ON CAST(d.created_at AS DATE) BETWEEN p.d0 AND p.d1
GROUP BY p.period
ORDER BY p.period
