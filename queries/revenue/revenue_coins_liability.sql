-- Returns: one row, the coins outstanding now (not as of a date: coins_balance is a snapshot): holders (users
--          with a positive balance), balance (sum of coins_balance.balance), ledger (sum of all coins_transactions
--          amounts), drift_users (users whose balance differs from the sum of their transactions, a user missing
--          on one side counting as 0), coins_bought_rub and rub_paid (coins and RUB of completed RUB coin_purchase
--          payments linked to a purchase transaction by related_entity_id), the basis of a RUB value per coin.
-- Params: none
WITH bal AS (
  SELECT user_id, SUM(COALESCE(balance, 0)) AS balance FROM coins_balance GROUP BY user_id
),
ledger AS (  -- the coins_by_user rollup (dashboard/rollups.py); a user whose transactions have no amount counts 0
  SELECT user_id, tx_sum AS coins FROM coins_by_user
),
bought AS (
  SELECT SUM(t.amount) AS coins, SUM(p.amount) AS rub
  FROM coins_transactions AS t
  JOIN payment_transactions AS p ON p.id = t.related_entity_id
  WHERE t.type = 'purchase' AND t.amount > 0 AND p.type = 'coin_purchase' AND p.status = 'completed'
    AND UPPER(COALESCE(p.currency, 'RUB')) = 'RUB'
)
SELECT (SELECT COUNT(*) FROM bal WHERE balance > 0) AS holders,
       (SELECT COALESCE(SUM(balance), 0) FROM bal) AS balance,
       (SELECT COALESCE(SUM(coins), 0) FROM ledger) AS ledger,
       (SELECT COUNT(*) FROM bal FULL OUTER JOIN ledger ON ledger.user_id = bal.user_id
        WHERE COALESCE(bal.balance, 0) <> COALESCE(ledger.coins, 0)) AS drift_users,
       (SELECT COALESCE(coins, 0) FROM bought) AS coins_bought_rub,
       (SELECT COALESCE(rub, 0) FROM bought) AS rub_paid
