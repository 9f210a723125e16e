-- Executive summary: cases created per category and time bucket (hour, or day for long periods),
-- from $history_start (four weeks before the period: the spike detector's history) to the
-- period's end. Buckets without cases are absent; the detector counts them as zero.
SELECT
    CASE WHEN $hourly THEN date_trunc('hour', c.created_at) ELSE date_trunc('day', c.created_at) END AS bucket,
    c.category,
    count(*) AS cases
FROM cases c
JOIN queues q USING (queue_id)
WHERE c.created_at >= $history_start::TIMESTAMP
  AND c.created_at < $period_end::TIMESTAMP
  AND wf_in($regions, c.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, c.priority)
  AND wf_in($vendors, c.vendor_id)
GROUP BY ALL
ORDER BY c.category, bucket
