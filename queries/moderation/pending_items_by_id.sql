-- Returns: the queue's items (the columns of pending_items) whose entity_id is one of :ids, still waiting for a
--          decision: the selected items that are not on the page shown (their status, preview and name).
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params); :ids (text) the ids, each followed by a newline, after
--         a leading newline
WITH
-- include: pending
SELECT q.entity, q.entity_id, q.source_key, q.status, q.title, q.description, q.artist_id, p.name AS artist_name,
       q.created_at, q.image_url, q.audio_url, q.video_url, q.link_url, q.is_promoted
FROM pending AS q
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS p ON p.id = q.artist_id
WHERE POSITION(CHR(10) || q.entity_id || CHR(10) IN CAST(:ids AS TEXT)) > 0
ORDER BY q.created_at, q.entity, q.entity_id
