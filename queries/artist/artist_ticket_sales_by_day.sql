-- Returns: one row per Moscow day in [start, end] with confirmed ticket sales of the artist's concerts
--          (ticket_sales.artist_id): day, sales, tickets (quantity), gross (total_amount), commission (the ticket
--          vendor's, not the platform's), net (net_amount). Cancelled sales do not count (KEYS.md §6).
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
SELECT CAST(s.purchased_at AS DATE) AS day, COUNT(*) AS sales, COALESCE(SUM(s.quantity), 0) AS tickets,
       COALESCE(SUM(s.total_amount), 0) AS gross, COALESCE(SUM(s.commission), 0) AS commission,
       COALESCE(SUM(s.net_amount), 0) AS net
FROM ticket_sales AS s
WHERE s.artist_id = :artist_id
  AND s.status = 'confirmed'
  AND CAST(s.purchased_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY CAST(s.purchased_at AS DATE)
ORDER BY day
