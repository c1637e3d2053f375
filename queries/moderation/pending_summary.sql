-- Returns: the moderation queue in aggregate, one row per entity and age band that has items: entity, age_band
--          (lt24, 24to72, gt72: queries/shared/banded_pending.sql), items, oldest (the earliest created_at). The queue's KPIs
--          (pending, oldest, by type) without loading the items.
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params); :red_before, :amber_before (timestamptz) now minus 72 h
--         and minus 24 h
WITH
-- include: pending
,
-- include: banded_pending
SELECT entity, age_band, COUNT(*) AS items, MIN(created_at) AS oldest
FROM banded_pending
GROUP BY entity, age_band
ORDER BY entity, age_band
