-- Returns: one row per Moscow day in [start, end] with completed RUB donations to the artist: day, donations,
--          amount_rub.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: completed_rub_donations
SELECT CAST(d.created_at AS DATE) AS day, COUNT(*) AS donations, SUM(d.amount) AS amount_rub
FROM completed_rub_donations AS d
WHERE d.artist_id = :artist_id
  AND CAST(d.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY CAST(d.created_at AS DATE)
ORDER BY day
