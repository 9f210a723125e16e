-- Trends, emerging patterns: cases per subcategory, language, surface and organisation in the
-- period [$period_start, $period_end) and in the period of the same length before it
-- [$previous_start, $period_start). Shares and their change are worked out in
-- watchfloor.trends.emerging. Organisations with fewer than $min_org_cases cases in the period
-- are left out (thousands of one-off organisations would say nothing).
WITH scoped AS (
    SELECT
        c.subcategory, c.language, c.surface, c.org_id,
        c.created_at >= $period_start::TIMESTAMP AS in_period
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $previous_start::TIMESTAMP
      AND c.created_at < $period_end::TIMESTAMP
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
grouped AS (
    SELECT
        CASE
            WHEN GROUPING(subcategory) = 0 THEN 'subcategory'
            WHEN GROUPING(language) = 0 THEN 'language'
            WHEN GROUPING(surface) = 0 THEN 'surface'
            WHEN GROUPING(org_id) = 0 THEN 'organisation'
            ELSE 'all'
        END AS dimension,
        coalesce(subcategory, language, surface, org_id) AS value,
        count(*) FILTER (WHERE in_period) AS current_cases,
        count(*) FILTER (WHERE NOT in_period) AS previous_cases
    FROM scoped
    GROUP BY GROUPING SETS ((subcategory), (language), (surface), (org_id), ())
)
SELECT dimension, value, current_cases, previous_cases
FROM grouped
WHERE dimension = 'all'
   OR (value IS NOT NULL AND (dimension <> 'organisation' OR current_cases >= $min_org_cases))
ORDER BY dimension, value
