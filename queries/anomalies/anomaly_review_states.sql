-- Returns: every reviewed suspicious-activity flag's current state (its latest review): flag_id, to_status
--          ('dismissed' or 'confirmed'), actor, at, note, kind, artist_id; latest first.
-- Params: none
SELECT flag_id, to_status, actor, "at", note, kind, artist_id
FROM (
    SELECT r.*, ROW_NUMBER() OVER (PARTITION BY flag_id ORDER BY "at" DESC, id DESC) AS rn
    FROM anomaly_reviews r
) latest
WHERE rn = 1
ORDER BY "at" DESC, flag_id
