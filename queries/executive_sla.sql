-- Executive summary: SLA attainment of the period and of the one before, with the SLA page's clock
-- (macros/sla.sql). Attainment = met / (met + breached): a clock counts in a period if it stopped
-- there within its target (met) or crossed its target there (breached). One evaluation as of the
-- period's end covers both periods: a clock's stop and breach instant inside an earlier period do
-- not change when it is evaluated later (docs/metrics.md, "Attainment").
WITH scoped_queues AS (
    SELECT queue_id FROM queues WHERE wf_in_vertical_scope($verticals, vertical)
),
clocks AS (
    SELECT k.clock, k.breached, k.stopped_at, k.breach_at
    FROM summary_sla_clock_times($period_end::TIMESTAMP, $previous_start::TIMESTAMP) k
    SEMI JOIN scoped_queues USING (queue_id)
    WHERE wf_in_case_scope_but_vertical($regions, $priorities, $vendors, k.region, k.priority, k.vendor_id)
),
counts AS MATERIALIZED (
    SELECT
        clock,
        count(*) FILTER (WHERE NOT breached AND stopped_at >= $period_start AND stopped_at < $period_end) AS met_now,
        count(*) FILTER (WHERE breached AND breach_at >= $period_start AND breach_at < $period_end) AS breached_now,
        count(*) FILTER (WHERE NOT breached AND stopped_at >= $previous_start AND stopped_at < $previous_end) AS met_before,
        count(*) FILTER (WHERE breached AND breach_at >= $previous_start AND breach_at < $previous_end) AS breached_before
    FROM clocks
    GROUP BY clock
)
SELECT 'current' AS period, clock, met_now AS met, breached_now AS breached FROM counts
UNION ALL
SELECT 'previous', clock, met_before, breached_before FROM counts
ORDER BY period, clock
