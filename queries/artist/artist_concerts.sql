-- Returns: one row per concert of the artist (any status): concert_id, title, date, time, city, venue, type,
--          status, the last moderation decision (moderated_at, reason), is_promoted (the record's flag),
--          in_promoted_list (listed under concerts:public:promoted), capacity, ticket prices, ticket_link, and the
--          lifetime sums of its daily concert_analytics (only for an id no other owner claims) (views, clicks, ticket_views, shares; 0 without analytics).
--          Ordered by date, then title.
-- Params: :artist_id (text) the artist
WITH
-- include: owned_concerts
SELECT c.id AS concert_id, c.title, c.date, c.time, c.city, c.venue, c.type, c.status, c.moderated_at, c.reason,
       COALESCE(c.is_promoted, FALSE) AS is_promoted,
       EXISTS (SELECT 1 FROM kv_index AS k
               WHERE k.list_key = 'concerts:public:promoted' AND k.item_id = c.id) AS in_promoted_list,
       c.capacity, c.ticket_price_from, c.ticket_price_to, c.ticket_link,
       COALESCE(s.views, 0) AS views, COALESCE(s.clicks, 0) AS clicks,
       COALESCE(s.ticket_views, 0) AS ticket_views, COALESCE(s.shares, 0) AS shares
FROM concerts AS c
LEFT JOIN (
  SELECT ca.concert_id, SUM(ca.views) AS views, SUM(ca.clicks) AS clicks, SUM(ca.ticket_views) AS ticket_views,
         SUM(ca.share_count) AS shares
  FROM concert_analytics AS ca
  JOIN owned_concerts AS o ON o.id = ca.concert_id
  GROUP BY ca.concert_id
) AS s ON s.concert_id = c.id
WHERE c.user_id = :artist_id
ORDER BY c.date, c.title, c.id
