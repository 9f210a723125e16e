-- summary_names: the sources, categories, classifiers and outcomes (wf_outcome_key) of the cases in
-- the temp table summary_scope that have no code yet, each given the next codes of its kind in the
-- order of the names (built before summary_case_routes, which stores the codes).
INSERT INTO summary_names
WITH scope_cases AS (
    SELECT source, category, classifier_name, wf_outcome_key(decision, enforcement_action) AS outcome
    FROM cases
    WHERE wf_in_scope(case_id) AND created_at >= $created_from AND created_at < $created_to
),
met AS (
    SELECT DISTINCT 'source' AS kind, source AS name FROM scope_cases
    UNION SELECT 'category', category FROM scope_cases
    UNION SELECT 'classifier', classifier_name FROM scope_cases WHERE classifier_name IS NOT NULL
    UNION SELECT 'outcome', outcome FROM scope_cases WHERE outcome IS NOT NULL
),
last_codes AS (
    SELECT kind, max(code) AS last_code FROM summary_names GROUP BY kind
)
SELECT m.kind, coalesce(l.last_code, 0) + row_number() OVER (PARTITION BY m.kind ORDER BY m.name) AS code, m.name
FROM met m
LEFT JOIN last_codes l ON l.kind = m.kind
WHERE NOT EXISTS (SELECT 1 FROM summary_names n WHERE n.kind = m.kind AND n.name = m.name)
