-- Capacity: reviewer-hours on the roster per group (the team of the shift's queue), vendor and
-- UTC hour in [$roster_start, $roster_end): each shift counts by the part of each hour it covers.
-- published_until is the latest shift start in the warehouse: hours after it are not rostered
-- yet (watchfloor.capacity repeats the week before for them). QA shifts (no queue) do not count.
WITH shifts_in AS (
    SELECT
        coalesce(q.team, q.queue_id) AS team,
        r.vendor_id,
        greatest(s.starts_at, $roster_start::TIMESTAMP) AS a,
        least(s.ends_at, $roster_end::TIMESTAMP) AS b
    FROM shifts s
    JOIN reviewers r USING (reviewer_id)
    JOIN queues q ON q.queue_id = s.queue_id
    WHERE s.ends_at > $roster_start::TIMESTAMP
      AND s.starts_at < $roster_end::TIMESTAMP
),
pieces AS (
    SELECT team, vendor_id, a, b, unnest(generate_series(date_trunc('hour', a), b, INTERVAL 1 HOUR)) AS hour
    FROM shifts_in
)
SELECT
    team,
    vendor_id,
    hour,
    sum(epoch(least(b, hour + INTERVAL 1 HOUR)) - epoch(greatest(a, hour))) / 3600.0 AS reviewer_hours,
    (SELECT max(starts_at) FROM shifts) AS published_until
FROM pieces
WHERE hour < b
GROUP BY ALL
ORDER BY team, vendor_id, hour
