-- automation_category_decisions' definition: the counts from the raw cases (what the query read before
-- it read the summaries), for tests/unit/test_routing_summary.py.
-- Automation & routing, classifier recall: per category and UTC day, the cases created in
-- [$history_start, least($period_end, $as_of)) within the sidebar filters that a person decided
-- violating by $as_of, whatever their source (the denominator of a classifier's recall).
SELECT
    c.category,
    c.created_at::DATE AS day,
    count(*) AS human_violating
FROM cases c
JOIN queues q USING (queue_id)
WHERE NOT c.automated
  AND c.decision = 'violating'
  AND c.resolved_at <= $as_of::TIMESTAMP
  AND c.created_at >= $history_start::TIMESTAMP
  AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
  AND wf_in($regions, c.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, c.priority)
  AND wf_in($vendors, c.vendor_id)
GROUP BY ALL
ORDER BY ALL
