-- Returns: the platform's payments (payment_transactions rows) whose Moscow day is in [start, end], newest first,
--          at most 2000: payment_id, created_at, type, status, amount, currency (NULL = RUB), payment_method,
--          provider, payer_id (user_id) and payer (profile name, else NULL). For the payment-level list with search.
-- Params: :start, :end (date, inclusive)
SELECT p.id AS payment_id, p.created_at, p.type, LOWER(COALESCE(p.status, 'pending')) AS status,
       COALESCE(p.amount, 0) AS amount, UPPER(COALESCE(p.currency, 'RUB')) AS currency,
       COALESCE(p.payment_method, 'unknown') AS payment_method, COALESCE(p.provider, 'unknown') AS provider,
       p.user_id AS payer_id, pr.name AS payer
FROM payment_transactions AS p
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS pr ON pr.id = p.user_id
WHERE CAST(p.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
ORDER BY p.created_at DESC, p.id
LIMIT 2000
