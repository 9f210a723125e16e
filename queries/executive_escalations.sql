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
  AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
GROUP BY ALL
ORDER BY period, c.priority
