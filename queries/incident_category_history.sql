-- Incidents: for each incident open at some time in the period, its category's cases per UTC hour
-- from four weeks before the hour it started (the spike detector's history) to 6 hours after it was
-- resolved (or to now), as incident_hourly ends. Hours without cases are absent (zero).
WITH listed AS (
    SELECT incident_id, category,
           date_trunc('hour', started_at) - INTERVAL 28 DAY AS first_hour,
           least(date_trunc('hour', coalesce(CASE WHEN resolved_at <= $as_of THEN resolved_at END, $as_of::TIMESTAMP)) + INTERVAL 6 HOUR,
                 date_trunc('hour', $as_of::TIMESTAMP)) AS last_hour
    FROM incidents
    WHERE started_at <= $as_of
      AND started_at < $period_end
      AND (resolved_at IS NULL OR resolved_at >= $period_start)
),
category_hours AS (
    SELECT c.category, date_trunc('hour', c.created_at) AS hour, count(*) AS cases
    FROM cases c
    WHERE c.created_at >= (SELECT min(first_hour) FROM listed)
      AND c.created_at <= $as_of
      AND c.category IN (SELECT category FROM listed)
    GROUP BY ALL
)
SELECT l.incident_id, ch.hour, ch.cases
FROM listed l
JOIN category_hours ch ON ch.category = l.category AND ch.hour BETWEEN l.first_hour AND l.last_hour
ORDER BY l.incident_id, ch.hour
