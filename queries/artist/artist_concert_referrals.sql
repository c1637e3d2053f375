-- Returns: one row per referral source (the keys of concert_analytics.referral_sources, e.g. vk, telegram, direct)
--          with the concert page views it brought to the artist's concerts on dates in [start, end], most first.
-- Params: :artist_id (text) the artist; :start, :end (date, inclusive)
WITH
-- include: owned_concerts
SELECT e.key AS source, SUM(CAST(CAST(e.value AS TEXT) AS INTEGER)) AS views
FROM concert_analytics AS ca
JOIN owned_concerts AS c ON c.id = ca.concert_id,
     json_each(CAST(ca.referral_sources AS JSON)) AS e
WHERE ca.date BETWEEN CAST(:start AS DATE) AND CAST(:end AS DATE)
GROUP BY e.key
ORDER BY views DESC, source
