-- Returns: one row per key of :keys that the platform stored as a JSON string holding JSON (kv_double_encoded):
--          key. The data health checks look up their found keys with it, for the fix proposals (a fix is written
--          back double-encoded where the platform wrote so).
-- Params: :keys (list of text) the keys to look up; an empty list gives no rows
SELECT d.key
FROM kv_double_encoded AS d
WHERE d.key IN :keys
ORDER BY d.key
