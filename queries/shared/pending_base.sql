-- Fragment (not a query): the CTE "pending_base", the one definition of "waiting for a decision" over the entity
-- tables: every item of the 12 moderated entities whose status is one of its entity's pending statuses for the
-- store's layout (dashboard/moderated_entities.json, :pending_statuses =
-- ',tracks:pending,banner_ads:pending_moderation,…,' from dashboard.moderation.config.pending_params). Pages do not
-- read it: dashboard/rollups.py builds the table pending_rollup from it (with every ingest and sync, and for the
-- changed rows after a decision or a sync batch), and queries/shared/pending.sql reads that. Columns: entity, kind (the artist pages' word for it), entity_id,
-- source_key, status, title, description, artist_id, created_at, image_url, audio_url, video_url, link_url,
-- is_promoted (concerts and news). A new moderated entity is one more branch here.
pending_base AS (
  SELECT 'tracks' AS entity, 'track' AS kind, id AS entity_id, source_key, status, title, genre AS description,
         user_id AS artist_id, created_at, cover_url AS image_url, audio_url, CAST(NULL AS TEXT) AS video_url,
         CAST(NULL AS TEXT) AS link_url, CAST(NULL AS BOOLEAN) AS is_promoted
  FROM tracks WHERE POSITION(',tracks:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'videos', 'video', id, source_key, status, title, description, user_id, created_at, thumbnail_url, NULL,
         video_url, NULL, NULL
  FROM videos WHERE POSITION(',videos:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'concerts', 'concert', id, source_key, status, title, description, user_id, created_at, banner_url, NULL,
         NULL, ticket_link, is_promoted
  FROM concerts WHERE POSITION(',concerts:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'news', 'news', id, source_key, status, title, COALESCE(preview, content), user_id, created_at,
         cover_image, NULL, NULL, NULL, is_promoted
  FROM news WHERE POSITION(',news:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'banner_ads', 'banner', id, source_key, status, title, description, user_id, created_at, image_url, NULL,
         NULL, target_url, NULL
  FROM banner_ads WHERE POSITION(',banner_ads:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'promotion_campaigns', 'campaign', id, source_key, status, name, COALESCE(type, '') || ' → ' ||
         COALESCE(target_entity_type, '') || ' ' || COALESCE(target_entity_id, ''), user_id, created_at, NULL,
         NULL, NULL, NULL, NULL
  FROM promotion_campaigns WHERE POSITION(',promotion_campaigns:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'pitching_submissions', 'pitching', id, source_key, status, target_name, message, user_id, created_at,
         NULL, NULL, NULL, NULL, NULL
  FROM pitching_submissions
  WHERE POSITION(',pitching_submissions:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'track_test_intake', 'track_test', id, source_key, status, track_title,
         COALESCE(artist_name, guest_name, '') || ' · ' || COALESCE(genre, ''), user_id, created_at, NULL, NULL,
         NULL, NULL, NULL
  FROM track_test_requests
  WHERE POSITION(',track_test_intake:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'track_test_result', 'track_test_result', id, source_key, status, track_title,
         COALESCE(consolidated_feedback, COALESCE(artist_name, guest_name, '') || ' · ' || COALESCE(genre, '')),
         user_id, created_at, NULL, NULL, NULL, NULL, NULL
  FROM track_test_requests
  WHERE POSITION(',track_test_result:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'publish_orders', 'publish_order', id, source_key, status, title,
         COALESCE(type, '') || ' · ' || COALESCE(plan, ''), user_id, created_at, NULL, NULL, NULL, NULL, NULL
  FROM publish_orders
  WHERE POSITION(',publish_orders:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'content_orders', 'content_order', id, source_key, status, COALESCE(title, description), type, venue_id,
         created_at, NULL, NULL, NULL, NULL, NULL
  FROM content_orders
  WHERE POSITION(',content_orders:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
  UNION ALL
  SELECT 'ai_news', 'ai_news', id, source_key, status, title, COALESCE(excerpt, content), CAST(NULL AS TEXT),
         processed_at, cover_image, NULL, NULL, NULL, NULL
  FROM news_articles WHERE POSITION(',ai_news:' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
)
