-- SLA page: the running clocks of open cases as of $as_of by time left, in two groups of at most
-- $row_limit rows each: about to breach (not breached yet: least time left first) and overdue
-- (already breached: the most recently breached first, i.e. again by time left, descending).
-- seconds_left = due_at - $as_of in wall-clock seconds (due_at: when the clock passes its target
-- if no further pause occurs; a paused clock as if it resumed now; negative once overdue).
-- The *_now columns count every running clock in scope by state, not only the rows returned.
WITH running AS MATERIALIZED (
    SELECT
        k.case_id, k.clock, k.queue_id, q.name AS queue_name, k.priority, k.vendor_id, k.region,
        k.category, k.created_at, k.target_seconds, k.elapsed_seconds, k.paused_seconds,
        k.due_at, k.used_share, k.state, k.state = 'breached' AS overdue,
        epoch(k.due_at) - epoch($as_of::TIMESTAMP) AS seconds_left
    FROM sla_clocks($as_of::TIMESTAMP, $as_of::TIMESTAMP) k
    JOIN queues q USING (queue_id)
    WHERE k.stopped_at IS NULL
      AND wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
),
counts AS (
    SELECT
        count(*) FILTER (WHERE state = 'breached') AS breached_now,
        count(*) FILTER (WHERE state = 'at_risk') AS at_risk_now,
        count(*) FILTER (WHERE state = 'warning') AS warning_now,
        count(*) AS running_now
    FROM running
),
top AS MATERIALIZED (
    SELECT *
    FROM running
    QUALIFY row_number() OVER (
        PARTITION BY overdue
        ORDER BY CASE WHEN overdue THEN -seconds_left ELSE seconds_left END, case_id, clock
    ) <= $row_limit
)
SELECT
    t.case_id, t.clock, t.queue_id, t.queue_name, t.priority, t.vendor_id, v.name AS vendor_name,
    t.region, t.category, c.status, t.created_at, t.target_seconds, t.elapsed_seconds,
    t.paused_seconds, t.due_at, t.seconds_left, t.used_share, t.state, t.overdue,
    n.breached_now, n.at_risk_now, n.warning_now, n.running_now
FROM top t
CROSS JOIN counts n
LEFT JOIN vendors v ON v.vendor_id = t.vendor_id
-- The bound on created_at lets a table stored in creation order skip its old row groups.
LEFT JOIN (
    SELECT case_id, status FROM cases
    WHERE created_at >= (SELECT min(created_at) FROM top) AND case_id IN (SELECT case_id FROM top)
) c ON c.case_id = t.case_id
ORDER BY t.overdue, CASE WHEN t.overdue THEN -t.seconds_left ELSE t.seconds_left END, t.case_id, t.clock
