-- SLA page: the clocks the whole page is computed from, evaluated once as of $as_of
-- (docs/metrics.md, "SLA page"): every clock counted in the period [$period_start,
-- min($period_end, $as_of)) -- stopped in it within target (met) or crossed its target in it
-- (breached) -- and every clock still running at $as_of. The sidebar filters apply to the
-- clock's case (the current queue gives the vertical). watchfloor/sla_report.py turns these rows
-- into attainment, the breach list, next to breach and breach causes.
--   seconds_left, view_rank: running clocks only; see `running` below.
--   status: the case's current status, for the running clocks ranked within $row_limit of their
--   view (the rows next to breach lists).
--   queue_s .. closed_s: for the clocks that breached in the period only, where the wall time of
--   their span (created_at to the stop, or $as_of while running) went, from the case's events up
--   to $as_of in (occurred_at, event_id) order; the state holds until the next event or the end
--   of the span ("Breach causes"):
--     queue       from creation, and after routed, info_received, reopened (waiting to be assigned)
--     review      after assigned (a reviewer has it)
--     pending     after pending_info (waiting for information)
--     escalation  after escalated (waiting in the higher tier until the next assignment)
--     closed      after resolved (resolved, later reopened)
--   Other events (first_action, decided, enforced) do not change the state.
WITH clocks AS MATERIALIZED (
    SELECT
        k.case_id, k.clock, k.queue_id, q.name AS queue_name, k.priority, k.region, k.vendor_id,
        k.category, k.created_at, k.target_seconds, k.elapsed_seconds, k.paused_seconds,
        k.stopped_at, k.due_at, k.breach_at, k.used_share, k.breached, k.state
    FROM summary_sla_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    JOIN queues q USING (queue_id)
    WHERE wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
      AND (k.stopped_at IS NULL
           OR (CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END >= $period_start::TIMESTAMP
               AND CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END
                   < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)))
),
breached AS MATERIALIZED (
    SELECT case_id, clock, created_at, coalesce(stopped_at, $as_of::TIMESTAMP) AS span_end
    FROM clocks
    WHERE breached
      AND breach_at >= $period_start::TIMESTAMP
      AND breach_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
),
cases_in AS MATERIALIZED (
    SELECT case_id, any_value(created_at) AS created_at FROM breached GROUP BY case_id
),
events AS (
    -- A 'created' marker at created_at starts every case in the queue state.
    SELECT case_id, created_at AS occurred_at, -1::BIGINT AS event_id, 'created' AS event_type
    FROM cases_in
    UNION ALL
    SELECT e.case_id, e.occurred_at, e.event_id, e.event_type
    FROM case_events e
    WHERE e.event_type IN ('routed', 'info_received', 'reopened', 'assigned', 'pending_info', 'escalated', 'resolved')
      AND e.case_id IN (SELECT case_id FROM cases_in)
      AND e.occurred_at <= $as_of::TIMESTAMP
      -- events are stored in time order: this bound lets DuckDB skip the older row groups
      AND e.occurred_at >= (SELECT min(created_at) FROM cases_in)
),
segments AS (
    SELECT
        case_id,
        occurred_at AS seg_start,
        lead(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS seg_end,
        CASE event_type
            WHEN 'assigned' THEN 'review'
            WHEN 'pending_info' THEN 'pending'
            WHEN 'escalated' THEN 'escalation'
            WHEN 'resolved' THEN 'closed'
            ELSE 'queue' END AS part
    FROM events
),
causes AS (
    SELECT
        case_id, clock,
        coalesce(sum(seconds) FILTER (WHERE part = 'queue'), 0)::DOUBLE AS queue_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'review'), 0)::DOUBLE AS review_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'pending'), 0)::DOUBLE AS pending_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'escalation'), 0)::DOUBLE AS escalation_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'closed'), 0)::DOUBLE AS closed_s
    FROM (
        SELECT
            b.case_id, b.clock, s.part,
            greatest(epoch(least(coalesce(s.seg_end, b.span_end), b.span_end))
                     - epoch(greatest(s.seg_start, b.created_at)), 0) AS seconds
        FROM breached b
        JOIN segments s ON s.case_id = b.case_id
    )
    GROUP BY case_id, clock
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
-- NULL there): all attainment needs.
SELECT
    k.case_id, k.clock, k.queue_id, k.queue_name, k.priority, k.region, k.vendor_id, v.name AS vendor_name,
    k.category, s.status, k.created_at,
    k.target_seconds, k.elapsed_seconds, k.paused_seconds, k.stopped_at, k.due_at, k.breach_at,
    k.used_share, k.breached, k.state,
    r.seconds_left, r.view_rank,
    CASE WHEN k.breached THEN k.breach_at END AS counted_at,
    1::BIGINT AS clocks,
    c.queue_s, c.review_s, c.pending_s, c.escalation_s, c.closed_s
FROM clocks k
LEFT JOIN vendors v ON v.vendor_id = k.vendor_id
LEFT JOIN running r ON r.case_id = k.case_id AND r.clock = k.clock
LEFT JOIN status s ON s.case_id = k.case_id AND r.view_rank <= $row_limit
LEFT JOIN causes c ON c.case_id = k.case_id AND c.clock = k.clock
WHERE k.stopped_at IS NULL OR k.breached
UNION ALL BY NAME
SELECT
    k.clock, k.queue_id, any_value(k.queue_name) AS queue_name, k.priority, k.region, k.vendor_id,
    any_value(v.name) AS vendor_name, false AS breached, 'met' AS state,
    date_trunc(CASE WHEN $hourly THEN 'hour' ELSE 'day' END, k.stopped_at) AS counted_at,
    count(*) AS clocks
FROM clocks k
LEFT JOIN vendors v ON v.vendor_id = k.vendor_id
WHERE k.stopped_at IS NOT NULL AND NOT k.breached
GROUP BY k.clock, k.queue_id, k.priority, k.region, k.vendor_id, date_trunc(CASE WHEN $hourly THEN 'hour' ELSE 'day' END, k.stopped_at)
