-- Fragment (not a query): the CTE "moderated_items", included with a line "-- include: moderated_items" right after
-- WITH: every row of the 12 moderated entities' tables (track tests twice: intake and result; an AI news article under the key of the pending list, where it was decided, as the log files it), whatever its status: entity, entity_id, source_key, title (the
-- entity's own title column: name for campaigns, target_name for pitching), artist_id (user_id). A row is
-- identified by (entity, source_key, entity_id).
moderated_items AS (
  SELECT 'tracks' AS entity, id AS entity_id, source_key, title, user_id AS artist_id FROM tracks
  UNION ALL SELECT 'videos', id, source_key, title, user_id FROM videos
  UNION ALL SELECT 'concerts', id, source_key, title, user_id FROM concerts
  UNION ALL SELECT 'news', id, source_key, title, user_id FROM news
  UNION ALL SELECT 'banner_ads', id, source_key, title, user_id FROM banner_ads
  UNION ALL SELECT 'promotion_campaigns', id, source_key, name, user_id FROM promotion_campaigns
  UNION ALL SELECT 'pitching_submissions', id, source_key, target_name, user_id FROM pitching_submissions
  UNION ALL SELECT 'track_test_intake', id, source_key, track_title, user_id FROM track_test_requests
  UNION ALL SELECT 'track_test_result', id, source_key, track_title, user_id FROM track_test_requests
  UNION ALL SELECT 'publish_orders', id, source_key, title, user_id FROM publish_orders
  UNION ALL SELECT 'content_orders', id, source_key, COALESCE(title, description), venue_id FROM content_orders
  UNION ALL SELECT 'ai_news', id, 'news:articles:pending', title, CAST(NULL AS TEXT) FROM news_articles
)
