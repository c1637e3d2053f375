-- Returns: one row per booking of the artist as the performer (bookings.performer_id) and, when the artist is a DJ
--          (dj_bookings.dj_id is the artist's id or a DJ profile whose user_id is the artist), per DJ booking:
--          kind (booking | dj_booking), booking_id, title (event title), event_type, client (who books: a venue
--          or a person, by name), venue, city, event_date, hours, offered_price (what the client offers), performer_fee
--          (the artist's 90 %), platform_commission (the platform's 10 %), deposit_amount (30 % paid at
--          deposit_paid), status (pending → accepted → deposit_paid → confirmed; cancelled, rejected; completed in
--          seed rows only), created_at. A DJ booking has only a price (offered_price) and no fee split.
--          Ordered by event date, then id.
-- Params: :artist_id (text) the artist
SELECT 'booking' AS kind, b.id AS booking_id, b.event_title AS title, b.event_type, b.requester_name AS client,
       b.venue_name AS venue, b.venue_city AS city, b.event_date, b.hours, b.offered_price, b.performer_fee,
       b.platform_commission, b.deposit_amount, b.status, b.created_at
FROM bookings AS b
WHERE b.performer_id = :artist_id
UNION ALL
SELECT 'dj_booking' AS kind, d.id AS booking_id, NULL AS title, d.event_type, d.client_name AS client,
       NULL AS venue, NULL AS city, d.event_date, NULL AS hours, d.price AS offered_price, NULL AS performer_fee,
       NULL AS platform_commission, NULL AS deposit_amount, d.status, d.created_at
FROM dj_bookings AS d
WHERE d.dj_id = :artist_id
   OR d.dj_id IN (SELECT p.id FROM dj_profiles AS p WHERE p.user_id = :artist_id)
ORDER BY event_date, booking_id
