-- summary_handlings for the cases in the temp table summary_scope, from their sessions
-- (summary_review_sessions, built just before): each finished handling, per queue its sessions ran
-- in, with its handled seconds there. The outcome is on the row holding the session it ended; the
-- handling's first start lets a reader tell a handling begun before the sessions it looks at
-- (queries/macros/sessions.sql, summary_period_handlings). In completion order, so that a reader's
-- range on completed_at skips the other row groups.
INSERT INTO summary_handlings
SELECT
    case_id, reviewer_id, handling, queue_id,
    count(*) OVER h AS pieces,
    min(min(started_at)) OVER h AS first_started_at,
    max(max(handling_completed_at)) OVER h AS completed_at,
    sum(epoch(ended_at) - epoch(started_at)) AS handle_seconds,
    max(CASE WHEN end_type IN ('decided', 'escalated') THEN end_type END) AS outcome
FROM summary_review_sessions
WHERE case_id IN (SELECT case_id FROM summary_scope)
  AND handling_outcome IS NOT NULL
GROUP BY case_id, reviewer_id, handling, queue_id
WINDOW h AS (PARTITION BY case_id, reviewer_id, handling)
ORDER BY completed_at, case_id, reviewer_id, handling, queue_id
