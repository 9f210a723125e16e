-- Incidents: the cases linked to one incident and created by $as_of, newest first, at most
-- $row_limit; `total` counts them all (the list's "Linked cases").
WITH linked AS (
    SELECT case_id, created_at, category, subcategory, surface, region, language, source, priority,
           status, decision, enforcement_action, org_id
    FROM cases
    WHERE incident_id = $incident_id
      AND created_at <= $as_of::TIMESTAMP
)
SELECT *, count(*) OVER () AS total
FROM linked
ORDER BY created_at DESC, case_id
LIMIT $row_limit
