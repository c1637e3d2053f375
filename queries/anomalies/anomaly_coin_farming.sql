-- Returns: the coin_farming flags: one row per run of coins one user earned (positive amounts of any type but
--          purchase and refund) where each earning follows the one before within :gap_minutes, with at least
--          :min_earnings earnings: user_id, started_at, ended_at, earnings, coins, transaction_ids
--          (comma-separated, in time order), usual_earnings (the user's other earnings, outside the run).
--          No real listener earns coins dozens of times minutes apart. Linear: one ordered pass per user.
-- Params: :gap_minutes (integer) longest pause inside a run; :min_earnings (integer) fewest earnings in a run
WITH earned AS (
    SELECT id, user_id, created_at, amount,
           LAG(created_at) OVER (PARTITION BY user_id ORDER BY created_at) AS previous_at
    FROM coins_transactions
    WHERE amount > 0 AND COALESCE(type, '') NOT IN ('purchase', 'refund') AND user_id IS NOT NULL
      AND created_at IS NOT NULL
), runs AS (
    SELECT *, SUM(CASE WHEN previous_at IS NULL
                            OR created_at > previous_at + CAST(:gap_minutes AS INTEGER) * INTERVAL '1 minute'
                       THEN 1 ELSE 0 END) OVER (PARTITION BY user_id ORDER BY created_at) AS run_no
    FROM earned
), farmed AS (
    SELECT user_id, run_no, MIN(created_at) AS started_at, MAX(created_at) AS ended_at, COUNT(*) AS earnings,
           SUM(amount) AS coins, STRING_AGG(id, ',' ORDER BY created_at, id) AS transaction_ids
    FROM runs
    GROUP BY user_id, run_no
    HAVING COUNT(*) >= :min_earnings
), totals AS (
    SELECT user_id, COUNT(*) AS all_earnings FROM earned WHERE user_id IN (SELECT user_id FROM farmed) GROUP BY user_id
)
SELECT f.user_id, f.started_at, f.ended_at, f.earnings, f.coins, f.transaction_ids,
       t.all_earnings - f.earnings AS usual_earnings
FROM farmed f
JOIN totals t ON t.user_id = f.user_id
ORDER BY f.started_at DESC, f.user_id
