-- Queue health chart: per hour over the last 48 hours, cases created and resolved in scope,
-- the net flow (created - resolved) and the backlog at the end of each hour.
WITH hours AS (
    SELECT unnest(generate_series(
        date_trunc('hour', $as_of::TIMESTAMP) - INTERVAL 47 HOUR,
        date_trunc('hour', $as_of::TIMESTAMP),
        INTERVAL 1 HOUR)) AS hour_start
),
scoped AS (
    SELECT c.created_at, c.resolved_at
    FROM cases c
    JOIN queues q USING (queue_id)
    JOIN sla_policies p USING (sla_policy_id)
    WHERE c.created_at <= $as_of::TIMESTAMP
      AND (c.resolved_at IS NULL OR c.resolved_at > date_trunc('hour', $as_of::TIMESTAMP) - INTERVAL 47 HOUR)
      AND wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, c.vendor_id)
),
flows AS (
    SELECT
        h.hour_start,
        least(h.hour_start + INTERVAL 1 HOUR, $as_of::TIMESTAMP) AS hour_end,
        (SELECT count(*) FROM scoped s WHERE s.created_at >= h.hour_start AND s.created_at < h.hour_start + INTERVAL 1 HOUR AND s.created_at <= $as_of::TIMESTAMP) AS created,
        (SELECT count(*) FROM scoped s WHERE s.resolved_at >= h.hour_start AND s.resolved_at < h.hour_start + INTERVAL 1 HOUR AND s.resolved_at <= $as_of::TIMESTAMP) AS resolved
    FROM hours h
)
SELECT
    hour_start,
    created,
    resolved,
    created - resolved AS net_flow,
    (SELECT count(*) FROM scoped s WHERE s.created_at < f.hour_end AND (s.resolved_at IS NULL OR s.resolved_at >= f.hour_end)) AS backlog_at_end
FROM flows f
ORDER BY hour_start
