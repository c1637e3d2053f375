-- Returns: the donations to an artist made in [start, end) (timestamps; the evidence of a donation burst):
--          id, created_at, amount, currency, donor (name, else e-mail; NULL for anonymous); oldest first.
-- Params: :artist_id (text) the artist; :start, :end (timestamp with time zone) the window, end excluded
SELECT id, created_at, amount, currency, COALESCE(donor_name, donor_email) AS donor
FROM donations
WHERE artist_id = :artist_id AND created_at >= :start AND created_at < :end
ORDER BY created_at, id
