-- Fragment (not a query): the CTE "completed_rub_donations", included with a line
-- "-- include: completed_rub_donations" (right after WITH, or after another CTE and a comma). THE rule for a
-- donation that counts as money received: status completed and currency RUB (a missing currency is RUB), both
-- case-insensitive, normalised the way queries/shared/revenue_lines.sql normalises every revenue line (LOWER status,
-- UPPER currency). Every query that counts or sums donations reads this CTE instead of the donations table; a test
-- (tests/test_building_blocks.py) keeps the rule in this one file. Columns: id, artist_id, created_at, amount,
-- donor_name, is_anonymous, source_key.
completed_rub_donations AS (
  SELECT d.id, d.artist_id, d.created_at, d.amount, d.donor_name, d.is_anonymous, d.source_key
  FROM donations AS d
  WHERE LOWER(d.status) = 'completed'
    AND UPPER(COALESCE(d.currency, 'RUB')) = 'RUB'
)
