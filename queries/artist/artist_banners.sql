-- Returns: one row per banner ad of the artist (any status, all time): banner_id, title, placement, status, the last
--          moderation decision (moderated_at, reason), budget, spent, impressions, clicks, start_date, end_date,
--          created_at. Newest first.
-- Params: :artist_id (text) the artist
SELECT b.id AS banner_id, b.title, b.placement, b.status, b.moderated_at, b.reason,
       COALESCE(b.budget, 0) AS budget, COALESCE(b.spent, 0) AS spent,
       COALESCE(b.impressions, 0) AS impressions, COALESCE(b.clicks, 0) AS clicks,
       b.start_date, b.end_date, b.created_at
FROM banner_ads AS b
WHERE b.user_id = :artist_id
ORDER BY b.created_at DESC, b.id
