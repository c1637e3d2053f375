-- Returns: one row per sale of the artist as a producer on the marketplace (beat_purchases and digital_purchases
--          whose producer_id is the artist), newest first: kind (beat | digital_good), purchase_id, title (the beat's
--          or the good's), license_type (beats: basic, premium, exclusive), price (what the buyer paid), commission
--          (the platform's 10 %), producer_payout (the artist's part), status (completed: paid), created_at.
--          Buyers are not named.
-- Params: :artist_id (text) the artist
SELECT 'beat' AS kind, p.id AS purchase_id,
       COALESCE(p.beat_title, (SELECT MAX(b.title) FROM beats AS b WHERE b.id = p.beat_id)) AS title,
       p.license_type, p.price, p.commission, p.producer_payout, p.status, p.created_at
FROM beat_purchases AS p
WHERE p.producer_id = :artist_id
UNION ALL
SELECT 'digital_good' AS kind, d.id AS purchase_id,
       COALESCE(d.title, (SELECT MAX(g.title) FROM digital_goods AS g WHERE g.id = d.good_id)) AS title,
       NULL AS license_type, d.price, d.commission, d.producer_payout, d.status, d.created_at
FROM digital_purchases AS d
WHERE d.producer_id = :artist_id
ORDER BY created_at DESC, purchase_id
