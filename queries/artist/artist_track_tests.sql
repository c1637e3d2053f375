-- Returns: one row per track test the artist ordered (track_test_requests.user_id), newest first: request_id,
--          track_title, genre, status (pending_payment → pending_moderation → pending_expert_assignment →
--          experts_assigned → review_in_progress → pending_admin_review → completed; moderation_rejected; the pmf
--          statuses payment_succeeded, in_review, analysis_generated), payment_status, payment_amount,
--          required_expert_count, completed_reviews_count, created_at, completed_at, and the results, released only
--          once the test is completed (NULL before): average_rating (1-10), the category averages mixing_mastering,
--          arrangement, originality, commercial_potential (1-10), consolidated_feedback, rejection_reason (when
--          moderation rejected it).
-- Params: :artist_id (text) the artist
SELECT q.id AS request_id, q.track_title, q.genre, q.status, q.payment_status, q.payment_amount,
       q.required_expert_count, q.completed_reviews_count, q.created_at, q.completed_at,
       CASE WHEN q.status = 'completed' THEN q.average_rating END AS average_rating,
       CASE WHEN q.status = 'completed'
            THEN CAST(CAST(q.category_averages AS JSON) ->> 'mixing_mastering' AS DECIMAL(6,2)) END AS mixing_mastering,
       CASE WHEN q.status = 'completed'
            THEN CAST(CAST(q.category_averages AS JSON) ->> 'arrangement' AS DECIMAL(6,2)) END AS arrangement,
       CASE WHEN q.status = 'completed'
            THEN CAST(CAST(q.category_averages AS JSON) ->> 'originality' AS DECIMAL(6,2)) END AS originality,
       CASE WHEN q.status = 'completed'
            THEN CAST(CAST(q.category_averages AS JSON) ->> 'commercial_potential' AS DECIMAL(6,2))
       END AS commercial_potential,
       CASE WHEN q.status = 'completed' THEN q.consolidated_feedback END AS consolidated_feedback,
       q.rejection_reason
FROM track_test_requests AS q
WHERE q.user_id = :artist_id
ORDER BY q.created_at DESC, q.id
