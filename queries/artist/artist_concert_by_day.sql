-- Returns: one row per date in [start, end] with concert analytics for the artist's concerts: day, views, clicks,
--          ticket_views, shares (share_count), summed over the artist's concerts.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_concerts
SELECT ca.date AS day, SUM(ca.views) AS views, SUM(ca.clicks) AS clicks, SUM(ca.ticket_views) AS ticket_views,
       SUM(ca.share_count) AS shares
FROM concert_analytics AS ca
JOIN owned_concerts AS c ON c.id = ca.concert_id
WHERE ca.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY ca.date
ORDER BY day
