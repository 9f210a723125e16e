-- summary_handlings for the cases in the temp table summary_scope, from their sessions
-- (summary_review_sessions, built just before): each finished handling, per queue its sessions ran
-- in, with its handled seconds there. The outcome is on the row holding the session it ended; the
-- handling's first start lets a reader tell a handling begun before the sessions it looks at
-- (queries/macros/sessions.sql, summary_period_handlings). In completion order, so that a reader's
-- range on completed_at skips the other row groups.
INSERT INTO summary_handlings
WITH per_queue AS MATERIALIZED (
    SELECT
        case_id, reviewer_id, handling, queue_id,
        min(started_at) AS started_at,
        max(handling_completed_at) AS completed_at,
        sum(epoch(ended_at) - epoch(started_at)) AS handle_seconds,
        max(CASE WHEN end_type IN ('decided', 'escalated') THEN end_type END) AS outcome
    FROM summary_review_sessions
    WHERE case_id IN (SELECT case_id FROM summary_scope)
      AND handling_outcome IS NOT NULL
    GROUP BY case_id, reviewer_id, handling, queue_id
),
-- the figures of each handling over its queues by a GROUP BY joined back (not a window over the partition)
per_handling AS (
    SELECT case_id, reviewer_id, handling, count(*) AS pieces, min(started_at) AS first_started_at,
           max(completed_at) AS completed_at
    FROM per_queue
    GROUP BY case_id, reviewer_id, handling
)
SELECT
    q.case_id, q.reviewer_id, q.handling, q.queue_id, h.pieces, h.first_started_at, h.completed_at,
    q.handle_seconds, q.outcome
FROM per_queue q
JOIN per_handling h
  ON h.case_id = q.case_id AND h.reviewer_id IS NOT DISTINCT FROM q.reviewer_id AND h.handling = q.handling
ORDER BY h.completed_at, q.case_id, q.reviewer_id, q.handling, q.queue_id
