-- Returns: one row per item of the artist waiting for a decision (the moderation queue's definition of pending,
--          queries/shared/pending.sql): kind (track, video, concert, news, banner, campaign, pitching), title and
--          created_at, oldest first.
-- Params: :artist_id (text) the artist; :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params)
WITH
-- include: pending
SELECT kind, title, created_at FROM pending
WHERE artist_id = :artist_id
ORDER BY created_at, kind, title
