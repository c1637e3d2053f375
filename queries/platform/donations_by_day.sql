-- Returns: one row per Moscow day in [start, end] that has completed RUB donations: day, donations, amount_rub.
--          Read from the donations_daily rollup (the completed RUB donations of
--          queries/shared/completed_rub_donations.sql per Moscow day; dashboard/rollups.py).
-- Params: :start, :end (date, inclusive)
SELECT day, donations, amount_rub
FROM donations_daily
WHERE day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
ORDER BY day
