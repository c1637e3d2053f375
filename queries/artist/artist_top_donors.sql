-- Returns: the artist's donors by completed RUB donations on Moscow days in [start, end]: donor_name (NULL for
--          anonymous), is_anonymous (1 for the one row that aggregates every anonymous donation: is_anonymous set
--          or no donor name; else 0), donations, amount_rub, last_donation_at; largest amount first (every donor).
--          Donor emails are never selected.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: completed_rub_donations
SELECT donor_name, is_anonymous, COUNT(*) AS donations, SUM(amount) AS amount_rub,
       MAX(created_at) AS last_donation_at
FROM (
  SELECT CASE WHEN COALESCE(d.is_anonymous, FALSE) OR NULLIF(TRIM(d.donor_name), '') IS NULL THEN NULL
              ELSE TRIM(d.donor_name) END AS donor_name,
         CASE WHEN COALESCE(d.is_anonymous, FALSE) OR NULLIF(TRIM(d.donor_name), '') IS NULL THEN 1
              ELSE 0 END AS is_anonymous,
         d.amount, d.created_at
  FROM completed_rub_donations AS d
  WHERE d.artist_id = :artist_id
    AND CAST(d.created_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
) AS x
GROUP BY donor_name, is_anonymous
ORDER BY amount_rub DESC, donations DESC, is_anonymous, donor_name
