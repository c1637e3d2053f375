-- Returns: the play_spike flags: one row per track-day whose plays are at least :min_plays, at least :spike_factor
--          times the track's usual day (its average over the recorded days of the :history_days before) and whose
--          plays per listener are at least :ratio_factor times the platform's usual ratio (all plays over all
--          listeners of track_analytics): artist_id, track_id, track_title, day, plays, listeners, usual_plays,
--          usual_listeners, history_days (recorded days in the usual), plays_per_listener, platform_ratio.
--          Linear: the ratio test is per row, so only the rare candidate days look back at their track's history
--          (by the (track_id, date) order/index). A track with fewer than :min_history_days recorded days before
--          the day has no usual and is not flagged.
-- Params: :history_days (integer) calendar days before the day that make the usual; :min_history_days (integer)
--          fewest recorded days needed in them; :min_plays (integer) fewest plays on the day; :spike_factor (number)
--          plays at least this many times the usual; :ratio_factor (number) plays per listener at least this many
--          times the platform's ratio
WITH platform AS (
    SELECT SUM(CAST(plays AS DOUBLE PRECISION)) / NULLIF(SUM(unique_listeners), 0) AS ratio
    FROM track_analytics
    WHERE plays > 0 AND unique_listeners > 0
), candidates AS (
    SELECT a.track_id, a.date AS day, a.plays, a.unique_listeners AS listeners, p.ratio AS platform_ratio
    FROM track_analytics a
    CROSS JOIN platform p
    WHERE a.plays >= :min_plays
      AND a.plays >= CAST(:ratio_factor AS DOUBLE PRECISION) * p.ratio * GREATEST(COALESCE(a.unique_listeners, 0), 1)
)
SELECT COALESCE(t.user_id, '') AS artist_id, c.track_id, t.title AS track_title, c.day, c.plays, c.listeners,
       h.usual_plays, h.usual_listeners, h.history_days,
       CAST(c.plays AS DOUBLE PRECISION) / GREATEST(COALESCE(c.listeners, 0), 1) AS plays_per_listener,
       c.platform_ratio
FROM candidates c
-- per candidate, its track's days before it (PostgreSQL: an index range scan on (track_id, date) per candidate)
CROSS JOIN LATERAL (
    SELECT AVG(CAST(h.plays AS DOUBLE PRECISION)) AS usual_plays,
           AVG(CAST(h.unique_listeners AS DOUBLE PRECISION)) AS usual_listeners, COUNT(*) AS history_days
    FROM track_analytics h
    WHERE h.track_id = c.track_id AND h.date < c.day
      AND h.date >= c.day - CAST(:history_days AS INTEGER) * INTERVAL '1 day'
) h
LEFT JOIN (SELECT id, MIN(user_id) AS user_id, MIN(title) AS title FROM tracks GROUP BY id) t ON t.id = c.track_id
WHERE h.history_days >= :min_history_days
  AND c.plays >= CAST(:spike_factor AS DOUBLE PRECISION) * h.usual_plays
ORDER BY c.day DESC, c.track_id
