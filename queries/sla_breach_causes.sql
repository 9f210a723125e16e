-- SLA page: where the wall-clock time of the clocks that breached in the period
-- [$period_start, min($period_end, $as_of)) went (docs/metrics.md, "SLA page", "Breach causes").
-- A breached clock's span runs from created_at to its stop (or $as_of while it runs). The case's
-- events up to $as_of, in (occurred_at, event_id) order, cut the span into segments; each segment
-- lasts from one event to the next (or the span's end) and belongs to the state the event leaves:
--   queue       after created, routed, info_received, reopened (waiting to be assigned)
--   review      after assigned, first_action, decided, enforced (a reviewer has it)
--   pending     after pending_info (waiting for information)
--   escalation  after escalated (waiting in the higher tier until the next assignment)
--   closed      after resolved (resolved, later reopened)
-- Other event types keep the state before them. Time before the case's first event counts as
-- queue. Sums per clock and breakdown (queue, priority, vendor, region, or 'all'), seconds.
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
    -- A 'created' marker at created_at stands for the time before the first event.
    SELECT case_id, created_at AS occurred_at, -1::BIGINT AS event_id, 'created' AS event_type
    FROM cases_in
    UNION ALL
    SELECT e.case_id, e.occurred_at, e.event_id, e.event_type
    FROM case_events e
    WHERE e.case_id IN (SELECT case_id FROM cases_in)
      AND e.occurred_at <= $as_of::TIMESTAMP
      -- events are stored in time order: this bound lets DuckDB skip the older row groups
      AND e.occurred_at >= (SELECT min(created_at) FROM cases_in)
),
segments AS (
    SELECT
        case_id,
        occurred_at AS seg_start,
        lead(occurred_at) OVER w AS seg_end,
        last_value(CASE
            WHEN event_type IN ('created', 'routed', 'info_received', 'reopened') THEN 'queue'
            WHEN event_type IN ('assigned', 'first_action', 'decided', 'enforced') THEN 'review'
            WHEN event_type = 'pending_info' THEN 'pending'
            WHEN event_type = 'escalated' THEN 'escalation'
            WHEN event_type = 'resolved' THEN 'closed'
        END IGNORE NULLS) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS part
    FROM events
    WINDOW w AS (PARTITION BY case_id ORDER BY occurred_at, event_id)
),
per_clock AS (
    SELECT
        b.case_id, b.clock, b.queue_id, b.priority, b.vendor_id, b.region,
        s.part,
        greatest(
            epoch(least(coalesce(s.seg_end, b.span_end), b.span_end))
            - epoch(greatest(s.seg_start, b.created_at)),
            0) AS seconds
    FROM breached b
    JOIN segments s ON s.case_id = b.case_id
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
        count(DISTINCT case_id) AS breached_clocks,
        coalesce(sum(seconds) FILTER (WHERE part = 'queue'), 0)::DOUBLE AS queue_seconds,
        coalesce(sum(seconds) FILTER (WHERE part = 'review'), 0)::DOUBLE AS review_seconds,
        coalesce(sum(seconds) FILTER (WHERE part = 'pending'), 0)::DOUBLE AS pending_seconds,
        coalesce(sum(seconds) FILTER (WHERE part = 'escalation'), 0)::DOUBLE AS escalation_seconds,
        coalesce(sum(seconds) FILTER (WHERE part = 'closed'), 0)::DOUBLE AS closed_seconds,
        coalesce(sum(seconds), 0)::DOUBLE AS total_seconds
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
