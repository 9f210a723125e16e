-- Home: SLA attainment for the same 24 hours a week earlier, [now - 192 h, now - 168 h),
-- evaluated as of the end of that period (see home_sla); the same columns as home_sla.
WITH scoped_queues AS (
    SELECT queue_id FROM queues WHERE wf_in_vertical_scope($verticals, vertical)
),
clocks AS (
    SELECT k.clock, k.breached, k.stopped_at, k.breach_at
    FROM summary_sla_clock_times($as_of::TIMESTAMP - INTERVAL 168 HOUR, $as_of::TIMESTAMP - INTERVAL 192 HOUR) k
    SEMI JOIN scoped_queues USING (queue_id)
    WHERE wf_in_case_scope_but_vertical($regions, $priorities, $vendors, k.region, k.priority, k.vendor_id)
),
attainment AS (
    SELECT
        clock,
        count(*) FILTER (WHERE NOT breached AND stopped_at >= $as_of::TIMESTAMP - INTERVAL 192 HOUR
                         AND stopped_at < $as_of::TIMESTAMP - INTERVAL 168 HOUR) AS met,
        count(*) FILTER (WHERE breached AND breach_at >= $as_of::TIMESTAMP - INTERVAL 192 HOUR
                         AND breach_at < $as_of::TIMESTAMP - INTERVAL 168 HOUR) AS breached
    FROM clocks
    GROUP BY clock
)
SELECT 'attainment' AS kind, 'week_before' AS period, clock, met, breached,
       CASE WHEN met + breached > 0 THEN met / (met + breached) END AS attainment
FROM attainment
ORDER BY clock
