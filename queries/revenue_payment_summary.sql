-- Returns: one row per period ('current' = [cur_start, cur_end], 'previous' = [prev_start, prev_end]) × currency × stream
--          × detail × payment_method × provider × status, with payments (count) and amount (sum, in that row's
--          currency). The revenue lines: every payment_transactions row, plus each donation that has no
--          donation_received payment of its own (matched by donations.transaction_id = payment id, or by the
--          payment's metadata.donation_id = donation id), so the same donation money is counted once.
--          stream: donations | coins | subscriptions | promotion | other (by payment type); detail: for
--          promotion the metadata "stream" (banner | campaign | pitching), else ''. A line's day is the Moscow
--          date of its created_at. Currency NULL counts as RUB; method/provider NULL as 'unknown'.
--          dashboard/revenue.py turns these rows into gross, refunds, net and failed payments.
-- Params: :cur_start, :cur_end (date, inclusive) the period; :prev_start, :prev_end (date, inclusive) the equal period
--         right before it (prev_end < cur_start)
WITH lines AS (
  SELECT CAST(p.created_at AS DATE) AS day,
         CASE p.type WHEN 'donation_received' THEN 'donations' WHEN 'coin_purchase' THEN 'coins'
                     WHEN 'subscription' THEN 'subscriptions' WHEN 'promotion' THEN 'promotion'
                     ELSE 'other' END AS stream,
         CASE WHEN p.type = 'promotion' THEN COALESCE(CAST(p.metadata AS JSON) ->> 'stream', 'unknown')
              ELSE '' END AS detail,
         UPPER(COALESCE(p.currency, 'RUB')) AS currency,
         LOWER(COALESCE(p.status, 'pending')) AS status,
         COALESCE(p.payment_method, 'unknown') AS payment_method,
         COALESCE(p.provider, 'unknown') AS provider,
         COALESCE(p.amount, 0) AS amount
  FROM payment_transactions AS p
  WHERE CAST(p.created_at AS DATE) BETWEEN CAST(:prev_start AS DATE) AND CAST(:cur_end AS DATE)
  UNION ALL
  SELECT CAST(d.created_at AS DATE), 'donations', '', UPPER(COALESCE(d.currency, 'RUB')),
         LOWER(COALESCE(d.status, 'pending')), COALESCE(d.payment_method, 'unknown'), 'unknown',
         COALESCE(d.amount, 0)
  FROM donations AS d
  WHERE CAST(d.created_at AS DATE) BETWEEN CAST(:prev_start AS DATE) AND CAST(:cur_end AS DATE)
    AND NOT EXISTS (SELECT 1 FROM payment_transactions AS p
                    WHERE p.type = 'donation_received' AND p.id = d.transaction_id)
    AND NOT EXISTS (SELECT 1 FROM payment_transactions AS p
                    WHERE p.type = 'donation_received' AND CAST(p.metadata AS JSON) ->> 'donation_id' = d.id)
)
SELECT CASE WHEN day BETWEEN CAST(:cur_start AS DATE) AND CAST(:cur_end AS DATE) THEN 'current' ELSE 'previous' END
         AS period,
       currency, stream, detail, payment_method, provider, status,
       COUNT(*) AS payments,
       SUM(amount) AS amount
FROM lines
WHERE day BETWEEN CAST(:cur_start AS DATE) AND CAST(:cur_end AS DATE)
   OR day BETWEEN CAST(:prev_start AS DATE) AND CAST(:prev_end AS DATE)
GROUP BY 1, currency, stream, detail, payment_method, provider, status
ORDER BY period, currency, stream, detail, payment_method, provider, status
