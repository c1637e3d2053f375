-- Returns: one row per ticket vendor (ticket_sales.provider: kassir, ticketland, afisha, …; NULL when not recorded)
--          with the artist's confirmed sales on Moscow days in [start, end]: provider, sales, tickets (quantity),
--          gross (total_amount), commission (the vendor's), net (net_amount). Highest gross first.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
SELECT s.provider, COUNT(*) AS sales, COALESCE(SUM(s.quantity), 0) AS tickets,
       COALESCE(SUM(s.total_amount), 0) AS gross, COALESCE(SUM(s.commission), 0) AS commission,
       COALESCE(SUM(s.net_amount), 0) AS net
FROM ticket_sales AS s
WHERE s.artist_id = :artist_id
  AND s.status = 'confirmed'
  AND CAST(s.purchased_at AS DATE) BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY s.provider
ORDER BY gross DESC, s.provider
