-- Returns: the artist's coin balance record (at most one row): balance, lifetime_earned, lifetime_spent, updated_at.
-- Params: :artist_id (text) the artist
SELECT b.balance, b.lifetime_earned, b.lifetime_spent, b.updated_at
FROM coins_balance AS b
WHERE b.user_id = :artist_id
ORDER BY b.updated_at DESC
LIMIT 1
