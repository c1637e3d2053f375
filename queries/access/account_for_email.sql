-- Returns: the account of one email (email, role, artist_id, name, disabled): one row, or none.
-- Params: :email (text) the signed-in person's email, lower-case
SELECT email, role, artist_id, name, disabled
FROM accounts
WHERE email = :email
