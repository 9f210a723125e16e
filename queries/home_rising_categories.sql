-- Home: hourly cases per category, surface and region over the 29 days before the current
-- hour, the history the spike detector needs (watchfloor.daily_health.rising_categories judges
-- the last 24 hours against it, on every watched series: the category, category x surface,
-- category x region and category x surface x region). Only complete hours: the hour still
-- filling up is left out.
SELECT
    c.category,
    coalesce(c.surface, '(none)') AS surface,
    coalesce(c.region, '(none)') AS region,
    date_trunc('hour', c.created_at) AS bucket,
    count(*) AS cases
FROM cases c
JOIN queues q USING (queue_id)
WHERE c.created_at >= date_trunc('hour', $as_of::TIMESTAMP) - INTERVAL 29 DAY
  AND c.created_at < date_trunc('hour', $as_of::TIMESTAMP)
  AND wf_in($regions, c.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, c.priority)
  AND wf_in($vendors, c.vendor_id)
GROUP BY ALL
ORDER BY category, surface, region, bucket
