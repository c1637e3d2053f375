-- Returns: every moderator who has logged an action, with the number of actions, by name.
-- Params: none
SELECT actor, COUNT(*) AS actions
FROM moderation_log
GROUP BY actor
ORDER BY actor
