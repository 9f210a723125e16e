-- summary_sla_met_reviewer_days for the days in the temp table summary_met_days, from
-- summary_sla_stopped (every case's rows, built before): the met clocks of the cases with a vendor
-- counted per UTC day of their stop, the filter columns and the reviewer. A case resolved before the
-- day keeps its resolved_at, so that a reader can still leave out the cases resolved before its
-- range, as summary_sla_stopped_clocks does.
INSERT INTO summary_sla_met_reviewer_days
SELECT date_trunc('day', stopped_at) AS day, clock, queue_id, priority, region, vendor_id, reviewer_id,
       CASE WHEN resolved_at < date_trunc('day', stopped_at) THEN resolved_at END AS early_resolved_at,
       count(*) AS clocks
FROM summary_sla_stopped
WHERE NOT breached
  AND vendor_id IS NOT NULL
  AND date_trunc('day', stopped_at) IN (SELECT day FROM summary_met_days)
GROUP BY ALL
ORDER BY day, clock, queue_id, priority, region, vendor_id, reviewer_id, early_resolved_at
