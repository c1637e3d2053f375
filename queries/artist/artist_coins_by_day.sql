-- Returns: one row per Moscow day in [start, end] with coin transactions of the artist: day, earned (sum of the
--          positive amounts: purchases, bonuses, refunds), spent (sum of the negative amounts, as a positive number).
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
SELECT CAST(x.created_at AS DATE) AS day,
       SUM(CASE WHEN x.amount > 0 THEN x.amount ELSE 0 END) AS earned,
       SUM(CASE WHEN x.amount < 0 THEN -x.amount ELSE 0 END) AS spent
FROM coins_transactions AS x
WHERE x.user_id = :artist_id
  AND CAST(x.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY CAST(x.created_at AS DATE)
ORDER BY day
