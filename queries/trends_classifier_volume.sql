-- Trends, classifier signal over time: cases flagged per classifier per hour or day in
-- [$period_start, $period_end), with how many a person has decided violating so far.
SELECT
    c.classifier_name AS classifier,
    CASE WHEN $hourly THEN date_trunc('hour', c.created_at) ELSE date_trunc('day', c.created_at) END AS bucket,
    count(*) AS cases,
    count(*) FILTER (WHERE NOT c.automated AND c.decision = 'violating') AS human_violating,
    count(*) FILTER (WHERE NOT c.automated AND c.decision IN ('violating', 'non_violating')) AS human_decided
FROM cases c
JOIN queues q USING (queue_id)
WHERE c.classifier_name IS NOT NULL
  AND c.created_at >= $period_start::TIMESTAMP
  AND c.created_at < $period_end::TIMESTAMP
  AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
GROUP BY ALL
ORDER BY classifier, bucket
