-- Returns: one page of the moderation queue, oldest first (no creation time last): the columns of pending_items
--          plus age_band (lt24, 24to72, gt72: queries/shared/banded_pending.sql) and
--          matching (how many items pass the filters, on every row). Filters, each off when empty: :types
--          (',tracks,videos,'), :bands (',gt72,'), :artist_filter (the artist's id, or part of their name,
--          case-insensitive), :search (part of the title, description, id or artist name, case-insensitive).
--          The artist's name (profiles) is looked up for the page's rows; a name filter matches the artists whose
--          name has it (a search never spans two fields: the UI's search has no line break); the page is read in the order of the rollup's (created_at, entity, entity_id) index on
--          PostgreSQL, and counted apart (a window count over every pending item made PostgreSQL sort all of them,
--          1.6 s at 10M keys).
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params); :types, :bands, :artist_filter, :search (text) the filters;
--         :red_before, :amber_before (timestamptz) now minus 72 h and minus 24 h; :limit, :offset (integer) the page
WITH
-- include: pending
,
-- include: banded_pending
, named AS (  -- the artist name a filter looks for: the profile's (as shown in the page's rows)
  SELECT id, MAX(name) AS name FROM profiles WHERE name IS NOT NULL GROUP BY id
), matched AS NOT MATERIALIZED (
  SELECT q.* FROM banded_pending AS q
  WHERE (CAST(:types AS TEXT) = '' OR POSITION(',' || q.entity || ',' IN CAST(:types AS TEXT)) > 0)
    AND (CAST(:bands AS TEXT) = '' OR POSITION(',' || q.age_band || ',' IN CAST(:bands AS TEXT)) > 0)
    AND (CAST(:artist_filter AS TEXT) = '' OR q.artist_id = CAST(:artist_filter AS TEXT)
         OR q.artist_id IN (SELECT n.id FROM named AS n
                            WHERE POSITION(LOWER(CAST(:artist_filter AS TEXT)) IN LOWER(n.name)) > 0))
    AND (CAST(:search AS TEXT) = ''
         OR POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(COALESCE(q.title, '') || CHR(10)
                     || COALESCE(q.description, '') || CHR(10) || COALESCE(q.entity_id, ''))) > 0
         OR q.artist_id IN (SELECT n.id FROM named AS n
                            WHERE POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(n.name)) > 0))
)
SELECT m.entity, m.entity_id, m.source_key, m.status, m.title, m.description, m.artist_id,
       (SELECT MAX(p.name) FROM profiles AS p WHERE p.id = m.artist_id) AS artist_name, m.created_at, m.image_url,
       m.audio_url, m.video_url, m.link_url, m.is_promoted, m.age_band,
       (SELECT COUNT(*) FROM matched) AS matching
FROM matched AS m
ORDER BY m.created_at NULLS LAST, m.entity, m.entity_id
LIMIT CAST(:limit AS INTEGER) OFFSET CAST(:offset AS INTEGER)
