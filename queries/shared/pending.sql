-- Fragment (not a query): the CTE "pending", included by queries with a line "-- include: pending" right after
-- WITH: every item waiting for a decision, read from the rollup pending_rollup (dashboard/rollups.py), which holds
-- the rows of queries/shared/pending_base.sql (the definition over the entity tables) and is kept in step by every
-- decision, undo, ingest and sync. Filtered again by :pending_statuses (the store's layout, as bound by
-- dashboard.moderation.config.pending_params), so the queue never shows an item the layout does not call pending.
-- Columns: entity, kind (the artist pages' word for it), entity_id, source_key, status, title, description,
-- artist_id, created_at, image_url, audio_url, video_url, link_url, is_promoted (concerts and news).
-- NOT MATERIALIZED (here and in banded_pending): a query that reads it twice (a page and its count) scans the rollup
-- twice, each time for the columns it needs, instead of copying every column of every pending item first.
pending AS NOT MATERIALIZED (
  SELECT entity, kind, entity_id, source_key, status, title, description, artist_id, created_at, image_url,
         audio_url, video_url, link_url, is_promoted
  FROM pending_rollup
  WHERE POSITION(',' || entity || ':' || status || ',' IN CAST(:pending_statuses AS TEXT)) > 0
)
