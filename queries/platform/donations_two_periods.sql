-- Returns: two rows, period 'current' and 'previous', with the count and RUB sum of completed donations
--          whose Moscow date falls in [cur_start, cur_end] and [prev_start, prev_end]. Non-RUB is left out.
--          Read from the donations_daily rollup (the completed RUB donations of
--          queries/shared/completed_rub_donations.sql per Moscow day; dashboard/rollups.py); a donation without
--          an id is not counted, as before the rollup.
-- Params: :cur_start, :cur_end, :prev_start, :prev_end (date, inclusive)
SELECT p.period,
       CAST(COALESCE(SUM(d.donations_with_id), 0) AS BIGINT) AS donations,
       COALESCE(SUM(d.amount_rub), 0) AS amount_rub
FROM (SELECT 'current' AS period, CAST(:cur_start AS DATE) AS d0, CAST(:cur_end AS DATE) AS d1
      UNION ALL
      SELECT 'previous', CAST(:prev_start AS DATE), CAST(:prev_end AS DATE)) AS p
LEFT JOIN donations_daily AS d
  ON d.day BETWEEN p.d0 AND p.d1
GROUP BY p.period
ORDER BY p.period
