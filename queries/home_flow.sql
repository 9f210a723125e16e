-- Home: inflow, resolved and backlog for the last 24 hours and the same 24 hours a week earlier.
-- period_end is exclusive; backlog counts cases created before period_end and not resolved by then.
WITH periods AS (
    SELECT 'last_24h' AS period, $as_of::TIMESTAMP - INTERVAL 24 HOUR AS period_start, $as_of::TIMESTAMP AS period_end
    UNION ALL
    SELECT 'week_before', $as_of::TIMESTAMP - INTERVAL 192 HOUR, $as_of::TIMESTAMP - INTERVAL 168 HOUR
),
-- Only cases that count in a figure: created since the earlier period began, or created before it
-- and resolved since or not at all (one resolved before it counts nowhere). Three scans with plain
-- bounds on disjoint sets, not every case ever created.
scoped AS (
    SELECT c.created_at, c.resolved_at
    FROM (
        SELECT * FROM cases
        WHERE created_at >= $as_of::TIMESTAMP - INTERVAL 192 HOUR AND created_at < $as_of::TIMESTAMP
        UNION ALL
        SELECT * FROM cases
        WHERE created_at < $as_of::TIMESTAMP - INTERVAL 192 HOUR AND resolved_at >= $as_of::TIMESTAMP - INTERVAL 192 HOUR
        UNION ALL
        SELECT * FROM cases
        WHERE created_at < $as_of::TIMESTAMP - INTERVAL 192 HOUR AND resolved_at IS NULL
    ) c
    JOIN queues q USING (queue_id)
    WHERE wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
)
SELECT
    p.period,
    p.period_start,
    p.period_end,
    count(*) FILTER (WHERE s.created_at >= p.period_start AND s.created_at < p.period_end) AS inflow,
    count(*) FILTER (WHERE s.resolved_at >= p.period_start AND s.resolved_at < p.period_end) AS resolved,
    count(*) FILTER (WHERE s.created_at < p.period_end AND (s.resolved_at IS NULL OR s.resolved_at >= p.period_end)) AS backlog_at_end
FROM periods p
CROSS JOIN scoped s
GROUP BY ALL
ORDER BY p.period_end DESC
