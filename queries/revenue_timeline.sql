-- Returns: one row per bucket × currency × stream × status for the revenue lines (as in
--          revenue_payment_summary: payments plus donations without a payment of their own) whose Moscow day is
--          in [start, end]: bucket (first day of the day/week/month, never before :start), payments, amount.
-- Params: :start, :end (date, inclusive); :grain (text) 'day', 'week' (ISO, Monday) or 'month'
WITH lines AS (
  SELECT CAST(p.created_at AS DATE) AS day,
         CASE p.type WHEN 'donation_received' THEN 'donations' WHEN 'coin_purchase' THEN 'coins'
                     WHEN 'subscription' THEN 'subscriptions' WHEN 'promotion' THEN 'promotion'
                     ELSE 'other' END AS stream,
         UPPER(COALESCE(p.currency, 'RUB')) AS currency,
         LOWER(COALESCE(p.status, 'pending')) AS status,
         COALESCE(p.amount, 0) AS amount
  FROM payment_transactions AS p
  WHERE CAST(p.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
  UNION ALL
  SELECT CAST(d.created_at AS DATE), 'donations', UPPER(COALESCE(d.currency, 'RUB')),
         LOWER(COALESCE(d.status, 'pending')), COALESCE(d.amount, 0)
  FROM donations AS d
  WHERE CAST(d.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
    AND NOT EXISTS (SELECT 1 FROM payment_transactions AS p
                    WHERE p.type = 'donation_received' AND p.id = d.transaction_id)
    AND NOT EXISTS (SELECT 1 FROM payment_transactions AS p
                    WHERE p.type = 'donation_received' AND CAST(p.metadata AS JSON) ->> 'donation_id' = d.id)
)
SELECT GREATEST(CAST(date_trunc(:grain, day) AS DATE), CAST(:start AS DATE)) AS bucket,
       currency, stream, status,
       COUNT(*) AS payments,
       SUM(amount) AS amount
FROM lines
GROUP BY 1, currency, stream, status
ORDER BY bucket, currency, stream, status
