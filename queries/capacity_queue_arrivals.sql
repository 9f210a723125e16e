-- Capacity: arrivals (as in capacity_arrivals) per UTC hour in [$history_start, $until), summed
-- over the queues in $queue_ids: the history of one queue or queue group for its forecast.
SELECT
    date_trunc('hour', occurred_at) AS hour,
    count(*) AS arrivals
FROM case_events
WHERE occurred_at >= $history_start::TIMESTAMP
  AND occurred_at < $until::TIMESTAMP
  AND event_type BETWEEN 'escalated' AND 'routed'
  AND event_type IN ('routed', 'escalated', 'reopened', 'info_received')
  AND list_contains($queue_ids, queue_id)
GROUP BY ALL
ORDER BY hour
