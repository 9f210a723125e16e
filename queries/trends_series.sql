-- Trends: cases per time bucket (hour or day) and value of the chosen breakdown, from
-- $history_start (weeks before the period, the detector's history) to $period_end.
-- Buckets without cases are absent; the detector counts them as zero.
-- $dimension picks the breakdown among fixed columns (never formatted into the SQL).
-- Read from the hourly counts (summary_case_hours, queries/macros/hourly.sql): an hour nests in
-- its UTC day, so the daily buckets are sums of hours.
SELECT
    CASE WHEN $hourly THEN h.hour ELSE date_trunc('day', h.hour) END AS bucket,
    coalesce(CASE $dimension
        WHEN 'category' THEN h.category
        WHEN 'surface' THEN h.surface
        WHEN 'region' THEN h.region
        WHEN 'language' THEN h.language
        WHEN 'source' THEN h.source
    END, '(none)') AS key,
    sum(h.cases)::BIGINT AS cases
FROM summary_case_hours($history_start::TIMESTAMP, $period_end::TIMESTAMP) h
JOIN queues q ON q.queue_id = h.queue_id
WHERE wf_in_case_scope($regions, $verticals, $priorities, $vendors, h.region, q.vertical, h.priority, h.vendor_id)
GROUP BY ALL
ORDER BY key, bucket
