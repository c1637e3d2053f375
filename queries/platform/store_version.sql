-- Returns: one row that changes whenever the store's content does, for the app's query cache (replicas on one
--          PostgreSQL see each other's writes): the latest ingest run (id, finished_at), the audit log's size and
--          latest action, the accounts' count and latest change, the last incremental sync batch (sync_feed).
-- Params: none
SELECT (SELECT MAX(finished_at) FROM ingest_runs) AS ingested_at,
       (SELECT COUNT(*) FROM ingest_runs) AS ingest_runs,
       (SELECT COUNT(*) FROM moderation_log) AS decisions,
       (SELECT MAX("at") FROM moderation_log) AS decided_at,
       (SELECT COUNT(*) FROM accounts) AS accounts,
       (SELECT MAX(updated_at) FROM accounts) AS accounts_changed_at,
       (SELECT MAX(applied_at) FROM sync_feed) AS fed_at
