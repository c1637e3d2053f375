-- Returns: one row per key of :keys that is in kv_store: key and value (its JSON as text). A key lookup: the key
--          index answers it on both engines (DuckDB's ART index kv_store_key, PostgreSQL's primary key), so it
--          never reads the whole value column. The data health checks fetch the current values of the keys they
--          found with it (for the fix proposals). Keys not in the store give no row.
-- Params: :keys (list of text) the keys to look up; an empty list gives no rows
SELECT s.key,
       CAST(s.value AS TEXT) AS value
FROM kv_store AS s
WHERE s.key IN :keys
ORDER BY s.key
