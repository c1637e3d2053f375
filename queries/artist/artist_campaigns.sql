-- Returns: one row per promotion campaign of the artist (any status, all time): campaign_id, name, type,
--          target_entity_type, target_title (the artist's track or concert it promotes, when found), status, the last
--          moderation decision (moderated_at, reason), budget, spent, reach, engagement, conversions, start_date,
--          end_date, created_at. Newest first.
-- Params: :artist_id (text) the artist
SELECT p.id AS campaign_id, p.name, p.type, p.target_entity_type,
       COALESCE(t.title, c.title) AS target_title,
       p.status, p.moderated_at, p.reason,
       COALESCE(p.budget, 0) AS budget, COALESCE(p.spent, 0) AS spent,
       COALESCE(p.reach, 0) AS reach, COALESCE(p.engagement, 0) AS engagement,
       COALESCE(p.conversions, 0) AS conversions,
       p.start_date, p.end_date, p.created_at
FROM promotion_campaigns AS p
LEFT JOIN tracks AS t ON t.id = p.target_entity_id AND t.user_id = :artist_id
LEFT JOIN concerts AS c ON c.id = p.target_entity_id AND c.user_id = :artist_id
WHERE p.user_id = :artist_id
ORDER BY p.created_at DESC, p.id
