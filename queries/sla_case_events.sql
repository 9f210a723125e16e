-- A case's history for the SLA page's case details: every event up to $as_of in order, with
-- how long the case stayed in the state the event left it in (until the next event or $as_of).
-- $created_at is the case's creation: events stamped before it are left out (as the SLA clock
-- ignores them), and the bound lets DuckDB skip the older row groups of the time-ordered table.
SELECT
    e.event_id,
    e.occurred_at,
    e.event_type,
    e.actor_id,
    e.queue_id,
    q.name AS queue_name,
    e.detail,
    epoch(coalesce(lead(e.occurred_at) OVER w, $as_of::TIMESTAMP)) - epoch(e.occurred_at) AS seconds_in_state
FROM case_events e
LEFT JOIN queues q ON q.queue_id = e.queue_id
WHERE e.case_id = $case_id
  AND e.occurred_at <= $as_of::TIMESTAMP
  AND e.occurred_at >= $created_at::TIMESTAMP
WINDOW w AS (ORDER BY e.occurred_at, e.event_id)
ORDER BY e.occurred_at, e.event_id
