-- Returns: the self_donation flags: one row per donation whose donor is the artist it was given to: the donor's
--          user id is the artist's id, or the donor's e-mail is the artist's account e-mail (case and spaces
--          ignored), or the donor's name is the artist's profile name: donation_id, artist_id, created_at, amount,
--          currency, status, matched_by ('user_id', 'email' or 'name'), donor_label (the donor's name or e-mail).
-- Params: none
SELECT d.id AS donation_id, d.artist_id, d.created_at, d.amount, d.currency, d.status,
       CASE WHEN d.donor_user_id = d.artist_id THEN 'user_id'
            WHEN EXISTS (SELECT 1 FROM users u WHERE u.id = d.artist_id
                           AND LOWER(TRIM(u.email)) = LOWER(TRIM(d.donor_email))) THEN 'email'
            ELSE 'name' END AS matched_by,
       COALESCE(d.donor_name, d.donor_email) AS donor_label
FROM donations d
WHERE d.artist_id IS NOT NULL
  AND (d.donor_user_id = d.artist_id
       OR (d.donor_email IS NOT NULL
           AND EXISTS (SELECT 1 FROM users u WHERE u.id = d.artist_id
                         AND LOWER(TRIM(u.email)) = LOWER(TRIM(d.donor_email))))
       OR (d.donor_name IS NOT NULL AND TRIM(d.donor_name) <> ''
           AND EXISTS (SELECT 1 FROM profiles p WHERE p.id = d.artist_id
                         AND LOWER(TRIM(p.name)) = LOWER(TRIM(d.donor_name)))))
ORDER BY d.created_at DESC, d.id
