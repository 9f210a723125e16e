-- Home: open cases by their current state (every status but resolved), oldest age per state.
SELECT
    c.status,
    count(*) AS cases,
    max(epoch($as_of::TIMESTAMP) - epoch(c.created_at)) AS oldest_age_seconds
FROM cases c
JOIN queues q USING (queue_id)
WHERE c.status <> 'resolved'
  AND c.created_at <= $as_of::TIMESTAMP
  AND wf_in($regions, c.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, c.priority)
  AND wf_in($vendors, c.vendor_id)
GROUP BY c.status
ORDER BY array_position(['new', 'queued', 'in_review', 'pending_info', 'escalated'], c.status)
