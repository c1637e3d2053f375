-- Returns: every item waiting for moderation, across the moderated entities, oldest first: entity, entity_id,
--          source_key, status, title, description, artist_id, artist_name, created_at, and the media the preview
--          shows (image_url, audio_url, video_url, link_url); is_promoted for concerts and news.
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params)
WITH
-- include: pending
SELECT q.entity, q.entity_id, q.source_key, q.status, q.title, q.description, q.artist_id, p.name AS artist_name,
       q.created_at, q.image_url, q.audio_url, q.video_url, q.link_url, q.is_promoted
FROM pending AS q
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS p ON p.id = q.artist_id
ORDER BY q.created_at NULLS FIRST, q.entity, q.entity_id
