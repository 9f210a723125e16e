-- Capacity: every queue with its group (team), first-action target and the handle time measured
-- over [$aht_start, $until). A review session runs from an 'assigned' event in the queue to the
-- case's next 'pending_info', 'escalated', 'decided' or 'assigned' event; sessions still open at
-- $until are left out. AHT of a queue or group = handle seconds / sessions (docs/metrics.md).
WITH ev AS (
    SELECT case_id, event_id, occurred_at, event_type, queue_id
    FROM case_events
    WHERE occurred_at >= $aht_start::TIMESTAMP
      AND occurred_at < $until::TIMESTAMP
      -- 'assigned' .. 'pending_info' as a range pushed into the scan, then exactly the four
      AND event_type BETWEEN 'assigned' AND 'pending_info'
      AND event_type IN ('assigned', 'pending_info', 'escalated', 'decided')
),
steps AS (
    SELECT
        queue_id, event_type, occurred_at,
        lead(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS next_at
    FROM ev
),
sessions AS (
    SELECT queue_id, count(*) AS sessions, sum(epoch(next_at) - epoch(occurred_at)) AS handle_seconds
    FROM steps
    WHERE event_type = 'assigned' AND next_at IS NOT NULL
    GROUP BY queue_id
)
SELECT
    q.queue_id,
    q.name AS queue_name,
    q.vertical,
    q.region,
    q.tier,
    coalesce(q.team, q.queue_id) AS team,
    p.priority,
    p.first_action_target_min,
    coalesce(s.sessions, 0) AS sessions,
    coalesce(s.handle_seconds, 0.0) AS handle_seconds
FROM queues q
JOIN sla_policies p USING (sla_policy_id)
LEFT JOIN sessions s USING (queue_id)
ORDER BY q.queue_id
