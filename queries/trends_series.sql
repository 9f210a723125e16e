-- Trends: cases per time bucket (hour or day) and value of the chosen breakdown, from
-- $history_start (weeks before the period, the detector's history) to $period_end.
-- Buckets without cases are absent; the detector counts them as zero.
-- $dimension picks the breakdown among fixed columns (never formatted into the SQL).
SELECT
    CASE WHEN $hourly THEN date_trunc('hour', c.created_at) ELSE date_trunc('day', c.created_at) END AS bucket,
    coalesce(CASE $dimension
        WHEN 'category' THEN c.category
        WHEN 'surface' THEN c.surface
        WHEN 'region' THEN c.region
        WHEN 'language' THEN c.language
        WHEN 'source' THEN c.source
    END, '(none)') AS key,
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
ORDER BY key, bucket
