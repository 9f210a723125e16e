-- Capacity: the cases waiting for a reviewer now (status new, queued or escalated), per case with
-- its queue and, while its first-action clock runs, when it reaches (or reached) its target
-- (due_at of sla_clocks: a breached clock's breach, a running one's target if no pause follows).
WITH clocks AS (
    SELECT case_id, due_at
    FROM summary_sla_clock_times($as_of::TIMESTAMP, $as_of::TIMESTAMP)
    WHERE clock = 'first_action' AND stopped_at IS NULL
)
SELECT
    c.case_id,
    c.queue_id,
    c.created_at,
    k.due_at AS first_action_due_at
FROM cases c
LEFT JOIN clocks k USING (case_id)
WHERE c.created_at <= $as_of::TIMESTAMP
  AND c.status IN ('new', 'queued', 'escalated')
  AND (c.resolved_at IS NULL OR c.resolved_at > $as_of::TIMESTAMP)
ORDER BY c.case_id
