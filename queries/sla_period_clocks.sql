-- SLA page: the clocks the whole page is computed from, evaluated once as of $as_of
-- (docs/metrics.md, "SLA page"): every clock counted in the period [$period_start,
-- min($period_end, $as_of)) -- stopped in it within target (met) or crossed its target in it
-- (breached) -- and every clock still running at $as_of. The sidebar filters apply to the
-- clock's case (the current queue gives the vertical). watchfloor/sla_figures.py turns these rows
-- into attainment, the breach list, next to breach and breach causes.
--   seconds_left, view_rank: running clocks only; see `running` below.
--   status: the case's current status, for the running clocks ranked within $row_limit of their
--   view (the rows next to breach lists).
--   queue_s .. closed_s: for the clocks that breached in the period only, the clock's breach
--   causes (macros/sla.sql; docs/metrics.md, "Breach causes").
WITH scoped_queues AS (
    SELECT queue_id, name AS queue_name FROM queues WHERE wf_in_vertical_scope($verticals, vertical)
),
-- The clocks listed one per row: running at $as_of, or breached in the period; and the clocks met
-- in the period that are not at their final stop (a resolution later reopened: met_in_period).
-- The open part of the clock is read once (macros/sla.sql: read twice, DuckDB would share the two
-- reads' breach-cause events and lose their time bound); the clocks at their final stop are a
-- plain table read, the met ones counted apart below.
clocks AS MATERIALIZED (
    SELECT
        k.case_id, k.clock, k.queue_id, q.queue_name, k.priority, k.region, k.vendor_id,
        k.category, k.created_at, k.target_seconds, k.elapsed_seconds, k.paused_seconds,
        k.stopped_at, k.due_at, k.breach_at, k.used_share, k.breached, k.state,
        k.queue_s, k.review_s, k.pending_s, k.escalation_s, k.closed_s,
        coalesce(k.breach_at >= $period_start::TIMESTAMP
                 AND k.breach_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP), false) AS breached_in_period,
        coalesce(NOT k.breached AND k.stopped_at >= $period_start::TIMESTAMP
                 AND k.stopped_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP), false) AS met_in_period
    FROM (
        SELECT * FROM summary_sla_open_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP, true)
        UNION ALL
        -- (a clock breaches before its stop: the bound on stopped_at, implied, lets the scan skip
        -- the row groups of clocks stopped before the period)
        SELECT * FROM summary_sla_stopped_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP)
        WHERE breached
          AND stopped_at >= $period_start::TIMESTAMP
          AND breach_at >= $period_start::TIMESTAMP
          AND breach_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
    ) k
    JOIN scoped_queues q USING (queue_id)
    WHERE wf_in_case_scope_but_vertical($regions, $priorities, $vendors, k.region, k.priority, k.vendor_id)
      AND (k.stopped_at IS NULL
           OR (k.breach_at >= $period_start::TIMESTAMP
               AND k.breach_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP))
           OR (NOT k.breached AND k.stopped_at >= $period_start::TIMESTAMP
               AND k.stopped_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)))
),
-- Running clocks in the two views of next to breach, ranked: about to breach (at risk or warning:
-- 50 % of the target used or more, not breached), least time left first; overdue (breached), most
-- recently breached first; clocks on track are ranked apart and not listed. seconds_left =
-- due_at - $as_of in wall-clock seconds (negative once overdue).
running AS MATERIALIZED (
    SELECT
        case_id, clock, created_at,
        epoch(due_at) - epoch($as_of::TIMESTAMP) AS seconds_left,
        row_number() OVER (
            PARTITION BY CASE state WHEN 'breached' THEN 2 WHEN 'on_track' THEN 0 ELSE 1 END
            ORDER BY CASE WHEN state = 'breached' THEN epoch($as_of::TIMESTAMP) - epoch(due_at)
                          ELSE epoch(due_at) - epoch($as_of::TIMESTAMP) END, case_id, clock
        ) AS view_rank
    FROM clocks
    WHERE stopped_at IS NULL
),
-- The current status of the cases listed ($row_limit per view). The bound on created_at lets a
-- table stored in creation order skip its old row groups.
listed AS MATERIALIZED (
    SELECT DISTINCT case_id, created_at FROM running WHERE view_rank <= $row_limit
),
status AS (
    SELECT case_id, status FROM cases
    WHERE created_at >= (SELECT min(created_at) FROM listed) AND case_id IN (SELECT case_id FROM listed)
)
-- One row per clock that breached in the period or is running at $as_of (clocks = 1), then the
-- clocks met in the period, one row per bucket of their stop (UTC hour if $hourly, else UTC day)
-- and breakdown values (counted_at = the bucket, clocks = how many; the per-clock columns are
-- NULL there): all attainment needs. The met clocks at their final stop are counted per hour in
-- summary_sla_met_hours: the period's whole hours are read from it, and only the hours the
-- period cuts (at its start unless it starts on the hour, and at its end, min($period_end,
-- $as_of)) from the clocks themselves.
SELECT
    k.case_id, k.clock, k.queue_id, k.queue_name, k.priority, k.region, k.vendor_id, v.name AS vendor_name,
    k.category, s.status, k.created_at,
    k.target_seconds, k.elapsed_seconds, k.paused_seconds, k.stopped_at, k.due_at, k.breach_at,
    k.used_share, k.breached, k.state,
    r.seconds_left, r.view_rank,
    CASE WHEN k.breached THEN k.breach_at END AS counted_at,
    1::BIGINT AS clocks,
    CASE WHEN k.breached_in_period THEN k.queue_s END AS queue_s,
    CASE WHEN k.breached_in_period THEN k.review_s END AS review_s,
    CASE WHEN k.breached_in_period THEN k.pending_s END AS pending_s,
    CASE WHEN k.breached_in_period THEN k.escalation_s END AS escalation_s,
    CASE WHEN k.breached_in_period THEN k.closed_s END AS closed_s
