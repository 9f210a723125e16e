-- Home: open cases by their current state, oldest age per state. Open (docs/metrics.md, "Figures
-- shared across pages"): created by now, not resolved by now and status not resolved, as on Queue health.
SELECT
    c.status,
    count(*) AS cases,
    max(epoch($as_of::TIMESTAMP) - epoch(c.created_at)) AS oldest_age_seconds
FROM cases c
JOIN queues q USING (queue_id)
WHERE c.status <> 'resolved'
  AND c.created_at <= $as_of::TIMESTAMP
  AND (c.resolved_at IS NULL OR c.resolved_at > $as_of::TIMESTAMP)
  AND wf_in($regions, c.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, c.priority)
  AND wf_in($vendors, c.vendor_id)
GROUP BY c.status
ORDER BY array_position(['new', 'queued', 'in_review', 'pending_info', 'escalated'], c.status)
