-- Returns: one row per completed expert review of the artist's completed track tests (the results the platform
--          released; experts' emails are not returned): request_id, track_title, expert_name, expert_role, the five
--          scores (mixing_mastering_score, arrangement_score, originality_score, commercial_potential_score,
--          overall_score, 1-10), general_feedback, recommendations, completed_at. By test (newest first), then time.
-- Params: :artist_id (text) the artist
SELECT r.request_id, q.track_title, r.expert_name, r.expert_role, r.mixing_mastering_score, r.arrangement_score,
       r.originality_score, r.commercial_potential_score, r.overall_score, r.general_feedback, r.recommendations,
       r.completed_at
FROM track_test_reviews AS r
JOIN track_test_requests AS q ON q.id = r.request_id AND q.user_id = :artist_id AND q.status = 'completed'
WHERE r.status = 'completed'
ORDER BY q.created_at DESC, r.request_id, r.completed_at, r.id
