-- Executive summary: cases escalated to a higher tier in the period and in the one before, per
-- priority: distinct cases with an 'escalated' event in the period (a case escalated twice counts once).
SELECT
    CASE WHEN e.occurred_at >= $period_start THEN 'current' ELSE 'previous' END AS period,
    c.priority,
    count(DISTINCT e.case_id) AS escalated_cases
FROM case_events e
JOIN cases c USING (case_id)
JOIN queues q ON q.queue_id = c.queue_id
WHERE e.event_type = 'escalated'
  AND ((e.occurred_at >= $period_start AND e.occurred_at < $period_end)
       OR (e.occurred_at >= $previous_start AND e.occurred_at < $previous_end))
  AND wf_in($regions, c.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, c.priority)
  AND wf_in($vendors, c.vendor_id)
GROUP BY ALL
ORDER BY period, c.priority
