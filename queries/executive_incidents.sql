-- Executive summary: incidents that started in the period or in the one before, with their one-line
-- summary and how many cases are linked to them. Incidents are not narrowed by the sidebar filters.
SELECT
    CASE WHEN i.started_at >= $period_start THEN 'current' ELSE 'previous' END AS period,
    i.incident_id, i.title, i.severity, i.category, i.status, i.started_at, i.resolved_at, i.commander,
    i.summary,
    (SELECT count(*) FROM cases c WHERE c.incident_id = i.incident_id) AS linked_cases
FROM incidents i
WHERE (i.started_at >= $period_start AND i.started_at < $period_end)
   OR (i.started_at >= $previous_start AND i.started_at < $previous_end)
ORDER BY i.severity, i.started_at
