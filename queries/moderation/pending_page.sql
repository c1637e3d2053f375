-- Returns: one page of the moderation queue, oldest first (no creation time last): the columns of pending_items
--          plus age_band (lt24, 24to72, gt72: queries/shared/banded_pending.sql) and
--          matching (how many items pass the filters, on every row). Filters, each off when empty: :types
--          (',tracks,videos,'), :bands (',gt72,'), :artist_filter (the artist's id, or part of their name,
--          case-insensitive), :search (part of the title, description, id or artist name, case-insensitive).
--          The artist's name (profiles) is looked up for the page's rows; a name filter matches the artists whose
--          name has it (a search never spans two fields: the UI's search has no line break); the page is read in the order of the rollup's (created_at, entity, entity_id) index on
--          PostgreSQL, and counted apart (a window count over every pending item made PostgreSQL sort all of them,
--          1.6 s at 10M keys). The page's 150 rows are cut first and only they get their artist's name; a name
--          filter that is empty reads no profile (DuckDB built a hash table of every named profile per filter, and
--          looked up a name for every pending item before the cut: 50-60 → 30-43 ms, CPU 75-80 → 22-33 ms on the
--          deployed 1M demo).
-- Params: :pending_statuses (text) every entity's pending statuses for the store's layout as ',entity:status,…,'
--         (dashboard.moderation.config.pending_params); :types, :bands, :artist_filter, :search (text) the filters;
--         :red_before, :amber_before (timestamptz) now minus 72 h and minus 24 h; :limit, :offset (integer) the page
WITH
-- include: pending
,
-- include: banded_pending
, named AS NOT MATERIALIZED (  -- the artist name a filter looks for: the profile's (as shown in the page's rows)
  SELECT id, MAX(name) AS name FROM profiles WHERE name IS NOT NULL GROUP BY id
), matched AS NOT MATERIALIZED (
  SELECT q.* FROM banded_pending AS q
  WHERE (CAST(:types AS TEXT) = '' OR POSITION(',' || q.entity || ',' IN CAST(:types AS TEXT)) > 0)
    AND (CAST(:bands AS TEXT) = '' OR POSITION(',' || q.age_band || ',' IN CAST(:bands AS TEXT)) > 0)
    AND (CAST(:artist_filter AS TEXT) = '' OR q.artist_id = CAST(:artist_filter AS TEXT)
         OR q.artist_id IN (SELECT n.id FROM named AS n
                            WHERE CAST(:artist_filter AS TEXT) <> ''
                              AND POSITION(LOWER(CAST(:artist_filter AS TEXT)) IN LOWER(n.name)) > 0))
    AND (CAST(:search AS TEXT) = ''
         OR POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(COALESCE(q.title, '') || CHR(10)
                     || COALESCE(q.description, '') || CHR(10) || COALESCE(q.entity_id, ''))) > 0
         OR q.artist_id IN (SELECT n.id FROM named AS n
                            WHERE CAST(:search AS TEXT) <> ''
                              AND POSITION(LOWER(CAST(:search AS TEXT)) IN LOWER(n.name)) > 0))
), page AS (
  SELECT m.* FROM matched AS m
  ORDER BY m.created_at NULLS LAST, m.entity, m.entity_id
  LIMIT CAST(:limit AS INTEGER) OFFSET CAST(:offset AS INTEGER)
)
SELECT p.entity, p.entity_id, p.source_key, p.status, p.title, p.description, p.artist_id,
       (SELECT MAX(pr.name) FROM profiles AS pr WHERE pr.id = p.artist_id) AS artist_name, p.created_at, p.image_url,
       p.audio_url, p.video_url, p.link_url, p.is_promoted, p.age_band,
       (SELECT COUNT(*) FROM matched) AS matching
FROM page AS p
ORDER BY p.created_at NULLS LAST, p.entity, p.entity_id
