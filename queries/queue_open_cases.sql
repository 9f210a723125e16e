-- Queue health: every case open as of now with its age and SLA risk, so that ages and
-- percentiles can be summarised for any grouping (queue, vertical, region, tier, vendor).
-- risk: 'breached' if either clock is past its target, else 'at_risk' if either is at 75 % or more.
WITH clocks AS (
    SELECT
        case_id,
        bool_or(state = 'breached') AS any_breached,
        bool_or(state = 'at_risk') AS any_at_risk,
        max(used_share) AS max_used_share
    FROM sla_clocks($as_of::TIMESTAMP, $as_of::TIMESTAMP)
    WHERE stopped_at IS NULL
    GROUP BY case_id
)
SELECT
    c.case_id,
    c.queue_id,
    coalesce(c.vendor_id, 'unassigned') AS vendor_id,
    c.status,
    epoch($as_of::TIMESTAMP) - epoch(c.created_at) AS age_seconds,
    CASE WHEN k.any_breached THEN 'breached' WHEN k.any_at_risk THEN 'at_risk' ELSE 'ok' END AS risk,
    coalesce(k.max_used_share, 0) AS max_used_share
FROM cases c
JOIN queues q USING (queue_id)
JOIN sla_policies p USING (sla_policy_id)
LEFT JOIN clocks k USING (case_id)
WHERE c.created_at <= $as_of::TIMESTAMP
  AND (c.resolved_at IS NULL OR c.resolved_at > $as_of::TIMESTAMP)
  AND c.status <> 'resolved'
  AND wf_in($regions, q.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, p.priority)
  AND wf_in($vendors, c.vendor_id)
ORDER BY c.case_id
