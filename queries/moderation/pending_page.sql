-- Returns: one page of the moderation queue, oldest first (no creation time last): the columns of pending_items
--          plus age_band (lt24, 24to72, gt72: queries/shared/banded_pending.sql) and
--          matching (how many items pass the filters, on every row). Filters, each off when empty: :types
--          (',tracks,videos,'), :bands (',gt72,'), :artist_filter (the artist's id, or part of their name,
--          case-insensitive), :search (part of the title, description, id or artist name, case-insensitive).
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params); :types, :bands, :artist_filter, :search (text) the filters;
--         :red_before, :amber_before (timestamptz) now minus 72 h and minus 24 h; :limit, :offset (integer) the page
WITH
-- include: pending
,
-- include: banded_pending
, banded AS (
  SELECT q.*, p.name AS artist_name
  FROM banded_pending AS q
  LEFT JOIN (SELECT id, MAX(name) AS name FROM profiles GROUP BY id) AS p ON p.id = q.artist_id
), matched AS (
  SELECT * FROM banded
  WHERE (CAST(:types AS TEXT) = '' OR POSITION(',' || entity || ',' IN CAST(:types AS TEXT)) > 0)
    AND (CAST(:bands AS TEXT) = '' OR POSITION(',' || age_band || ',' IN CAST(:bands AS TEXT)) > 0)
    AND (CAST(:artist_filter AS TEXT) = '' OR artist_id = CAST(:artist_filter AS TEXT)
         OR POSITION(LOWER(CAST(:artist_filter AS TEXT)) IN LOWER(COALESCE(artist_name, ''))) > 0)
    AND (CAST(:search AS TEXT) = ''
         OR POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(COALESCE(title, '') || CHR(10) || COALESCE(description, '')
                     || CHR(10) || COALESCE(entity_id, '') || CHR(10) || COALESCE(artist_name, ''))) > 0)
)
SELECT entity, entity_id, source_key, status, title, description, artist_id, artist_name, created_at, image_url,
       audio_url, video_url, link_url, is_promoted, age_band, COUNT(*) OVER () AS matching
FROM matched
ORDER BY CASE WHEN created_at IS NULL THEN 1 ELSE 0 END, created_at, entity, entity_id
LIMIT CAST(:limit AS INTEGER) OFFSET CAST(:offset AS INTEGER)
