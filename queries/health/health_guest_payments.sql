-- Returns: one row per payment with no user (deployed payments:null:tx:{id} from a guest purchase).
--          artist_id (always NULL), kv_key, item_id (the payment id), amount, currency, type, status, created_at.
-- Params: none
SELECT CAST(NULL AS TEXT) AS artist_id,
       p.source_key AS kv_key,
       p.id AS item_id,
       p.amount,
       p.currency,
       p.type,
       p.status,
       p.created_at
FROM payment_transactions AS p
WHERE p.user_id IS NULL OR TRIM(p.user_id) = ''
ORDER BY p.source_key, p.id
