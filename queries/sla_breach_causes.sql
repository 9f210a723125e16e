-- SLA page: where the wall-clock time of the clocks that breached in the period
-- [$period_start, min($period_end, $as_of)) went (docs/metrics.md, "SLA page", "Breach causes").
-- A breached clock's span runs from created_at to its stop (or $as_of while it runs). The case's
-- state changes at these events (up to $as_of, in (occurred_at, event_id) order) and holds until
-- the next one or the span's end:
--   queue       from creation, and after routed, info_received, reopened (waiting to be assigned)
--   review      after assigned (a reviewer has it)
--   pending     after pending_info (waiting for information)
--   escalation  after escalated (waiting in the higher tier until the next assignment)
--   closed      after resolved (resolved, later reopened)
-- Other events (first_action, decided, enforced) do not change the state. Seconds summed per clock
-- and breakdown (queue, priority, vendor, region, or 'all').
WITH breached AS MATERIALIZED (
    SELECT
        k.case_id, k.clock, k.queue_id, k.priority, k.vendor_id, k.region, k.created_at,
        coalesce(k.stopped_at, $as_of::TIMESTAMP) AS span_end
    FROM sla_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    JOIN queues q USING (queue_id)
    WHERE k.breached
      AND k.breach_at >= $period_start::TIMESTAMP
      AND k.breach_at < $period_end::TIMESTAMP
      AND wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
),
cases_in AS (
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
-- One row per breached clock with the seconds of each part of its span.
per_clock AS (
    SELECT
        case_id, clock, any_value(queue_id) AS queue_id, any_value(priority) AS priority,
        any_value(vendor_id) AS vendor_id, any_value(region) AS region,
        coalesce(sum(seconds) FILTER (WHERE part = 'queue'), 0) AS queue_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'review'), 0) AS review_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'pending'), 0) AS pending_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'escalation'), 0) AS escalation_s,
        coalesce(sum(seconds) FILTER (WHERE part = 'closed'), 0) AS closed_s,
        coalesce(sum(seconds), 0) AS total_s
    FROM (
        SELECT
            b.case_id, b.clock, b.queue_id, b.priority, b.vendor_id, b.region, s.part,
            greatest(epoch(least(coalesce(s.seg_end, b.span_end), b.span_end))
                     - epoch(greatest(s.seg_start, b.created_at)), 0) AS seconds
        FROM breached b
        JOIN segments s ON s.case_id = b.case_id
    )
    GROUP BY case_id, clock
),
grouped AS (
    SELECT
        clock,
        CASE WHEN grouping(queue_id) = 0 THEN 'queue'
             WHEN grouping(priority) = 0 THEN 'priority'
             WHEN grouping(vendor_id) = 0 THEN 'vendor'
             WHEN grouping(region) = 0 THEN 'region'
             ELSE 'all' END AS dimension,
        CASE WHEN grouping(queue_id) = 0 THEN queue_id
             WHEN grouping(priority) = 0 THEN priority
             WHEN grouping(vendor_id) = 0 THEN vendor_id
             WHEN grouping(region) = 0 THEN region END AS value,
        count(*) AS breached_clocks,
        sum(queue_s)::DOUBLE AS queue_seconds,
        sum(review_s)::DOUBLE AS review_seconds,
        sum(pending_s)::DOUBLE AS pending_seconds,
        sum(escalation_s)::DOUBLE AS escalation_seconds,
        sum(closed_s)::DOUBLE AS closed_seconds,
        sum(total_s)::DOUBLE AS total_seconds
    FROM per_clock
    GROUP BY GROUPING SETS ((clock), (clock, queue_id), (clock, priority), (clock, vendor_id), (clock, region))
)
SELECT
    g.clock,
    g.dimension,
    g.value,
    CASE g.dimension
        WHEN 'all' THEN 'All'
        WHEN 'queue' THEN coalesce(q.name, g.value)
        WHEN 'vendor' THEN coalesce(v.name, g.value, 'No vendor')
        ELSE g.value END AS label,
    g.breached_clocks,
    g.queue_seconds,
    g.review_seconds,
    g.pending_seconds,
    g.escalation_seconds,
    g.closed_seconds,
    g.total_seconds
FROM grouped g
LEFT JOIN queues q ON g.dimension = 'queue' AND q.queue_id = g.value
LEFT JOIN vendors v ON g.dimension = 'vendor' AND v.vendor_id = g.value
ORDER BY g.dimension, g.clock, g.total_seconds DESC, label
