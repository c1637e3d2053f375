-- Returns: the refund_cluster flags: one row per run of refunded payments made by one buyer (donations received
--          excluded: those are the artist's income, refunded to someone else) where each follows the one before
--          within :gap_days days, with at least :min_refunds refunds: user_id, started_at, ended_at, refunds, amount
--          (sum, in the run's first currency), currency, payment_ids (comma-separated, in time order),
--          usual_refund_share (the platform's refunded share of such payments, 0..1). A payment is refunded when its
--          status says so, or when the track test it paid for says its payment was refunded (the deployed
--          platform records a track test's refund only there, KEYS.md 10: the payment row stays 'completed').
--          Linear: one ordered pass per buyer.
-- Params: :gap_days (integer) longest pause inside a run; :min_refunds (integer) fewest refunds in a run
WITH refunded_tests AS (
    SELECT payment_transaction_id AS id
    FROM track_test_requests
    WHERE payment_status = 'refunded' AND payment_transaction_id IS NOT NULL
    GROUP BY payment_transaction_id
), bought AS (
    SELECT p.id, p.user_id, p.created_at, p.amount, p.currency,
           CASE WHEN t.id IS NOT NULL THEN 'refunded' ELSE p.status END AS status
    FROM payment_transactions p
    LEFT JOIN refunded_tests t ON t.id = p.id
    WHERE COALESCE(p.type, '') <> 'donation_received' AND p.user_id IS NOT NULL AND p.created_at IS NOT NULL
), refunded AS (
    SELECT id, user_id, created_at, amount, currency,
           LAG(created_at) OVER (PARTITION BY user_id ORDER BY created_at) AS previous_at
    FROM bought
    WHERE status = 'refunded'
), runs AS (
    SELECT *, SUM(CASE WHEN previous_at IS NULL
                            OR created_at > previous_at + CAST(:gap_days AS INTEGER) * INTERVAL '1 day'
                       THEN 1 ELSE 0 END) OVER (PARTITION BY user_id ORDER BY created_at) AS run_no
    FROM refunded
), clusters AS (
    SELECT user_id, run_no, MIN(created_at) AS started_at, MAX(created_at) AS ended_at, COUNT(*) AS refunds,
           SUM(amount) AS amount, MIN(currency) AS currency, STRING_AGG(id, ',' ORDER BY created_at, id) AS payment_ids
    FROM runs
    GROUP BY user_id, run_no
    HAVING COUNT(*) >= :min_refunds
), share AS (
    SELECT SUM(CASE WHEN status = 'refunded' THEN 1 ELSE 0 END) * 1.0 / NULLIF(COUNT(*), 0) AS usual_refund_share
    FROM bought
)
SELECT c.user_id, c.started_at, c.ended_at, c.refunds, c.amount, c.currency, c.payment_ids, s.usual_refund_share
FROM clusters c
CROSS JOIN share s
ORDER BY c.started_at DESC, c.user_id
