-- Fragment (not a query): the CTE "revenue_lines", included by queries with a line "-- include: revenue_lines"
-- right after WITH. One row per money movement the platform's data records, in every layout (KEYS.md §A):
--   * every payment_transactions row (the documented layout's payments, the deployed layout's track-test
--     payments), except wallet ledger rows (types income, expense, withdrawal, commission: the pmf wallet's copy of
--     sales counted below) and a track-test payment of a known request (the request is the line: its
--     payment_status says completed or refunded; linked by the payment's related_entity_id, or the request's
--     payment_transaction_id);
--   * each donation without a donation_received payment of its own (matched by donations.transaction_id = payment
--     id, or by the payment's metadata.donation_id = donation id), so the same donation is counted once;
--   * the marketplace: beat and digital-good purchases, producer service orders completed without a contract, and
--     contract milestones; bookings (a deposit when deposit_paid, the full fee once confirmed); radio ad orders of
--     venues; track tests (their payment_status); artist subscriptions without a subscription payment, and DJ
--     subscriptions; publish orders; banners (never paid in the platform's code: always pending); ticket sales.
--   Cancelled, rejected and declined deals moved no money and are not lines.
-- Columns: user_id (who paid; for donations the artist who received; NULL for ticket buyers, known only by
-- e-mail), day (Moscow date of the line's time), stream (donations | coins | subscriptions | promotion | beats |
-- digital_goods | services | bookings | radio_ads | track_tests | publishing | banners | tickets | other), detail
-- (promotion: the metadata "stream" banner | campaign | pitching; subscriptions: artist | dj; services: order |
-- milestone; else ''), currency (NULL and ₽ = RUB), status (completed | refunded | failed | pending | …; each
-- line's "paid" status is mapped to completed), payment_method, provider, amount (what the buyer paid), platform_share
-- (the platform's part of amount: its commission, the whole amount where the platform sells, 0 for donations and
-- ticket sales), third_party (a ticket vendor's commission: neither the platform's nor the artist's), source_key (the
-- KV key of the row the line comes from: a milestone's is its contract's; the rollups refresh a key's lines by it).
-- The including query filters by day; both engines push that filter into the union. "Not linked to" is written as
-- COALESCE(x NOT IN (SELECT … IS NOT NULL), TRUE), never as a correlated NOT EXISTS: PostgreSQL hashes the subquery
-- once, where the correlated form (an OR of two links, a JSON field) ran per row: 6–20 s at 1M keys (issue 21).
revenue_lines AS (
  SELECT p.user_id AS user_id,
         CAST(p.created_at AS DATE) AS day,
         CASE p.type WHEN 'donation_received' THEN 'donations' WHEN 'coin_purchase' THEN 'coins'
                     WHEN 'subscription' THEN 'subscriptions' WHEN 'promotion' THEN 'promotion'
                     WHEN 'track_test' THEN 'track_tests' ELSE 'other' END AS stream,
         CASE WHEN p.type = 'promotion' THEN COALESCE(CAST(p.metadata AS JSON) ->> 'stream', 'unknown')
              WHEN p.type = 'subscription' THEN 'artist'
              ELSE '' END AS detail,
         UPPER(COALESCE(p.currency, 'RUB')) AS currency,
         LOWER(COALESCE(p.status, 'pending')) AS status,
         COALESCE(p.payment_method, 'unknown') AS payment_method,
         COALESCE(p.provider, 'unknown') AS provider,
         CAST(COALESCE(p.amount, 0) AS DECIMAL(18, 2)) AS amount,
         CAST(CASE WHEN p.type = 'donation_received' THEN 0 ELSE COALESCE(p.amount, 0) END AS DECIMAL(18, 2))
           AS platform_share,
         CAST(0 AS DECIMAL(18, 2)) AS third_party,
         p.source_key AS source_key
  FROM payment_transactions AS p
  WHERE COALESCE(p.type, '') NOT IN ('income', 'expense', 'withdrawal', 'commission')
    AND NOT (p.type = 'track_test'
             AND (COALESCE(p.related_entity_id IN (SELECT r.id FROM track_test_requests AS r
                                                   WHERE r.id IS NOT NULL), FALSE)
                  OR COALESCE(p.id IN (SELECT r.payment_transaction_id FROM track_test_requests AS r
                                       WHERE r.payment_transaction_id IS NOT NULL), FALSE)))
  UNION ALL
  SELECT d.artist_id, CAST(d.created_at AS DATE), 'donations', '', UPPER(COALESCE(d.currency, 'RUB')),
         LOWER(COALESCE(d.status, 'pending')), COALESCE(d.payment_method, 'unknown'), 'unknown',
         CAST(COALESCE(d.amount, 0) AS DECIMAL(18, 2)), CAST(0 AS DECIMAL(18, 2)), CAST(0 AS DECIMAL(18, 2)),
         d.source_key
  FROM donations AS d
  WHERE COALESCE(d.transaction_id NOT IN (SELECT p.id FROM payment_transactions AS p
                                          WHERE p.type = 'donation_received' AND p.id IS NOT NULL), TRUE)
    AND COALESCE(d.id NOT IN (SELECT CAST(p.metadata AS JSON) ->> 'donation_id' FROM payment_transactions AS p
                              WHERE p.type = 'donation_received'
                                AND CAST(p.metadata AS JSON) ->> 'donation_id' IS NOT NULL), TRUE)
  UNION ALL
  SELECT b.buyer_id, CAST(b.created_at AS DATE), 'beats', '', 'RUB', LOWER(COALESCE(b.status, 'pending')),
         'unknown', 'unknown', CAST(COALESCE(b.price, 0) AS DECIMAL(18, 2)),
         CAST(COALESCE(b.commission, ROUND(COALESCE(b.price, 0) * 0.10, 2)) AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), b.source_key
  FROM beat_purchases AS b
  WHERE LOWER(COALESCE(b.status, '')) NOT IN ('cancelled', 'rejected', 'declined')
  UNION ALL
  SELECT g.buyer_id, CAST(g.created_at AS DATE), 'digital_goods', '', 'RUB', LOWER(COALESCE(g.status, 'pending')),
         'unknown', 'unknown', CAST(COALESCE(g.price, 0) AS DECIMAL(18, 2)),
         CAST(COALESCE(g.commission, ROUND(COALESCE(g.price, 0) * 0.10, 2)) AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), g.source_key
  FROM digital_purchases AS g
  WHERE LOWER(COALESCE(g.status, '')) NOT IN ('cancelled', 'rejected', 'declined')
  UNION ALL
  SELECT o.client_id, CAST(COALESCE(o.updated_at, o.created_at) AS DATE), 'services', 'order', 'RUB',
         LOWER(COALESCE(o.status, 'pending')), 'unknown', 'unknown', CAST(COALESCE(o.price, 0) AS DECIMAL(18, 2)),
         CAST(COALESCE(o.commission, ROUND(COALESCE(o.price, 0) * 0.10, 2)) AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), o.source_key
  FROM service_orders AS o
  WHERE LOWER(COALESCE(o.status, '')) NOT IN ('cancelled', 'rejected', 'declined')
    AND NOT EXISTS (SELECT 1 FROM contracts AS c WHERE c.order_id = o.id)
  UNION ALL
  SELECT c.client_id, CAST(COALESCE(m.paid_at, c.updated_at, c.created_at) AS DATE), 'services', 'milestone', 'RUB',
         CASE WHEN LOWER(m.status) = 'approved' THEN 'completed' ELSE LOWER(COALESCE(m.status, 'pending')) END,
         'unknown', 'unknown', CAST(COALESCE(m.amount, 0) AS DECIMAL(18, 2)),
         CAST(ROUND(COALESCE(m.amount, 0) * 0.10, 2) AS DECIMAL(18, 2)), CAST(0 AS DECIMAL(18, 2)), m.source_key
  FROM contract_milestones AS m
  JOIN contracts AS c ON c.id = m.contract_id
  UNION ALL
  SELECT k.requester_id, CAST(COALESCE(k.updated_at, k.created_at) AS DATE), 'bookings', '', 'RUB',
         CASE WHEN LOWER(k.status) IN ('confirmed', 'completed', 'deposit_paid') THEN 'completed'
              ELSE LOWER(COALESCE(k.status, 'pending')) END,
         'unknown', 'unknown',
         CAST(CASE WHEN LOWER(k.status) = 'deposit_paid'
                   THEN COALESCE(k.deposit_amount, ROUND(COALESCE(k.offered_price, 0) * 0.30, 2))
                   ELSE COALESCE(k.offered_price, 0) END AS DECIMAL(18, 2)),
         CAST(CASE WHEN LOWER(k.status) = 'deposit_paid'
                   THEN ROUND(COALESCE(k.deposit_amount, ROUND(COALESCE(k.offered_price, 0) * 0.30, 2)) * 0.10, 2)
                   ELSE COALESCE(k.platform_commission, ROUND(COALESCE(k.offered_price, 0) * 0.10, 2)) END
              AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), k.source_key
  FROM bookings AS k
  WHERE LOWER(COALESCE(k.status, '')) NOT IN ('cancelled', 'rejected', 'declined')
  UNION ALL
  SELECT v.venue_id, CAST(COALESCE(v.updated_at, v.submitted_at) AS DATE), 'radio_ads', '', 'RUB',
         LOWER(COALESCE(v.status, 'pending')), 'unknown', 'unknown', CAST(COALESCE(v.total_price, 0) AS DECIMAL(18, 2)),
         CAST(COALESCE(v.platform_fee, ROUND(COALESCE(v.total_price, 0) * 0.15, 2)) AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), v.source_key
  FROM radio_venue_requests AS v
  WHERE LOWER(COALESCE(v.status, '')) NOT IN ('cancelled', 'rejected', 'declined')
  UNION ALL
  SELECT t.user_id, CAST(t.created_at AS DATE), 'track_tests', '', 'RUB', LOWER(COALESCE(t.payment_status, 'pending')),
         'unknown', 'unknown', CAST(COALESCE(t.payment_amount, 0) AS DECIMAL(18, 2)),
         CAST(COALESCE(t.payment_amount, 0) AS DECIMAL(18, 2)), CAST(0 AS DECIMAL(18, 2)), t.source_key
  FROM track_test_requests AS t
  UNION ALL
  SELECT s.user_id, CAST(COALESCE(s.started_at, s.created_at) AS DATE), 'subscriptions', 'artist',
         CASE WHEN s.currency IS NULL OR s.currency = '₽' THEN 'RUB' ELSE UPPER(s.currency) END,
         CASE WHEN LOWER(s.status) = 'active' THEN 'completed' ELSE LOWER(COALESCE(s.status, 'pending')) END,
         COALESCE(s.payment_method, 'unknown'), 'unknown', CAST(s.price AS DECIMAL(18, 2)),
         CAST(s.price AS DECIMAL(18, 2)), CAST(0 AS DECIMAL(18, 2)), s.source_key
  FROM subscriptions AS s
  WHERE s.price > 0
    AND LOWER(COALESCE(s.status, '')) NOT IN ('cancelled', 'expired')
    AND COALESCE(s.user_id NOT IN (SELECT p.user_id FROM payment_transactions AS p
                                   WHERE p.type = 'subscription' AND p.user_id IS NOT NULL), TRUE)
  UNION ALL
  SELECT j.dj_id, CAST(COALESCE(j.start_date, j.updated_at) AS DATE), 'subscriptions', 'dj',
         CASE WHEN j.currency IS NULL OR j.currency = '₽' THEN 'RUB' ELSE UPPER(j.currency) END,
         CASE WHEN LOWER(j.status) = 'active' THEN 'completed' ELSE LOWER(COALESCE(j.status, 'pending')) END,
         'unknown', 'unknown', CAST(j.price AS DECIMAL(18, 2)), CAST(j.price AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), j.source_key
  FROM dj_subscriptions AS j
  WHERE j.price > 0 AND LOWER(COALESCE(j.status, '')) NOT IN ('cancelled', 'expired')
  UNION ALL
  SELECT u.user_id, CAST(COALESCE(u.paid_at, u.created_at) AS DATE), 'publishing', '',
         UPPER(COALESCE(u.currency, 'RUB')),
         CASE WHEN LOWER(u.status) IN ('paid', 'published') THEN 'completed' ELSE 'pending' END,
         'unknown', 'unknown', CAST(u.price AS DECIMAL(18, 2)), CAST(u.price AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), u.source_key
  FROM publish_orders AS u
  WHERE u.price > 0 AND LOWER(COALESCE(u.status, '')) NOT IN ('rejected', 'cancelled', 'draft')
  UNION ALL
  SELECT a.user_id, CAST(a.created_at AS DATE), 'banners', '', 'RUB', 'pending', 'unknown', 'unknown',
         CAST(a.budget AS DECIMAL(18, 2)), CAST(a.budget AS DECIMAL(18, 2)), CAST(0 AS DECIMAL(18, 2)), a.source_key
  FROM banner_ads AS a
  WHERE a.budget > 0 AND LOWER(COALESCE(a.status, '')) IN ('pending_payment', 'pending_moderation')
  UNION ALL
  SELECT CAST(NULL AS TEXT), CAST(e.purchased_at AS DATE), 'tickets', '', 'RUB',
         CASE WHEN LOWER(e.status) = 'confirmed' THEN 'completed' ELSE LOWER(COALESCE(e.status, 'pending')) END,
         'unknown', COALESCE(e.provider, 'unknown'), CAST(COALESCE(e.total_amount, 0) AS DECIMAL(18, 2)),
         CAST(0 AS DECIMAL(18, 2)), CAST(COALESCE(e.commission, 0) AS DECIMAL(18, 2)), e.source_key
  FROM ticket_sales AS e
  WHERE LOWER(COALESCE(e.status, '')) NOT IN ('cancelled')
)