FROM clocks k
LEFT JOIN vendors v ON v.vendor_id = k.vendor_id
LEFT JOIN running r ON r.case_id = k.case_id AND r.clock = k.clock
LEFT JOIN status s ON s.case_id = k.case_id AND r.view_rank <= $row_limit
WHERE NOT k.met_in_period
UNION ALL BY NAME
SELECT
    k.clock, k.queue_id, any_value(q.queue_name) AS queue_name, k.priority, k.region, k.vendor_id,
    any_value(v.name) AS vendor_name, false AS breached, 'met' AS state,
    date_trunc(CASE WHEN $hourly THEN 'hour' ELSE 'day' END, k.stopped_at) AS counted_at,
    sum(k.clocks)::BIGINT AS clocks
FROM (
    SELECT clock, queue_id, priority, region, vendor_id, stopped_at, 1 AS clocks FROM clocks WHERE met_in_period
    UNION ALL
    -- the whole hours: [first hour boundary at or after $period_start, hour of the end)
    SELECT h.clock, h.queue_id, h.priority, h.region, h.vendor_id, h.hour, h.clocks
    FROM summary_sla_met_hour_counts($as_of::TIMESTAMP, $period_start::TIMESTAMP,
        CASE WHEN date_trunc('hour', $period_start::TIMESTAMP) < $period_start::TIMESTAMP
             THEN date_trunc('hour', $period_start::TIMESTAMP) + INTERVAL 1 HOUR
             ELSE $period_start::TIMESTAMP END,
        date_trunc('hour', least($period_end::TIMESTAMP, $as_of::TIMESTAMP))) h
    WHERE h.queue_id IN (SELECT queue_id FROM scoped_queues)
      AND wf_in_case_scope_but_vertical($regions, $priorities, $vendors, h.region, h.priority, h.vendor_id)
    UNION ALL
    -- the cut hours: from $period_start to the first hour boundary, and from the last one to the end
    SELECT k.clock, k.queue_id, k.priority, k.region, k.vendor_id, k.stopped_at, 1 AS clocks
    FROM summary_sla_stopped_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    WHERE NOT k.breached
      AND ((k.stopped_at >= $period_start::TIMESTAMP
            AND k.stopped_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP,
                                     date_trunc('hour', $period_start::TIMESTAMP) + INTERVAL 1 HOUR)
            AND date_trunc('hour', $period_start::TIMESTAMP) < $period_start::TIMESTAMP)
        OR (k.stopped_at >= greatest($period_start::TIMESTAMP, date_trunc('hour', least($period_end::TIMESTAMP, $as_of::TIMESTAMP)),
                                     CASE WHEN date_trunc('hour', $period_start::TIMESTAMP) < $period_start::TIMESTAMP
                                          THEN date_trunc('hour', $period_start::TIMESTAMP) + INTERVAL 1 HOUR
                                          ELSE $period_start::TIMESTAMP END)
            AND k.stopped_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)))
      AND k.queue_id IN (SELECT queue_id FROM scoped_queues)
      AND wf_in_case_scope_but_vertical($regions, $priorities, $vendors, k.region, k.priority, k.vendor_id)
) k
JOIN scoped_queues q USING (queue_id)
LEFT JOIN vendors v ON v.vendor_id = k.vendor_id
GROUP BY k.clock, k.queue_id, k.priority, k.region, k.vendor_id, date_trunc(CASE WHEN $hourly THEN 'hour' ELSE 'day' END, k.stopped_at)
