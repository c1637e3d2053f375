-- Fragment (not a query): the CTE "revenue_lines", included by queries with a line "-- include: revenue_lines"
-- right after WITH. The revenue lines are every payment_transactions row, plus each donation that has no
-- donation_received payment of its own (matched by donations.transaction_id = payment id, or by the payment's
-- metadata.donation_id = donation id), so the same donation money is counted once. Columns: user_id (who paid,
-- or for donations the artist who received), day (Moscow date of created_at), stream (donations | coins |
-- subscriptions | promotion | other, by payment type), detail (for promotion the metadata "stream": banner |
-- campaign | pitching; else ''), currency (NULL = RUB), status, payment_method, provider, amount.
-- The including query filters by day; both engines push that filter into the union.
revenue_lines AS (
  SELECT p.user_id AS user_id,
         CAST(p.created_at AS DATE) AS day,
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
  UNION ALL
  SELECT d.artist_id, CAST(d.created_at AS DATE), 'donations', '', UPPER(COALESCE(d.currency, 'RUB')),
         LOWER(COALESCE(d.status, 'pending')), COALESCE(d.payment_method, 'unknown'), 'unknown',
         COALESCE(d.amount, 0)
  FROM donations AS d
  WHERE NOT EXISTS (SELECT 1 FROM payment_transactions AS p
                    WHERE p.type = 'donation_received' AND p.id = d.transaction_id)
    AND NOT EXISTS (SELECT 1 FROM payment_transactions AS p
                    WHERE p.type = 'donation_received' AND CAST(p.metadata AS JSON) ->> 'donation_id' = d.id)
)
