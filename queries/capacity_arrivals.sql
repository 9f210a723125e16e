-- Capacity: cases put in front of a reviewer, per queue group (the queue's team; a queue without
-- a team is a group of its own) and UTC hour, in [$history_start, $until). An arrival is an event
-- that makes a case wait for a reviewer in a queue: routed (a new case), escalated (into the
-- next tier's queue), reopened, or info_received (back from the requester). Hours without
-- arrivals have no row. Definitions: docs/metrics.md, "Capacity".
SELECT
    coalesce(q.team, q.queue_id) AS team,
    date_trunc('hour', e.occurred_at) AS hour,
    count(*) AS arrivals
FROM case_events e
JOIN queues q USING (queue_id)
WHERE e.occurred_at >= $history_start::TIMESTAMP
  AND e.occurred_at < $until::TIMESTAMP
  -- the four types as a range DuckDB pushes into the scan ('e' < 'i' < 'r'), then exactly
  AND e.event_type BETWEEN 'escalated' AND 'routed'
  AND e.event_type IN ('routed', 'escalated', 'reopened', 'info_received')
GROUP BY ALL
ORDER BY team, hour
