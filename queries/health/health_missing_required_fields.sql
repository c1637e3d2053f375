-- Returns: one row per entity row and required field that is empty (NULL, or blank text; a value the ingest could
--          not coerce is NULL too): a track, video, concert or news item without a title, a concert without a
--          date, a donation without an amount or an artist, a payment or coin transaction without an amount.
--          artist_id (the row's owner), kv_key, item_id, table_name, field.
-- Params: none
SELECT user_id AS artist_id, source_key AS kv_key, id AS item_id, 'tracks' AS table_name, 'title' AS field
FROM tracks WHERE title IS NULL OR TRIM(title) = ''
UNION ALL
SELECT user_id, source_key, id, 'videos', 'title' FROM videos WHERE title IS NULL OR TRIM(title) = ''
UNION ALL
SELECT user_id, source_key, id, 'concerts', 'title' FROM concerts WHERE title IS NULL OR TRIM(title) = ''
UNION ALL
SELECT user_id, source_key, id, 'concerts', 'date' FROM concerts WHERE date IS NULL
UNION ALL
SELECT user_id, source_key, id, 'news', 'title' FROM news WHERE title IS NULL OR TRIM(title) = ''
UNION ALL
SELECT artist_id, source_key, id, 'donations', 'amount' FROM donations WHERE amount IS NULL
UNION ALL
SELECT artist_id, source_key, id, 'donations', 'artist_id' FROM donations
WHERE artist_id IS NULL OR TRIM(artist_id) = ''
UNION ALL
SELECT user_id, source_key, id, 'payment_transactions', 'amount' FROM payment_transactions WHERE amount IS NULL
UNION ALL
SELECT user_id, source_key, id, 'coins_transactions', 'amount' FROM coins_transactions WHERE amount IS NULL
ORDER BY table_name, field, kv_key, item_id
