-- The definition routing_figures is checked against (FIGURES_DEFINITION in tests/unit/test_summaries.py):
-- the same figure rows as routing_figures.sql, with the meaning its header gives, aggregated here from
-- the rows of routing_cases.sql (the cases behind the figures) run with no summary: every case's step
-- as of $as_of replayed from the raw events (routing_segments) and its SLA clocks from the raw clock
-- replay (sla_clock_times). The test puts that query before this text as the CTE cases_replayed. (The
-- query reads the same from summary_case_routes, grouped on numbers rather than these keys.)
WITH period_cases AS MATERIALIZED (
    SELECT
        source, category, automated, classifier_name, classifier_score, current_vertical, awaiting_first_action,
        breached, first_queue_id, reroutes, returns, escalations,
        waiting_s, review_s, pending_s, escalated_s, rerouted_s,
        (waiting_s + review_s + pending_s + escalated_s + rerouted_s) / 3600.0 AS case_hours,
        CASE WHEN automated THEN 'automated' WHEN first_vertical IS NULL THEN 'unrouted'
             ELSE 'vertical:' || first_vertical END AS queue_key,
        CASE WHEN first_queue_id IS NOT NULL AND NOT automated THEN
            CASE WHEN returns > 0 THEN 'loop' WHEN escalations > 0 THEN 'escalated'
                 WHEN reroutes > 0 THEN 'rerouted' ELSE 'direct' END END AS path_key,
        CASE WHEN decision IS NULL THEN 'open'
             WHEN decision = 'violating' THEN 'violating:' || coalesce(enforcement_action, 'none')
             ELSE 'decision:' || decision END AS outcome_key,
        CASE WHEN decision IN ('violating', 'non_violating') THEN decision END AS human_decision
    FROM cases_replayed
),
stage_seconds AS (
    SELECT 'waiting' AS stage, waiting_s AS seconds FROM period_cases
    UNION ALL SELECT 'review', review_s FROM period_cases
    UNION ALL SELECT 'pending', pending_s FROM period_cases
    UNION ALL SELECT 'escalated', escalated_s FROM period_cases
    UNION ALL SELECT 'rerouted', rerouted_s FROM period_cases
)
SELECT
    'rates' AS figure,
    count(*) AS cases,
    count(*) FILTER (WHERE automated) AS automated,
    count(*) FILTER (WHERE first_queue_id IS NOT NULL) AS routed,
    count(*) FILTER (WHERE first_queue_id IS NOT NULL AND reroutes > 0) AS rerouted,
    count(*) FILTER (WHERE first_queue_id IS NOT NULL AND escalations > 0) AS escalated,
    count(*) FILTER (WHERE escalations > 0 AND returns > 0) AS looped,
    count(*) FILTER (WHERE breached) AS breached,
    -- every other figure's columns, typed here: PostgreSQL types a union's columns from its first rows
    NULL::VARCHAR AS from_column, NULL::VARCHAR AS from_key, NULL::VARCHAR AS to_column, NULL::VARCHAR AS to_key,
    NULL::DOUBLE AS median_hours, NULL::VARCHAR AS stage, NULL::DOUBLE AS hours, NULL::VARCHAR AS grp,
    NULL::DOUBLE AS waiting_s, NULL::DOUBLE AS review_s, NULL::DOUBLE AS pending_s, NULL::DOUBLE AS escalated_s,
    NULL::DOUBLE AS rerouted_s, NULL::VARCHAR AS classifier_name, NULL::DOUBLE AS classifier_score,
    NULL::BOOLEAN AS was_automated, NULL::VARCHAR AS decision, NULL::BOOLEAN AS awaiting_first_action,
    NULL::BOOLEAN AS was_breached, NULL::VARCHAR AS category, NULL::VARCHAR AS source
FROM period_cases
UNION ALL BY NAME
SELECT 'link' AS figure, 'source_node' AS from_column, source AS from_key, 'queue_node' AS to_column,
       queue_key AS to_key, count(*) AS cases, median(case_hours) AS median_hours
FROM period_cases GROUP BY source, queue_key
UNION ALL BY NAME
SELECT 'link' AS figure, 'queue_node' AS from_column, queue_key AS from_key, 'path_node' AS to_column,
       path_key AS to_key, count(*) AS cases, median(case_hours) AS median_hours
FROM period_cases WHERE path_key IS NOT NULL GROUP BY queue_key, path_key
UNION ALL BY NAME
SELECT 'link' AS figure, 'path_node' AS from_column, path_key AS from_key, 'outcome_node' AS to_column,
       outcome_key AS to_key, count(*) AS cases, median(case_hours) AS median_hours
FROM period_cases WHERE path_key IS NOT NULL GROUP BY path_key, outcome_key
UNION ALL BY NAME
SELECT 'link' AS figure, 'queue_node' AS from_column, queue_key AS from_key, 'outcome_node' AS to_column,
       outcome_key AS to_key, count(*) AS cases, median(case_hours) AS median_hours
FROM period_cases WHERE path_key IS NULL GROUP BY queue_key, outcome_key
UNION ALL BY NAME
SELECT 'stage' AS figure, stage, count(*) FILTER (WHERE seconds > 0) AS cases,
       median(seconds) FILTER (WHERE seconds > 0) / 3600.0 AS median_hours, sum(seconds) / 3600.0 AS hours
FROM stage_seconds GROUP BY stage
UNION ALL BY NAME
SELECT 'breach' AS figure, current_vertical AS grp, count(*) AS cases, count(*) FILTER (WHERE breached) AS breached,
       sum(waiting_s) FILTER (WHERE breached) AS waiting_s, sum(review_s) FILTER (WHERE breached) AS review_s,
       sum(pending_s) FILTER (WHERE breached) AS pending_s, sum(escalated_s) FILTER (WHERE breached) AS escalated_s,
       sum(rerouted_s) FILTER (WHERE breached) AS rerouted_s
FROM period_cases GROUP BY current_vertical
UNION ALL BY NAME
SELECT 'threshold' AS figure, classifier_name,
       greatest(floor(classifier_score * 100 + 0.000001), 49) / 100.0 AS classifier_score,
       automated AS was_automated, human_decision AS decision, awaiting_first_action, breached AS was_breached,
       count(*) AS cases, sum(review_s) AS review_s
FROM period_cases
WHERE classifier_name IS NOT NULL
GROUP BY classifier_name, greatest(floor(classifier_score * 100 + 0.000001), 49), automated, human_decision,
         awaiting_first_action, breached
UNION ALL BY NAME
SELECT 'lowest_automated' AS figure, classifier_name, min(classifier_score) AS classifier_score
FROM period_cases WHERE classifier_name IS NOT NULL AND automated GROUP BY classifier_name
UNION ALL BY NAME
SELECT 'review' AS figure, category, source, sum(review_s) AS review_s
FROM period_cases WHERE NOT automated GROUP BY category, source
ORDER BY figure, from_column, from_key, to_column, to_key, stage, grp, classifier_name, classifier_score,
         was_automated, decision, awaiting_first_action, was_breached, category, source
