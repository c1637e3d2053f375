-- Returns: the donation_burst flags: one row per run of donations to one artist where each follows the one before
--          within :gap_minutes, with at least :min_donations donations from at most :max_donors donors: artist_id,
--          started_at, ended_at, donations, donors, amount (sum, in the donations' currency), currency (the run's
--          first), donation_ids (comma-separated, in time order), donor_label (the most frequent donor's name or
--          e-mail, may be NULL), usual_per_day (the artist's donations per day over the span of all their donations).
--          A donor is donor_user_id, else the e-mail (lower case), else the name (lower case, trimmed); an
--          anonymous donation with none of them is a donor of its own. Linear: one ordered pass per artist.
-- Params: :gap_minutes (integer) longest pause inside a run; :min_donations (integer) fewest donations in a run;
--          :max_donors (integer) most distinct donors in a run
WITH keyed AS (
    SELECT id, artist_id, created_at, amount, currency, donor_name, donor_email,
           COALESCE(donor_user_id, 'email:' || LOWER(TRIM(donor_email)), 'name:' || LOWER(TRIM(donor_name)),
                    'anon:' || id) AS donor_key,
           LAG(created_at) OVER (PARTITION BY artist_id ORDER BY created_at) AS previous_at
    FROM donations
    WHERE artist_id IS NOT NULL AND created_at IS NOT NULL
), runs AS (
    SELECT *, SUM(CASE WHEN previous_at IS NULL
                            OR created_at > previous_at + CAST(:gap_minutes AS INTEGER) * INTERVAL '1 minute'
                       THEN 1 ELSE 0 END) OVER (PARTITION BY artist_id ORDER BY created_at) AS run_no
    FROM keyed
), long_runs AS (
    -- the runs long enough, counted first: only their donations are aggregated further
    SELECT artist_id, run_no FROM runs GROUP BY artist_id, run_no HAVING COUNT(*) >= :min_donations
), bursts AS (
    SELECT r.artist_id, r.run_no, MIN(r.created_at) AS started_at, MAX(r.created_at) AS ended_at,
           COUNT(*) AS donations, COUNT(DISTINCT r.donor_key) AS donors, SUM(r.amount) AS amount,
           MIN(r.currency) AS currency, STRING_AGG(r.id, ',' ORDER BY r.created_at, r.id) AS donation_ids,
           MIN(COALESCE(r.donor_name, r.donor_email)) AS donor_label
    FROM runs r
    JOIN long_runs l ON l.artist_id = r.artist_id AND l.run_no = r.run_no
    GROUP BY r.artist_id, r.run_no
    HAVING COUNT(DISTINCT r.donor_key) <= :max_donors
), usual AS (
    SELECT artist_id,
           COUNT(*) / GREATEST(EXTRACT(EPOCH FROM MAX(created_at) - MIN(created_at)) / 86400.0, 1.0) AS usual_per_day
    FROM donations
    WHERE artist_id IN (SELECT artist_id FROM bursts) AND created_at IS NOT NULL
    GROUP BY artist_id
)
SELECT b.artist_id, b.started_at, b.ended_at, b.donations, b.donors, b.amount, b.currency, b.donation_ids,
       b.donor_label, u.usual_per_day
FROM bursts b
LEFT JOIN usual u ON u.artist_id = b.artist_id
ORDER BY b.started_at DESC, b.artist_id
