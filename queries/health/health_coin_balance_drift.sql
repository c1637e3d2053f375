-- Returns: one row per coin balance that disagrees with the user's coin transactions: the balance against the sum of
--          all transaction amounts, and (where the balance record keeps them) lifetime_earned against the sum of
--          the positive amounts and lifetime_spent against the sum of the negative ones (as a positive number).
--          artist_id (the user), kv_key (the balance key), tx_key / tx_keys (a transaction key and how many keys
--          hold the user's transactions), the recorded and the computed values and difference (balance - tx_sum).
--          For the fix proposal, dashboard/health/checks.py adds each found key's current_value and double_encoded
--          by key lookup afterwards (a join to kv_store here made DuckDB read every value in the store, and one to
--          kv_double_encoded read its 528k keys at 1M keys: 21 of the query's 37 ms; the page needs neither).
-- Params: none
WITH tx AS (  -- the coins_by_user rollup (dashboard/rollups.py): the transactions with an amount, per user
    SELECT user_id, tx_sum, tx_earned, tx_spent, tx_key, tx_keys
    FROM coins_by_user
    WHERE user_id IS NOT NULL
)
SELECT b.user_id AS artist_id,
       b.source_key AS kv_key,
       t.tx_key,
       COALESCE(t.tx_keys, 0) AS tx_keys,
       b.balance,
       COALESCE(t.tx_sum, 0) AS tx_sum,
       b.balance - COALESCE(t.tx_sum, 0) AS difference,
       b.lifetime_earned,
       COALESCE(t.tx_earned, 0) AS tx_earned,
       b.lifetime_spent,
       COALESCE(t.tx_spent, 0) AS tx_spent
FROM coins_balance AS b
LEFT JOIN tx AS t ON t.user_id = b.user_id
WHERE b.balance IS NULL
   OR b.balance <> COALESCE(t.tx_sum, 0)
   OR (b.lifetime_earned IS NOT NULL AND b.lifetime_earned <> COALESCE(t.tx_earned, 0))
   OR (b.lifetime_spent IS NOT NULL AND b.lifetime_spent <> COALESCE(t.tx_spent, 0))
ORDER BY b.user_id, b.source_key
