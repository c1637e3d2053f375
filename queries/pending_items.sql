-- Returns: every item waiting for moderation, across the 7 moderated entities, oldest first: entity, entity_id,
--          source_key, status, title, description, artist_id, artist_name, created_at, and the media the preview
--          shows (image_url, audio_url, video_url, link_url); is_promoted for concerts and news.
-- Params: :pending_tracks, :pending_videos, :pending_concerts, :pending_news, :pending_banner_ads,
--         :pending_promotion_campaigns, :pending_pitching_submissions (text) the entity's pending statuses as
--         ',status1,status2,' (from dashboard.moderation.pending_params for the store's layout)
WITH q AS (
  SELECT 'tracks' AS entity, id AS entity_id, source_key, status, title, genre AS description, user_id AS artist_id,
         created_at, cover_url AS image_url, audio_url, CAST(NULL AS TEXT) AS video_url,
         CAST(NULL AS TEXT) AS link_url, CAST(NULL AS BOOLEAN) AS is_promoted
  FROM tracks WHERE POSITION(',' || status || ',' IN CAST(:pending_tracks AS TEXT)) > 0
  UNION ALL
  SELECT 'videos', id, source_key, status, title, description, user_id, created_at, thumbnail_url, NULL, video_url,
         NULL, NULL
  FROM videos WHERE POSITION(',' || status || ',' IN CAST(:pending_videos AS TEXT)) > 0
  UNION ALL
  SELECT 'concerts', id, source_key, status, title, description, user_id, created_at, banner_url, NULL, NULL,
         ticket_link, is_promoted
  FROM concerts WHERE POSITION(',' || status || ',' IN CAST(:pending_concerts AS TEXT)) > 0
  UNION ALL
  SELECT 'news', id, source_key, status, title, COALESCE(preview, content), user_id, created_at, cover_image, NULL,
         NULL, NULL, is_promoted
  FROM news WHERE POSITION(',' || status || ',' IN CAST(:pending_news AS TEXT)) > 0
  UNION ALL
  SELECT 'banner_ads', id, source_key, status, title, description, user_id, created_at, image_url, NULL, NULL,
         target_url, NULL
  FROM banner_ads WHERE POSITION(',' || status || ',' IN CAST(:pending_banner_ads AS TEXT)) > 0
  UNION ALL
  SELECT 'promotion_campaigns', id, source_key, status, name, COALESCE(type, '') || ' → ' ||
         COALESCE(target_entity_type, '') || ' ' || COALESCE(target_entity_id, ''), user_id, created_at, NULL, NULL,
         NULL, NULL, NULL
  FROM promotion_campaigns WHERE POSITION(',' || status || ',' IN CAST(:pending_promotion_campaigns AS TEXT)) > 0
  UNION ALL
  SELECT 'pitching_submissions', id, source_key, status, target_name, message, user_id, created_at, NULL, NULL, NULL,
         NULL, NULL
  FROM pitching_submissions
  WHERE POSITION(',' || status || ',' IN CAST(:pending_pitching_submissions AS TEXT)) > 0
)
SELECT q.entity, q.entity_id, q.source_key, q.status, q.title, q.description, q.artist_id, p.name AS artist_name,
       q.created_at, q.image_url, q.audio_url, q.video_url, q.link_url, q.is_promoted
FROM q
LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS p ON p.id = q.artist_id
ORDER BY q.created_at NULLS FIRST, q.entity, q.entity_id
