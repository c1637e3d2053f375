-- Returns: one row per service order placed with the artist as the producer (service_orders.producer_id), newest
--          first: order_id, service_title, service_type, client_name, urgency, price (what the client pays),
--          commission (the platform's 10 %), producer_payout, status (pending → accepted | rejected → in_progress →
--          revision | completed), progress (0-100), deadline, created_at, has_contract (the order is paid in
--          milestones: a contract exists for it).
-- Params: :artist_id (text) the artist
SELECT o.id AS order_id, o.service_title, o.service_type, o.client_name, o.urgency, o.price, o.commission,
       o.producer_payout, o.status, o.progress, o.deadline, o.created_at,
       EXISTS (SELECT 1 FROM contracts AS c WHERE c.order_id = o.id) AS has_contract
FROM service_orders AS o
WHERE o.producer_id = :artist_id
ORDER BY o.created_at DESC, o.id
