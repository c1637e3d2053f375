-- Returns: the moderation queue in aggregate, one row per entity and age band that has items: entity, age_band
--          (lt24, 24to72, gt72, as in pending_page), items, oldest (the earliest created_at). The queue's KPIs
--          (pending, oldest, by type) without loading the items.
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params); :red_before, :amber_before (timestamptz) now minus 72 h
--         and minus 24 h
WITH
-- include: pending
SELECT entity, age_band, COUNT(*) AS items, MIN(created_at) AS oldest
FROM (SELECT entity, created_at,
             CASE WHEN created_at < CAST(:red_before AS TIMESTAMPTZ) THEN 'gt72'
                  WHEN created_at < CAST(:amber_before AS TIMESTAMPTZ) THEN '24to72' ELSE 'lt24' END AS age_band
      FROM pending) AS q
GROUP BY entity, age_band
ORDER BY entity, age_band
