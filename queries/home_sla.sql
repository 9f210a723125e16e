-- Home: SLA attainment for the last 24 hours, and the open cases breached or at risk now, from
-- one pass of the SLA clock (home_sla_week_before gives the comparison period).
-- Attainment: a clock counts in a period if it stopped there having met its target, or crossed
-- its target there. Each period is evaluated as of its own end: what happens later cannot
-- change whether a clock stopped or breached inside it, and it keeps the work to the cases
-- open during the period.
WITH scoped_queues AS (
    SELECT queue_id FROM queues WHERE wf_in($verticals, vertical)
),
current_clocks AS MATERIALIZED (
    SELECT k.case_id, k.clock, k.state, k.breached, k.stopped_at, k.breach_at
    FROM summary_sla_clocks($as_of::TIMESTAMP, $as_of::TIMESTAMP - INTERVAL 24 HOUR) k
    SEMI JOIN scoped_queues USING (queue_id)
    WHERE wf_in($regions, k.region) AND wf_in($priorities, k.priority) AND wf_in($vendors, k.vendor_id)
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
),
running AS (
    SELECT case_id, clock, state FROM current_clocks WHERE stopped_at IS NULL
)
-- Attainment rows per period and clock, then one row per running clock (kind 'running'): the
-- open cases breached and at risk now are counted from them by watchfloor.metrics.now_counts,
-- the same function the SLA page uses.
SELECT 'attainment' AS kind, period, clock, met, breached,
       CASE WHEN met + breached > 0 THEN met / (met + breached) END AS attainment,
       NULL::VARCHAR AS case_id, NULL::VARCHAR AS state
FROM attainment
UNION ALL
SELECT 'running', 'now', clock, NULL, NULL, NULL, case_id, state
FROM running
ORDER BY kind, period, clock, case_id
