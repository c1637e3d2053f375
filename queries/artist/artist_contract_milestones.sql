-- Returns: one row per milestone of the artist's contracts as the producer (contract_milestones of contracts whose
--          producer_id is the artist): contract_id, service_title, position (from 0), title, amount, status (pending →
--          in_progress → submitted → approved | revision; approved means the client paid it), due_date, paid_at.
--          By contract (newest first), then position.
-- Params: :artist_id (text) the artist
SELECT m.contract_id, c.service_title, m.position, m.title, m.amount, m.status, m.due_date, m.paid_at
FROM contract_milestones AS m
JOIN contracts AS c ON c.id = m.contract_id AND c.producer_id = :artist_id
ORDER BY c.created_at DESC, m.contract_id, m.position, m.id
