-- Returns: one row per concert the artist sold tickets for (ticket_sales.artist_id), all time: concert_id, title,
--          date, city, venue (NULL when no concert of the artist has that id: the ticketing test generator sells
--          for ids no concert has), sales (confirmed sales), tickets (their quantity), gross (total_amount), commission
--          (the ticket vendor's, not the platform's), net (net_amount, what the artist gets), cancelled (cancelled
--          sales, not counted), last_sale_at (the latest confirmed sale). Only confirmed sales count (KEYS.md §6).
--          Latest concert first; sales for an unknown concert last.
-- Params: :artist_id (text) the artist
WITH
-- include: owned_concerts
, concert AS (
  SELECT c.id, MAX(c.title) AS title, MAX(c.date) AS date, MAX(c.city) AS city, MAX(c.venue) AS venue
  FROM concerts AS c
  WHERE c.user_id = :artist_id AND c.id IN (SELECT id FROM owned_concerts)
  GROUP BY c.id
)
SELECT s.concert_id, c.title, c.date, c.city, c.venue,
       SUM(CASE WHEN s.status = 'confirmed' THEN 1 ELSE 0 END) AS sales,
       COALESCE(SUM(CASE WHEN s.status = 'confirmed' THEN s.quantity END), 0) AS tickets,
       COALESCE(SUM(CASE WHEN s.status = 'confirmed' THEN s.total_amount END), 0) AS gross,
       COALESCE(SUM(CASE WHEN s.status = 'confirmed' THEN s.commission END), 0) AS commission,
       COALESCE(SUM(CASE WHEN s.status = 'confirmed' THEN s.net_amount END), 0) AS net,
       SUM(CASE WHEN s.status = 'cancelled' THEN 1 ELSE 0 END) AS cancelled,
       MAX(CASE WHEN s.status = 'confirmed' THEN s.purchased_at END) AS last_sale_at
FROM ticket_sales AS s
LEFT JOIN concert AS c ON c.id = s.concert_id
WHERE s.artist_id = :artist_id
GROUP BY s.concert_id, c.title, c.date, c.city, c.venue
ORDER BY CASE WHEN c.date IS NULL THEN 1 ELSE 0 END, c.date DESC, s.concert_id
