-- Queue health: every case open as of now with its age and SLA risk, so that ages and
-- percentiles can be summarised for any grouping (queue, vertical, region, tier, vendor).
-- risk: 'breached' if either clock is past its target, else 'at_risk' if either is at 75 % or more.
-- Open: created by now and not resolved by now, as on Home and in the SLA clocks; a case resolved
-- after now (now is snapped to the refresh interval, or pinned) has the state its last event
-- before now set (as in home_backlog_by_state).
WITH clocks AS (
    SELECT
        case_id,
        bool_or(state = 'breached') AS any_breached,
        bool_or(state = 'at_risk') AS any_at_risk,
        max(used_share) AS max_used_share
    FROM summary_sla_clock_times($as_of::TIMESTAMP, $as_of::TIMESTAMP)
    WHERE stopped_at IS NULL
    GROUP BY case_id
),
resolved_after AS (
    SELECT case_id FROM cases
    WHERE status = 'resolved' AND resolved_at > $as_of::TIMESTAMP AND created_at <= $as_of::TIMESTAMP
),
-- The last event before now; events at the same moment in the order written (as on Home). Joined
-- (as on Home): with none resolved since, no event is read.
resolved_since AS (
    SELECT case_id, last_event
    FROM (
        SELECT e.case_id, e.event_type AS last_event,
               row_number() OVER (PARTITION BY e.case_id ORDER BY e.occurred_at DESC, e.event_id DESC) AS nth
        FROM case_events e
        JOIN resolved_after r ON r.case_id = e.case_id
        WHERE e.occurred_at <= $as_of::TIMESTAMP
    ) AS ranked
    WHERE nth = 1
)
SELECT
    c.case_id,
    c.queue_id,
    coalesce(c.vendor_id, 'unassigned') AS vendor_id,
    CASE WHEN c.status <> 'resolved' THEN c.status
         WHEN rs.last_event IN ('assigned', 'first_action', 'decided', 'enforced') THEN 'in_review'
         WHEN rs.last_event IN ('pending_info', 'escalated') THEN rs.last_event
         ELSE 'queued' END AS status,
    epoch($as_of::TIMESTAMP) - epoch(c.created_at) AS age_seconds,
    CASE WHEN k.any_breached THEN 'breached' WHEN k.any_at_risk THEN 'at_risk' ELSE 'ok' END AS risk,
    coalesce(k.max_used_share, 0) AS max_used_share
FROM (  -- open: two scans with plain bounds, which skip far more than one OR of them
    SELECT * FROM cases WHERE resolved_at IS NULL
    UNION ALL
    SELECT * FROM cases WHERE resolved_at > $as_of::TIMESTAMP
) c
JOIN queues q USING (queue_id)
JOIN sla_policies p USING (sla_policy_id)
LEFT JOIN clocks k USING (case_id)
LEFT JOIN resolved_since rs USING (case_id)
WHERE c.created_at <= $as_of::TIMESTAMP
  AND wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, c.vendor_id)
ORDER BY c.case_id
