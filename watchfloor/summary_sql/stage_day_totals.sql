-- summary_stage_day_totals for the days in the temp table summary_days, from summary_stage_days
-- (every case's rows of those days, built before): the pieces with an end summed per day, stage and
-- the cases' filter columns, each case counted once. A case resolved before the day (a step after its resolution) keeps its
-- resolved_at, so that a reader can still leave out the cases resolved before its range.
INSERT INTO summary_stage_day_totals
SELECT day, stage, queue_id, priority, region, vendor_id,
       CASE WHEN resolved_at < day THEN resolved_at END AS early_resolved_at,
       sum(stage_us)::BIGINT AS stage_us, count(DISTINCT case_id) AS cases
FROM summary_stage_days
WHERE ended_at IS NOT NULL
  AND day IN (SELECT day FROM summary_days)
GROUP BY day, stage, queue_id, priority, region, vendor_id, CASE WHEN resolved_at < day THEN resolved_at END
ORDER BY day, stage, queue_id, priority, region, vendor_id, early_resolved_at
