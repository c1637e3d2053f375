-- Returns: one row per account (email, role, artist_id, name, disabled), ordered by email.
-- Params: none
SELECT email, role, artist_id, name, disabled
FROM accounts
ORDER BY email
