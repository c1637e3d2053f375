-- Returns: one row per item of the artist waiting for a decision (the moderation queue's definition of pending,
--          queries/shared/pending.sql): kind (track, video, concert, news, banner, campaign, pitching), title and
--          created_at, oldest first.
-- Params: :artist_id (text) the artist; :pending_tracks, :pending_videos, :pending_concerts, :pending_news,
--         :pending_banner_ads, :pending_promotion_campaigns, :pending_pitching_submissions (text) the pending
--         statuses of the store's layout (dashboard.moderation.config.pending_params)
WITH
-- include: pending
SELECT kind, title, created_at FROM pending
WHERE artist_id = :artist_id
ORDER BY created_at, kind, title
