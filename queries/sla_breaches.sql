-- SLA page: the clocks that breached in the period [$period_start, min($period_end, $as_of)),
-- i.e. whose breach_at lies in it, evaluated as of $as_of; newest breach first. At most
-- $row_limit rows per clock (the page shows one clock or both, up to $row_limit rows);
-- clock_breaches is the full count per clock, so the page can say when it truncated.
-- case_open: the case is open as of $as_of (its resolution clock is still running).
WITH clocks AS MATERIALIZED (
    -- the breaches of the period, and the running resolution clocks (open cases)
    SELECT k.*, q.name AS queue_name
    FROM sla_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    JOIN queues q USING (queue_id)
    WHERE wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
      AND ((k.breached AND k.breach_at >= $period_start::TIMESTAMP AND k.breach_at < $period_end::TIMESTAMP)
           OR (k.clock = 'resolution' AND k.stopped_at IS NULL))
),
breaches AS MATERIALIZED (
    SELECT * FROM clocks
    WHERE breached AND breach_at >= $period_start::TIMESTAMP AND breach_at < $period_end::TIMESTAMP
),
totals AS (
    SELECT clock, count(*) AS clock_breaches FROM breaches GROUP BY clock
),
ranked AS (
    SELECT b.*, t.clock_breaches
    FROM breaches b
    JOIN totals t USING (clock)
    QUALIFY row_number() OVER (PARTITION BY b.clock ORDER BY b.breach_at DESC, b.case_id) <= $row_limit
),
open_cases AS (
    SELECT case_id FROM clocks WHERE clock = 'resolution' AND stopped_at IS NULL
)
SELECT
    r.clock,
    r.case_id,
    r.queue_id,
    r.queue_name,
    r.priority,
    r.vendor_id,
    v.name AS vendor_name,
    r.region,
    r.category,
    r.created_at,
    r.breach_at,
    r.stopped_at,
    r.elapsed_seconds,
    r.target_seconds,
    r.paused_seconds,
    r.used_share,
    o.case_id IS NOT NULL AS case_open,
    r.clock_breaches
FROM ranked r
LEFT JOIN vendors v ON v.vendor_id = r.vendor_id
LEFT JOIN open_cases o ON o.case_id = r.case_id
ORDER BY r.breach_at DESC, r.case_id, r.clock
