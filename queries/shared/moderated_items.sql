-- Fragment (not a query): the CTE "moderated_items", included with a line "-- include: moderated_items" right after
-- WITH: every row of the 12 moderated entities' tables (track tests twice: intake and result; an AI news article under the key of the pending list, where it was decided, as the log files it), whatever its status: entity, entity_id, source_key, title (the
-- entity's own title column: name for campaigns, target_name for pitching), artist_id (user_id), status, created_at
-- (an AI article: processed_at), and the last decision on it (moderated_at, moderator, reason: the dashboard's, else
-- the platform's own rejection reason or comment where the table keeps one). A row is identified by (entity,
-- source_key, entity_id).
moderated_items AS (
  SELECT 'tracks' AS entity, id AS entity_id, source_key, title, user_id AS artist_id, status, created_at,
         moderated_at, moderator, reason FROM tracks
  UNION ALL SELECT 'videos', id, source_key, title, user_id, status, created_at, moderated_at, moderator, reason
  FROM videos
  UNION ALL SELECT 'concerts', id, source_key, title, user_id, status, created_at, moderated_at, moderator, reason
  FROM concerts
  UNION ALL SELECT 'news', id, source_key, title, user_id, status, created_at, moderated_at, moderator, reason FROM news
  UNION ALL SELECT 'banner_ads', id, source_key, title, user_id, status, created_at, moderated_at, moderator, reason
  FROM banner_ads
  UNION ALL SELECT 'promotion_campaigns', id, source_key, name, user_id, status, created_at, moderated_at, moderator,
         reason FROM promotion_campaigns
  UNION ALL SELECT 'pitching_submissions', id, source_key, target_name, user_id, status, created_at, moderated_at,
         moderator, reason FROM pitching_submissions
  UNION ALL SELECT 'track_test_intake', id, source_key, track_title, user_id, status, created_at, moderated_at,
         moderator, COALESCE(reason, rejection_reason) FROM track_test_requests
  UNION ALL SELECT 'track_test_result', id, source_key, track_title, user_id, status, created_at, moderated_at,
         moderator, COALESCE(reason, rejection_reason) FROM track_test_requests
  UNION ALL SELECT 'publish_orders', id, source_key, title, user_id, status, created_at, moderated_at, moderator,
         COALESCE(reason, moderator_comment) FROM publish_orders
  UNION ALL SELECT 'content_orders', id, source_key, COALESCE(title, description), venue_id, status, created_at,
         moderated_at, moderator, reason FROM content_orders
  UNION ALL SELECT 'ai_news', id, 'news:articles:pending', title, CAST(NULL AS TEXT), status, processed_at,
         moderated_at, moderator, reason FROM news_articles
)
