-- Returns: a track's daily plays and listeners on the Moscow days in [start, end] (the evidence of a play spike):
--          day, plays, listeners; oldest first (days without a record have no row).
-- Params: :track_id (text) the track; :start, :end (date, inclusive)
SELECT date AS day, SUM(plays) AS plays, SUM(unique_listeners) AS listeners
FROM track_analytics
WHERE track_id = :track_id AND date BETWEEN :start AND :end
GROUP BY date
ORDER BY date
