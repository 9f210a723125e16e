-- Home: SLA attainment for the last 24 hours (home_sla_week_before gives the comparison period;
-- sla_now the open cases breached or at risk now).
-- Attainment: a clock counts in a period if it stopped there having met its target, or crossed
-- its target there. Each period is evaluated as of its own end: what happens later cannot
-- change whether a clock stopped or breached inside it, and it keeps the work to the cases
-- open during the period.
WITH scoped_queues AS (
    SELECT queue_id FROM queues WHERE wf_in_vertical_scope($verticals, vertical)
),
current_clocks AS (
    SELECT k.clock, k.breached, k.stopped_at, k.breach_at
    FROM summary_sla_clock_times($as_of::TIMESTAMP, $as_of::TIMESTAMP - INTERVAL 24 HOUR) k
    SEMI JOIN scoped_queues USING (queue_id)
    WHERE wf_in_case_scope_but_vertical($regions, $priorities, $vendors, k.region, k.priority, k.vendor_id)
),
attainment AS (
    SELECT
        'last_24h' AS period, clock,
        -- [now - 24 h, now): a clock that stopped at now itself counts in the next window, as on the SLA page
        count(*) FILTER (WHERE NOT breached AND stopped_at >= $as_of::TIMESTAMP - INTERVAL 24 HOUR
                         AND stopped_at < $as_of::TIMESTAMP) AS met,
        count(*) FILTER (WHERE breached AND breach_at >= $as_of::TIMESTAMP - INTERVAL 24 HOUR
                         AND breach_at < $as_of::TIMESTAMP) AS breached
    FROM current_clocks
    GROUP BY clock
)
-- Attainment rows per period and clock; the open cases breached and at risk now are counted by
-- sla_now.sql, which the SLA page shares.
SELECT 'attainment' AS kind, period, clock, met, breached,
       CASE WHEN met + breached > 0 THEN met / (met + breached) END AS attainment
FROM attainment
ORDER BY kind, period, clock
