-- Home: first-action and resolution SLA attainment, last 24 hours against the same 24 hours a week earlier.
-- A clock counts in a period if it stopped there having met its target, or crossed its target there.
WITH periods AS (
    SELECT 'last_24h' AS period, $as_of::TIMESTAMP - INTERVAL 24 HOUR AS period_start, $as_of::TIMESTAMP AS period_end
    UNION ALL
    SELECT 'week_before', $as_of::TIMESTAMP - INTERVAL 192 HOUR, $as_of::TIMESTAMP - INTERVAL 168 HOUR
),
clocks AS (
    SELECT k.clock, k.breached, k.stopped_at, k.breach_at
    FROM sla_clocks($as_of::TIMESTAMP, $as_of::TIMESTAMP - INTERVAL 192 HOUR) k
    JOIN queues q USING (queue_id)
    WHERE wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
),
counted AS (
    SELECT
        p.period,
        k.clock,
        count(*) FILTER (WHERE NOT k.breached AND k.stopped_at >= p.period_start AND k.stopped_at < p.period_end) AS met,
        count(*) FILTER (WHERE k.breached AND k.breach_at >= p.period_start AND k.breach_at < p.period_end) AS breached
    FROM periods p
    CROSS JOIN clocks k
    GROUP BY ALL
)
SELECT
    period,
    clock,
    met,
    breached,
    CASE WHEN met + breached > 0 THEN met / (met + breached) END AS attainment
FROM counted
ORDER BY period, clock
