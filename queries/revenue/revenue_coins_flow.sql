-- Returns: one row per bucket × kind × entity for coin transactions whose Moscow day is in [start, end]: bucket
--          (first day of the day/week/month, never before :start), kind ('purchased': type purchase with a
--          positive amount; 'spent': any negative amount; 'returned': type refund with a positive amount;
--          'earned': any other positive amount, e.g. bonuses), entity (related_entity_type, '' when NULL),
--          transactions and coins (sum of absolute amounts, so spent is positive). Read from the coins_daily
--          rollup (dashboard/rollups.py).
-- Params: :start, :end (date, inclusive); :grain (text) 'day', 'week' or 'month'
SELECT GREATEST(CAST(date_trunc(:grain, day) AS DATE), CAST(:start AS DATE)) AS bucket,
       kind,
       entity,
       CAST(SUM(transactions) AS BIGINT) AS transactions,
       CAST(SUM(coins) AS BIGINT) AS coins
FROM coins_daily
WHERE day BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY 1, 2, 3
ORDER BY bucket, kind, entity
