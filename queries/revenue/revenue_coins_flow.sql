-- Returns: one row per bucket × kind × entity for coin transactions whose Moscow day is in [start, end]: bucket
--          (first day of the day/week/month, never before :start), kind ('purchased': type purchase with a
--          positive amount; 'spent': any negative amount; 'returned': type refund with a positive amount;
--          'earned': any other positive amount, e.g. bonuses), entity (related_entity_type, '' when NULL),
--          transactions and coins (sum of absolute amounts, so spent is positive).
-- Params: :start, :end (date, inclusive); :grain (text) 'day', 'week' or 'month'
SELECT GREATEST(CAST(date_trunc(:grain, CAST(created_at AS DATE)) AS DATE), CAST(:start AS DATE)) AS bucket,
       CASE WHEN amount < 0 THEN 'spent'
            WHEN type = 'purchase' THEN 'purchased'
            WHEN type = 'refund' THEN 'returned'
            ELSE 'earned' END AS kind,
       COALESCE(related_entity_type, '') AS entity,
       COUNT(*) AS transactions,
       SUM(ABS(amount)) AS coins
FROM coins_transactions
WHERE CAST(created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  AND amount IS NOT NULL AND amount <> 0
GROUP BY 1, 2, 3
ORDER BY bucket, kind, entity
