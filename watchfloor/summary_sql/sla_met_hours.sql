-- summary_sla_met_hours for the hours in the temp table summary_met_hours, from summary_sla_stopped
-- (every case's rows, built before): the met clocks counted per UTC hour of their stop and the
-- filter columns. A case resolved before the hour keeps its resolved_at, so that a reader can
-- still leave out the cases resolved before its range, as summary_sla_stopped_clocks does.
INSERT INTO summary_sla_met_hours
SELECT date_trunc('hour', stopped_at) AS hour, clock, queue_id, priority, region, vendor_id,
       CASE WHEN resolved_at < date_trunc('hour', stopped_at) THEN resolved_at END AS early_resolved_at,
       count(*) AS clocks
FROM summary_sla_stopped
WHERE NOT breached
  AND date_trunc('hour', stopped_at) IN (SELECT hour FROM summary_met_hours)
GROUP BY ALL
ORDER BY hour, clock, queue_id, priority, region, vendor_id, early_resolved_at
