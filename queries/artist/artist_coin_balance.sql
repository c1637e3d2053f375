-- Returns: the artist's coin balance record (at most one row): balance, lifetime_earned, lifetime_spent (from the
--          record, or when it has none, as the deployed platform's balance keeps, the sums of the artist's coin
--          transactions: amounts above 0 earned, below 0 spent), updated_at (the record's, or the latest
--          transaction's).
-- Params: :artist_id (text) the artist
WITH tx AS (
  SELECT SUM(CASE WHEN x.amount > 0 THEN x.amount ELSE 0 END) AS earned,
         SUM(CASE WHEN x.amount < 0 THEN -x.amount ELSE 0 END) AS spent,
         MAX(x.created_at) AS last_at
  FROM coins_transactions AS x
  WHERE x.user_id = :artist_id
)
SELECT b.balance, COALESCE(b.lifetime_earned, tx.earned) AS lifetime_earned,
       COALESCE(b.lifetime_spent, tx.spent) AS lifetime_spent, COALESCE(b.updated_at, tx.last_at) AS updated_at
FROM coins_balance AS b
CROSS JOIN tx
WHERE b.user_id = :artist_id
ORDER BY b.updated_at DESC
LIMIT 1
