-- Executive summary: case figures of the period [period_start, period_end) and of the one before,
-- [previous_start, previous_end), from one pass over the cases.
-- A case counts in a period's volume and notices if it was created there, and in its decisions
-- (resolved, actioned, automated, time to action) if its final resolution is there; a case can do
-- both in different periods, so it is emitted once per period it counts in.
-- Levels: 'total' per period, 'category' per period and category, 'action' per period and action.
-- Proactive: found by the platform itself (source classifier or proactive) before anyone reported it.
-- EU DSA notices: user reports and trusted flaggers (Art. 16, 22); orders: law enforcement (Art. 9).
WITH scoped AS (
    SELECT
        c.category, c.source, c.enforcement_action, coalesce(c.automated, false) AS automated,
        epoch(c.resolved_at) - epoch(c.created_at) AS time_to_resolve_s,
        c.resolved_at IS NOT NULL AND c.enforcement_action IS NOT NULL AND c.enforcement_action <> 'none' AS actioned,
        c.source IN ('user_report', 'trusted_flagger') AS notice,
        CASE WHEN c.created_at >= $period_start AND c.created_at < $period_end THEN 'current'
             WHEN c.created_at >= $previous_start AND c.created_at < $previous_end THEN 'previous' END AS created_in,
        CASE WHEN c.resolved_at >= $period_start AND c.resolved_at < $period_end THEN 'current'
             WHEN c.resolved_at >= $previous_start AND c.resolved_at < $previous_end THEN 'previous' END AS resolved_in
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at < $period_end
      AND (c.created_at >= $previous_start OR c.resolved_at >= $previous_start)
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
counted AS (
    SELECT *, created_in AS period, true AS is_created, resolved_in IS NOT DISTINCT FROM created_in AS is_resolved
    FROM scoped WHERE created_in IS NOT NULL
    UNION ALL
    SELECT *, resolved_in, false, true
    FROM scoped WHERE resolved_in IS NOT NULL AND resolved_in IS DISTINCT FROM created_in
)
SELECT
    CASE WHEN grouping(category) = 0 THEN 'category' WHEN grouping(enforcement_action) = 0 THEN 'action' ELSE 'total' END AS level,
    period,
    category,
    enforcement_action AS action,
    count(*) FILTER (WHERE is_created) AS created,
    count(*) FILTER (WHERE is_created AND notice) AS notices,
    count(*) FILTER (WHERE is_created AND source = 'trusted_flagger') AS trusted_flagger_notices,
    count(*) FILTER (WHERE is_created AND source = 'law_enforcement') AS orders,
    count(*) FILTER (WHERE is_resolved) AS resolved,
    count(*) FILTER (WHERE is_resolved AND actioned) AS actioned,
    count(*) FILTER (WHERE is_resolved AND actioned AND source IN ('classifier', 'proactive')) AS actioned_proactive,
    count(*) FILTER (WHERE is_resolved AND automated) AS automated,
    count(*) FILTER (WHERE is_resolved AND NOT automated) AS human,
    count(*) FILTER (WHERE is_resolved AND actioned AND notice) AS notices_actioned,
    median(time_to_resolve_s) FILTER (WHERE is_resolved AND actioned) AS median_time_to_action_s,
    median(time_to_resolve_s) FILTER (WHERE is_resolved AND actioned AND notice) AS median_notice_time_to_action_s
FROM counted
GROUP BY GROUPING SETS ((period), (period, category), (period, enforcement_action))
ORDER BY level, period, category, action
