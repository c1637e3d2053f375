-- Returns: one row: decisions_today (approvals and rejections logged on :today, Moscow day), approvals_7d and
--          rejections_7d (decisions in the 7 Moscow days ending :today), median_hours_7d (median hours from an
--          item's created_at to its decision, over those 7 days; NULL when none).
-- Params: :today (date) the Moscow day counted as today
WITH d AS (
  SELECT l.action, l."at", CAST(l."at" AS DATE) AS day, e.created_at
  FROM moderation_log AS l
  LEFT JOIN (
    SELECT 'tracks' AS entity, source_key, id, created_at FROM tracks
    UNION ALL SELECT 'videos', source_key, id, created_at FROM videos
    UNION ALL SELECT 'concerts', source_key, id, created_at FROM concerts
    UNION ALL SELECT 'news', source_key, id, created_at FROM news
    UNION ALL SELECT 'banner_ads', source_key, id, created_at FROM banner_ads
    UNION ALL SELECT 'promotion_campaigns', source_key, id, created_at FROM promotion_campaigns
    UNION ALL SELECT 'pitching_submissions', source_key, id, created_at FROM pitching_submissions
  ) AS e ON e.entity = l.entity AND e.source_key = l.source_key AND e.id = l.entity_id
  WHERE l.action IN ('approve', 'reject')
    AND CAST(l."at" AS DATE) BETWEEN CAST(:today AS DATE) - 6 AND CAST(:today AS DATE)
)
SELECT
  COALESCE(SUM(CASE WHEN day = CAST(:today AS DATE) THEN 1 ELSE 0 END), 0) AS decisions_today,
  COALESCE(SUM(CASE WHEN action = 'approve' THEN 1 ELSE 0 END), 0) AS approvals_7d,
  COALESCE(SUM(CASE WHEN action = 'reject' THEN 1 ELSE 0 END), 0) AS rejections_7d,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM ("at" - created_at)) / 3600.0) AS median_hours_7d
FROM d
