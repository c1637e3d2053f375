-- Returns: the artist's donations (any status, any currency) on Moscow days in [start, end], newest first, at most
--          500: donation_id, created_at, donor_name (NULL when anonymous: is_anonymous set or no name),
--          is_anonymous (1/0), amount, currency, status, message. Donor emails are never selected.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
SELECT d.id AS donation_id, d.created_at,
       CASE WHEN COALESCE(d.is_anonymous, FALSE) OR NULLIF(TRIM(d.donor_name), '') IS NULL THEN NULL
            ELSE TRIM(d.donor_name) END AS donor_name,
       CASE WHEN COALESCE(d.is_anonymous, FALSE) OR NULLIF(TRIM(d.donor_name), '') IS NULL THEN 1
            ELSE 0 END AS is_anonymous,
       d.amount, COALESCE(d.currency, 'RUB') AS currency, d.status, d.message
FROM donations AS d
WHERE d.artist_id = :artist_id
  AND CAST(d.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
ORDER BY d.created_at DESC, d.id
LIMIT 500
