-- Incidents: for each incident open at some time in the period, per UTC hour from 24 hours before it
-- started to 6 hours after it was resolved (or to now): the cases linked to it created that hour,
-- the cases of its category created that hour, and the category's cases in the same hour a week
-- earlier (the baseline the spike is measured against).
WITH listed AS (
    SELECT incident_id, category,
           date_trunc('hour', started_at) - INTERVAL 24 HOUR AS first_hour,
           least(date_trunc('hour', coalesce(CASE WHEN resolved_at <= $as_of THEN resolved_at END, $as_of::TIMESTAMP)) + INTERVAL 6 HOUR,
                 date_trunc('hour', $as_of::TIMESTAMP)) AS last_hour
    FROM incidents
    WHERE started_at <= $as_of
      AND started_at < $period_end
      AND (resolved_at IS NULL OR resolved_at >= $period_start)
),
hours AS (
    SELECT l.incident_id, l.category, unnest(range(l.first_hour, l.last_hour + INTERVAL 1 HOUR, INTERVAL 1 HOUR)) AS hour
    FROM listed l
),
category_hours AS (
    SELECT c.category, date_trunc('hour', c.created_at) AS hour, count(*) AS cases
    FROM cases c
    WHERE c.created_at >= (SELECT min(first_hour) FROM listed) - INTERVAL 168 HOUR
      AND c.created_at <= $as_of
      AND c.category IN (SELECT category FROM listed)
    GROUP BY ALL
),
linked_hours AS (
    SELECT c.incident_id, date_trunc('hour', c.created_at) AS hour, count(*) AS cases
    FROM cases c
    WHERE c.incident_id IN (SELECT incident_id FROM listed) AND c.created_at <= $as_of
    GROUP BY ALL
)
SELECT
    h.incident_id, h.hour,
    coalesce(lh.cases, 0) AS linked_cases,
    coalesce(ch.cases, 0) AS category_cases,
    coalesce(wb.cases, 0) AS category_cases_week_before
FROM hours h
LEFT JOIN linked_hours lh ON lh.incident_id = h.incident_id AND lh.hour = h.hour
LEFT JOIN category_hours ch ON ch.category = h.category AND ch.hour = h.hour
LEFT JOIN category_hours wb ON wb.category = h.category AND wb.hour = h.hour - INTERVAL 168 HOUR
ORDER BY h.incident_id, h.hour
