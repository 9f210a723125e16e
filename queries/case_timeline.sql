-- Case page: the case's events up to $as_of in the warehouse's order (occurred_at, event_id),
-- with the time to the next event (NULL for the last one). Events stamped before the case was
-- created are left out (the SLA clock ignores them too); that bound also lets
-- DuckDB skip the older row groups of the time-ordered events table.
SELECT
    e.event_id,
    e.occurred_at,
    e.event_type,
    e.actor_id,
    e.queue_id,
    q.name AS queue_name,
    e.detail,
    epoch(lead(e.occurred_at) OVER w) - epoch(e.occurred_at) AS seconds_to_next
FROM case_events e
LEFT JOIN queues q ON q.queue_id = e.queue_id
WHERE e.case_id = $case_id
  AND e.occurred_at <= $as_of::TIMESTAMP
  AND e.occurred_at >= (SELECT min(created_at) FROM cases WHERE case_id = $case_id)
WINDOW w AS (ORDER BY e.occurred_at, e.event_id)
ORDER BY e.occurred_at, e.event_id
