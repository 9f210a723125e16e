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
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
-- The counts: the scoped cases counted per combination of what the figures ask of them (a few
-- thousand rows, not one per case), each combination then emitted once per period it counts in.
-- The medians need the values: read from the actioned cases resolved in each period.
combos AS (
    SELECT created_in, resolved_in, category, enforcement_action, source, automated, actioned, notice,
           count(*) AS n
    FROM scoped
    GROUP BY ALL
),
counted AS (
    SELECT *, created_in AS period, true AS is_created, resolved_in IS NOT DISTINCT FROM created_in AS is_resolved
    FROM combos WHERE created_in IS NOT NULL
    UNION ALL
    SELECT *, resolved_in, false, true
    FROM combos WHERE resolved_in IS NOT NULL AND resolved_in IS DISTINCT FROM created_in
),
levels AS (
    SELECT
        CASE WHEN grouping(category) = 0 THEN 'category' WHEN grouping(enforcement_action) = 0 THEN 'action' ELSE 'total' END AS level,
        period,
        category,
        enforcement_action AS action,
        coalesce(sum(n) FILTER (WHERE is_created), 0)::BIGINT AS created,
        coalesce(sum(n) FILTER (WHERE is_created AND notice), 0)::BIGINT AS notices,
        coalesce(sum(n) FILTER (WHERE is_created AND source = 'trusted_flagger'), 0)::BIGINT AS trusted_flagger_notices,
        coalesce(sum(n) FILTER (WHERE is_created AND source = 'law_enforcement'), 0)::BIGINT AS orders,
        coalesce(sum(n) FILTER (WHERE is_resolved), 0)::BIGINT AS resolved,
        coalesce(sum(n) FILTER (WHERE is_resolved AND actioned), 0)::BIGINT AS actioned,
        coalesce(sum(n) FILTER (WHERE is_resolved AND actioned AND source IN ('classifier', 'proactive')), 0)::BIGINT AS actioned_proactive,
        coalesce(sum(n) FILTER (WHERE is_resolved AND automated), 0)::BIGINT AS automated,
        coalesce(sum(n) FILTER (WHERE is_resolved AND NOT automated), 0)::BIGINT AS human,
        coalesce(sum(n) FILTER (WHERE is_resolved AND actioned AND notice), 0)::BIGINT AS notices_actioned
    FROM counted
    GROUP BY GROUPING SETS ((period), (period, category), (period, enforcement_action))
),
medians AS (
    SELECT
        CASE WHEN grouping(category) = 0 THEN 'category' WHEN grouping(enforcement_action) = 0 THEN 'action' ELSE 'total' END AS level,
        resolved_in AS period,
        category,
        enforcement_action AS action,
        median(time_to_resolve_s) AS median_time_to_action_s,
        median(time_to_resolve_s) FILTER (WHERE notice) AS median_notice_time_to_action_s
    FROM scoped
    WHERE resolved_in IS NOT NULL AND actioned
    GROUP BY GROUPING SETS ((resolved_in), (resolved_in, category), (resolved_in, enforcement_action))
)
SELECT l.*, m.median_time_to_action_s, m.median_notice_time_to_action_s
FROM levels l
LEFT JOIN medians m
  ON m.level = l.level AND m.period = l.period
 AND m.category IS NOT DISTINCT FROM l.category AND m.action IS NOT DISTINCT FROM l.action
ORDER BY level, period, category, action
