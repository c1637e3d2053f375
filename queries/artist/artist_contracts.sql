-- Returns: one row per contract of the artist as the producer (contracts.producer_id): contract_id, order_id,
--          service_title, client_name, total_amount (the whole contract), paid_amount (approved milestones so far),
--          status (active → completed), created_at. Newest first.
-- Params: :artist_id (text) the artist
SELECT c.id AS contract_id, c.order_id, c.service_title, c.client_name, c.total_amount, c.paid_amount, c.status,
       c.created_at
FROM contracts AS c
WHERE c.producer_id = :artist_id
ORDER BY c.created_at DESC, c.id
