-- Trends: hourly cases per category, surface and region from $history_start (weeks before the
-- period, the detector's history) to $period_end, within the sidebar filters. The spike
-- detector watches every category on its category, category x surface, category x region and
-- category x surface x region series, all summed from these cells
-- (watchfloor.spikes.watched_series). Hours without cases are absent; they count as zero.
SELECT
    c.category,
    coalesce(c.surface, '(none)') AS surface,
    coalesce(c.region, '(none)') AS region,
    date_trunc('hour', c.created_at) AS bucket,
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
ORDER BY category, surface, region, bucket
