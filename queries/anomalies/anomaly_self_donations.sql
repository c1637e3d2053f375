-- Returns: the self_donation flags: one row per donation whose donor is the artist it was given to: the donor's
--          user id is the artist's id, or the donor's e-mail is the artist's account e-mail (case and spaces
--          ignored), or the donor's name is the artist's profile name (case and outer spaces ignored) and has two
--          words or more (a lone first name such as "Алексей" is shared by too many people to prove anything):
--          donation_id, artist_id, created_at, amount, currency, status, matched_by ('user_id', 'email' or 'name'),
--          donor_label (the donor's name or e-mail).
-- Params: none
SELECT d.id AS donation_id, d.artist_id, d.created_at, d.amount, d.currency, d.status,
       CASE WHEN d.donor_user_id = d.artist_id THEN 'user_id'
            WHEN LOWER(TRIM(d.donor_email)) = u.email THEN 'email'
            ELSE 'name' END AS matched_by,
       COALESCE(d.donor_name, d.donor_email) AS donor_label
FROM donations d
LEFT JOIN (SELECT id, MIN(LOWER(TRIM(email))) AS email FROM users GROUP BY id) u ON u.id = d.artist_id
LEFT JOIN (SELECT id, MIN(LOWER(TRIM(name))) AS name FROM profiles GROUP BY id) p ON p.id = d.artist_id
WHERE d.artist_id IS NOT NULL
  AND (d.donor_user_id = d.artist_id
       OR (d.donor_email IS NOT NULL AND LOWER(TRIM(d.donor_email)) = u.email)
       OR (POSITION(' ' IN TRIM(d.donor_name)) > 0 AND LOWER(TRIM(d.donor_name)) = p.name))
ORDER BY d.created_at DESC, d.id
