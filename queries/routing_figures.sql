-- Automation & routing: every figure of the page that is worked out from its cases, aggregated
-- here so that the rows sent to the page do not grow with the date range. One pass over the
-- cases of routing_cases.sql (the same cases: created in [$period_start, least($period_end,
-- $as_of)), within the sidebar filters, each as of $as_of), read from their rows in
-- summary_case_routes (no case's steps are replayed), one group of rows per figure (`figure`); the other
-- columns of a row are NULL. watchfloor/automation.py turns them into the page's tables and
-- charts, with the same definitions it applies to routing_cases.sql's rows (docs/metrics.md,
-- "Automation & routing"):
--   'rates': cases, automated, routed (first queue known), rerouted, escalated (routed and so at
--     least once), looped (escalated and sent back down), breached
--   'link': the routing flow's links (source -> first queue -> path -> outcome; a case never
--     routed goes from its first node straight to its outcome): from_column, from_key, to_column,
--     to_key, cases, median_hours (of the cases' time in all stages). Keys: the source; the first
--     queue 'automated', 'unrouted' or 'vertical:<vertical>'; the path; the outcome 'open',
--     'violating:<enforcement action>' or 'decision:<decision>'
--   'stage': per stage, cases that spent time in it, their median hours there, and all hours
--   'breach': per group (the vertical of the case's current queue) cases, breached, and over the
--     breached cases the seconds in each stage (waiting_s .. rerouted_s)
--   'threshold': the classifiers' flagged cases counted per score band (classifier_score = the
--     band's lower end, 0.01 wide from 0.50; scores below 0.50 in the band 0.49), automated,
--     decision (violating, non_violating, or NULL), awaiting_first_action, was_automated and
--     was_breached (the flags of the cases; automated and breached count cases in other rows), with
--     their review seconds (review_s)
--   'lowest_automated': per classifier, the lowest score it decided automatically (classifier_score)
--   'review': per category and source, the review seconds (review_s) of the cases a person handled
-- The cases group on integers only, and the names are put back on the few grouped rows (grouping on
-- text costs per case): each queue's vertical numbered here (NULL for no vertical); the source,
-- category, classifier and outcome as the case routes store them, codes of summary_names.
-- The medians (and so the links' and stages' figures) read every case, a summarised one (below) from
-- the few columns they need of its route row and the rest through the per-case steps. The other
-- figures are sums:
-- the cases created on the range's whole UTC days and settled before $as_of's day (nothing about them
-- changes after settled_at) are read from their counts in summary_settled_routes and
-- summary_settled_scores, and only the rest of the cases one by one (summarised false).
WITH queue_verticals AS (
    SELECT queue_id, vertical,
           CASE WHEN vertical IS NOT NULL THEN dense_rank() OVER (ORDER BY vertical) END AS vertical_no
    FROM queues
),
verticals AS (
    SELECT DISTINCT vertical, vertical_no FROM queue_verticals WHERE vertical IS NOT NULL
),
names AS (
    SELECT kind, code, name FROM summary_names
),
period_routes AS NOT MATERIALIZED (
    SELECT r.*, q.vertical_no AS current_vertical_no,
           coalesce(wf_in_settled_sums(r.created_at, r.settled_at, $period_start::TIMESTAMP,
                                       least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP), false) AS summarised
    FROM summary_case_routes r
    JOIN queue_verticals q ON q.queue_id = r.queue_id
    WHERE r.created_at >= $period_start::TIMESTAMP
      AND r.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, r.region, q.vertical, r.priority, r.vendor_id)
),
-- The cases not in the settled sums, by the two conditions the scan tests column by column (testing
-- `summarised` would first read every case's columns).
rest_routes AS NOT MATERIALIZED (
    SELECT * FROM period_routes r
    WHERE wf_unsettled_by(r.settled_at, $as_of::TIMESTAMP)
    UNION ALL
    SELECT * FROM period_routes r
    WHERE wf_settled_on_cut_day(r.created_at, r.settled_at, $period_start::TIMESTAMP,
                                least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
),
-- breached: a first-action or resolution SLA clock of the case had breached by $as_of: a clock at
-- its final stop by then as stored with the case (as summary_sla_stopped_clocks reads it), any
-- other as summary_sla_open_clocks works it out (the cases not finally resolved by $as_of)
open_breaches AS (
    SELECT k.case_id, bool_or(k.breached) AS breached
    FROM summary_sla_open_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP, false) k
    WHERE k.created_at >= $period_start::TIMESTAMP
      AND k.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
    GROUP BY k.case_id
),
-- Each case as of $as_of with its step then and the path before it: its last step once that has
-- begun (every case, as of now), read from its row; for a case with steps after $as_of, its step
-- then from summary_case_stages. Only a case whose resolution clock is not at its final stop by
-- $as_of can have an open clock (the first action stops no later), so only those cases are joined
-- to open_breaches by id: the settled rest, most of a period, is read without its text id.
cases_at AS (
    SELECT r.*, r.last_stage AS stage, r.last_started_at AS started_at, false AS open_breached
    FROM rest_routes r
    WHERE r.last_started_at <= $as_of::TIMESTAMP AND r.res_stopped_at <= $as_of::TIMESTAMP
    UNION ALL BY NAME
    SELECT r.*, r.last_stage AS stage, r.last_started_at AS started_at, coalesce(b.breached, false) AS open_breached
    FROM period_routes r
    LEFT JOIN open_breaches b ON b.case_id = r.case_id
    WHERE r.last_started_at <= $as_of::TIMESTAMP
      AND (r.res_stopped_at IS NULL OR r.res_stopped_at > $as_of::TIMESTAMP)
    UNION ALL BY NAME
    SELECT r.* EXCLUDE (first_queue_id, reroutes, returns, escalations, waiting_s, review_s, pending_s,
                        escalated_s, rerouted_s),
           st.stage, st.started_at, st.first_queue_id, st.reroutes, st.returns, st.escalations,
           st.waiting_before AS waiting_s, st.review_before AS review_s, st.pending_before AS pending_s,
           st.escalated_before AS escalated_s, st.rerouted_before AS rerouted_s,
           coalesce(b.breached, false) AS open_breached
    FROM period_routes r
    JOIN summary_routing_segments($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP),
                                  NULL::TIMESTAMP, $as_of::TIMESTAMP) st
      ON st.case_id = r.case_id AND st.ended_at IS NULL
    LEFT JOIN open_breaches b ON b.case_id = r.case_id
    WHERE r.last_started_at > $as_of::TIMESTAMP
),
period_cases AS MATERIALIZED (
    SELECT
        source_no, category_no, automated, classifier_no, classifier_score, current_vertical_no, awaiting_first_action,
        breached,
        -- the path's flags the rates count (held as flags: the first queue's text id is not kept per case)
        first_queue_id IS NOT NULL AS routed, first_queue_id IS NOT NULL AND reroutes > 0 AS rerouted,
        first_queue_id IS NOT NULL AND escalations > 0 AS escalated, escalations > 0 AND returns > 0 AS looped,
        waiting_s, review_s, pending_s, escalated_s, rerouted_s,
        (waiting_s + review_s + pending_s + escalated_s + rerouted_s) / 3600.0 AS case_hours,
        -- the first queue node: 0 automated, -1 unrouted, else the first queue's vertical number
        CASE WHEN automated THEN 0 ELSE coalesce(first_vertical_no, -1) END AS queue_no,
        -- the path node: 1 loop, 2 escalated, 3 rerouted, 4 direct (NULL: not routed, or automated)
        CASE WHEN first_queue_id IS NOT NULL AND NOT automated THEN
            CASE WHEN returns > 0 THEN 1 WHEN escalations > 0 THEN 2
                 WHEN reroutes > 0 THEN 3 ELSE 4 END END AS path_no,
        -- the outcome node: 0 open, else the outcome's code
        coalesce(outcome_no, 0) AS outcome_no,
        decision_no, summarised
    FROM (
        SELECT
            r.summarised, r.source_no, r.category_no, r.automated, r.classifier_no, r.classifier_score, r.current_vertical_no,
            CASE WHEN r.resolved_at <= $as_of::TIMESTAMP THEN r.outcome_no END AS outcome_no,
            CASE WHEN r.resolved_at <= $as_of::TIMESTAMP THEN r.decision_no END AS decision_no,
            (r.first_action_at IS NULL OR r.first_action_at > $as_of::TIMESTAMP)
                AND (r.resolved_at IS NULL OR r.resolved_at > $as_of::TIMESTAMP) AS awaiting_first_action,
            r.first_queue_id, fq.vertical_no AS first_vertical_no, r.reroutes, r.returns, r.escalations,
            (r.waiting_s + CASE WHEN r.stage = 'waiting' THEN r.tail ELSE 0 END)::DOUBLE AS waiting_s,
            (r.review_s + CASE WHEN r.stage = 'review' THEN r.tail ELSE 0 END)::DOUBLE AS review_s,
            (r.pending_s + CASE WHEN r.stage = 'pending' THEN r.tail ELSE 0 END)::DOUBLE AS pending_s,
            (r.escalated_s + CASE WHEN r.stage = 'escalated' THEN r.tail ELSE 0 END)::DOUBLE AS escalated_s,
            (r.rerouted_s + CASE WHEN r.stage = 'rerouted' THEN r.tail ELSE 0 END)::DOUBLE AS rerouted_s,
            coalesce((r.resolved_at IS NULL OR r.resolved_at >= $period_start::TIMESTAMP)
                     AND ((r.fa_stopped_at <= $as_of::TIMESTAMP AND r.fa_breached)
                          OR (r.res_stopped_at <= $as_of::TIMESTAMP AND r.res_breached)), false)
                OR r.open_breached AS breached
        FROM (SELECT *, greatest(epoch($as_of::TIMESTAMP) - epoch(started_at), 0) AS tail FROM cases_at) r
        LEFT JOIN queue_verticals fq ON fq.queue_id = r.first_queue_id
    ) p
),
-- The medians' values of every case: a summarised case's straight from its route row (its last step
-- is closed by $as_of, so no stage runs on to $as_of and its seconds are the stored ones; the same
-- expressions as period_cases', so the values are the same to the bit), the rest from period_cases.
-- The links' values (four groupings read them) are kept only as the node numbers and case hours;
-- the stages' are read again in one pass by their one aggregate, not kept (keeping all ten columns
-- of 10M cases cost more than reading the route rows twice). Each reads only its own columns: one
-- CTE of all ten for both was 3 % slower, its stage pass joining every case to its first queue.
link_cases AS MATERIALIZED (
    SELECT
        r.source_no,
        CASE WHEN r.automated THEN 0 ELSE coalesce(fq.vertical_no, -1) END AS queue_no,
        CASE WHEN r.first_queue_id IS NOT NULL AND NOT r.automated THEN
            CASE WHEN r.returns > 0 THEN 1 WHEN r.escalations > 0 THEN 2
                 WHEN r.reroutes > 0 THEN 3 ELSE 4 END END AS path_no,
        coalesce(CASE WHEN r.resolved_at <= $as_of::TIMESTAMP THEN r.outcome_no END, 0) AS outcome_no,
        (r.waiting_s::DOUBLE + r.review_s::DOUBLE + r.pending_s::DOUBLE + r.escalated_s::DOUBLE
         + r.rerouted_s::DOUBLE) / 3600.0 AS case_hours
    FROM period_routes r
    LEFT JOIN queue_verticals fq ON fq.queue_id = r.first_queue_id
    WHERE r.summarised
    UNION ALL
    SELECT source_no, queue_no, path_no, outcome_no, case_hours
    FROM period_cases
),
stage_cases AS NOT MATERIALIZED (
    SELECT r.waiting_s::DOUBLE AS waiting_s, r.review_s::DOUBLE AS review_s, r.pending_s::DOUBLE AS pending_s,
           r.escalated_s::DOUBLE AS escalated_s, r.rerouted_s::DOUBLE AS rerouted_s
    FROM period_routes r
    WHERE r.summarised
    UNION ALL
    SELECT waiting_s, review_s, pending_s, escalated_s, rerouted_s
    FROM period_cases
),
-- Per stage: the cases that spent time in it, their median seconds there and all their seconds;
-- no row at all without a case (as a grouping by stage would give).
stage_sums AS (
    SELECT count(*) AS all_cases,
           count(*) FILTER (WHERE waiting_s > 0) AS waiting_cases,
           median(waiting_s) FILTER (WHERE waiting_s > 0) AS waiting_median, sum(waiting_s) AS waiting_sum,
           count(*) FILTER (WHERE review_s > 0) AS review_cases,
           median(review_s) FILTER (WHERE review_s > 0) AS review_median, sum(review_s) AS review_sum,
           count(*) FILTER (WHERE pending_s > 0) AS pending_cases,
           median(pending_s) FILTER (WHERE pending_s > 0) AS pending_median, sum(pending_s) AS pending_sum,
           count(*) FILTER (WHERE escalated_s > 0) AS escalated_cases,
           median(escalated_s) FILTER (WHERE escalated_s > 0) AS escalated_median, sum(escalated_s) AS escalated_sum,
           count(*) FILTER (WHERE rerouted_s > 0) AS rerouted_cases,
           median(rerouted_s) FILTER (WHERE rerouted_s > 0) AS rerouted_median, sum(rerouted_s) AS rerouted_sum
    FROM stage_cases
),
stage_rows AS (
    SELECT 'waiting' AS stage, waiting_cases AS cases, waiting_median / 3600.0 AS median_hours,
           waiting_sum / 3600.0 AS hours
    FROM stage_sums WHERE all_cases > 0
    UNION ALL
    SELECT 'review', review_cases, review_median / 3600.0, review_sum / 3600.0 FROM stage_sums WHERE all_cases > 0
    UNION ALL
    SELECT 'pending', pending_cases, pending_median / 3600.0, pending_sum / 3600.0 FROM stage_sums WHERE all_cases > 0
    UNION ALL
    SELECT 'escalated', escalated_cases, escalated_median / 3600.0, escalated_sum / 3600.0
    FROM stage_sums WHERE all_cases > 0
    UNION ALL
    SELECT 'rerouted', rerouted_cases, rerouted_median / 3600.0, rerouted_sum / 3600.0
    FROM stage_sums WHERE all_cases > 0
),
-- The flow's links grouped on the node numbers, named after grouping.
link_groups AS (
    SELECT 'source_node' AS from_column, source_no AS from_no, 'queue_node' AS to_column, queue_no AS to_no,
           count(*) AS cases, median(case_hours) AS median_hours
    FROM link_cases GROUP BY source_no, queue_no
    UNION ALL
    SELECT 'queue_node', queue_no, 'path_node', path_no, count(*), median(case_hours)
    FROM link_cases WHERE path_no IS NOT NULL GROUP BY queue_no, path_no
    UNION ALL
    SELECT 'path_node', path_no, 'outcome_node', outcome_no, count(*), median(case_hours)
    FROM link_cases WHERE path_no IS NOT NULL GROUP BY path_no, outcome_no
    UNION ALL
    SELECT 'queue_node', queue_no, 'outcome_node', outcome_no, count(*), median(case_hours)
    FROM link_cases WHERE path_no IS NULL GROUP BY queue_no, outcome_no
),
-- The flow's node names by node number: the source's and outcome's codes, and the numbers
-- period_cases gives the first queue, the path and an open outcome.
node_names AS (
    SELECT 'source_node' AS node_column, code AS node_no, name AS node_key FROM names WHERE kind = 'source'
    UNION ALL SELECT 'outcome_node', code, name FROM names WHERE kind = 'outcome'
    UNION ALL SELECT 'outcome_node', 0, 'open'
    UNION ALL SELECT 'queue_node', 0, 'automated'
    UNION ALL SELECT 'queue_node', -1, 'unrouted'
    UNION ALL SELECT 'queue_node', vertical_no, 'vertical:' || vertical FROM verticals
    UNION ALL SELECT 'path_node', 1, 'loop'
    UNION ALL SELECT 'path_node', 2, 'escalated'
    UNION ALL SELECT 'path_node', 3, 'rerouted'
    UNION ALL SELECT 'path_node', 4, 'direct'
),
links AS (
    SELECT l.from_column, fn.node_key AS from_key, l.to_column, tn.node_key AS to_key, l.cases, l.median_hours
    FROM link_groups l
    LEFT JOIN node_names fn ON fn.node_column = l.from_column AND fn.node_no = l.from_no
    LEFT JOIN node_names tn ON tn.node_column = l.to_column AND tn.node_no = l.to_no
),
-- The cases not summed in the settled summaries, one by one.
rest_cases AS (
    SELECT * FROM period_cases WHERE NOT summarised
),
-- The settled cases' sums of the range's whole days, within the sidebar filters.
settled AS (
    SELECT s.*, q.vertical_no AS current_vertical_no
    FROM summary_settled_routes s
    JOIN queue_verticals q ON q.queue_id = s.queue_id
    WHERE wf_in_settled_sums(s.created_day, s.settled_day, $period_start::TIMESTAMP,
                             least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, s.region, q.vertical, s.priority, s.vendor_id)
),
settled_scores AS (
    SELECT s.*
    FROM summary_settled_scores s
    JOIN queue_verticals q ON q.queue_id = s.queue_id
    WHERE wf_in_settled_sums(s.created_day, s.settled_day, $period_start::TIMESTAMP,
                             least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, s.region, q.vertical, s.priority, s.vendor_id)
),
rates AS (
    SELECT sum(cases) AS cases, sum(automated) AS automated, sum(routed) AS routed, sum(rerouted) AS rerouted,
           sum(escalated) AS escalated, sum(looped) AS looped, sum(breached) AS breached
    FROM settled
    UNION ALL
    SELECT count(*), count(*) FILTER (WHERE automated), count(*) FILTER (WHERE routed), count(*) FILTER (WHERE rerouted),
           count(*) FILTER (WHERE escalated), count(*) FILTER (WHERE looped), count(*) FILTER (WHERE breached)
    FROM rest_cases
),
-- The breached cases' seconds per stage: NULL in a group with none breached (the sum of no rows).
breach_parts AS (
    SELECT current_vertical_no, sum(cases) AS cases, sum(breached) AS breached,
           CASE WHEN sum(breached) > 0 THEN sum(breached_waiting_s) END AS waiting_s,
           CASE WHEN sum(breached) > 0 THEN sum(breached_review_s) END AS review_s,
           CASE WHEN sum(breached) > 0 THEN sum(breached_pending_s) END AS pending_s,
           CASE WHEN sum(breached) > 0 THEN sum(breached_escalated_s) END AS escalated_s,
           CASE WHEN sum(breached) > 0 THEN sum(breached_rerouted_s) END AS rerouted_s
    FROM settled GROUP BY current_vertical_no
    UNION ALL
    SELECT current_vertical_no, count(*), count(*) FILTER (WHERE breached),
           sum(waiting_s) FILTER (WHERE breached), sum(review_s) FILTER (WHERE breached),
           sum(pending_s) FILTER (WHERE breached), sum(escalated_s) FILTER (WHERE breached),
           sum(rerouted_s) FILTER (WHERE breached)
    FROM rest_cases GROUP BY current_vertical_no
),
breach_groups AS (
    SELECT current_vertical_no, sum(cases)::BIGINT AS cases, sum(breached)::BIGINT AS breached,
           sum(waiting_s) AS waiting_s, sum(review_s) AS review_s, sum(pending_s) AS pending_s,
           sum(escalated_s) AS escalated_s, sum(rerouted_s) AS rerouted_s
    FROM breach_parts GROUP BY current_vertical_no
),
threshold_parts AS (
    SELECT classifier_no, score_band AS band, automated, decision_no, awaiting_first_action, breached,
           sum(cases) AS cases, sum(review_s) AS review_s
    FROM settled_scores
    GROUP BY classifier_no, score_band, automated, decision_no, awaiting_first_action, breached
    UNION ALL
    SELECT classifier_no, wf_score_band(classifier_score), automated, decision_no,
           awaiting_first_action, breached, count(*), sum(review_s)
    FROM rest_cases
    WHERE classifier_no IS NOT NULL
    GROUP BY classifier_no, wf_score_band(classifier_score), automated, decision_no,
             awaiting_first_action, breached
),
lowest_parts AS (
    SELECT classifier_no, min(lowest_score) AS classifier_score
    FROM settled_scores WHERE automated GROUP BY classifier_no
    UNION ALL
    SELECT classifier_no, min(classifier_score)
    FROM rest_cases WHERE classifier_no IS NOT NULL AND automated GROUP BY classifier_no
),
-- per category and source with a case not decided automatically
review_parts AS (
    SELECT category_no, source_no, sum(human_review_s) AS review_s
    FROM settled GROUP BY category_no, source_no HAVING sum(cases - automated) > 0
    UNION ALL
    SELECT category_no, source_no, sum(review_s)
    FROM rest_cases WHERE NOT automated GROUP BY category_no, source_no
)
SELECT
    'rates' AS figure,
    sum(cases)::BIGINT AS cases,
    sum(automated)::BIGINT AS automated,
    sum(routed)::BIGINT AS routed,
    sum(rerouted)::BIGINT AS rerouted,
    sum(escalated)::BIGINT AS escalated,
    sum(looped)::BIGINT AS looped,
    sum(breached)::BIGINT AS breached,
    -- every other figure's columns, typed here: PostgreSQL types a union's columns from its first rows
    NULL::VARCHAR AS from_column, NULL::VARCHAR AS from_key, NULL::VARCHAR AS to_column, NULL::VARCHAR AS to_key,
    NULL::DOUBLE AS median_hours, NULL::VARCHAR AS stage, NULL::DOUBLE AS hours, NULL::VARCHAR AS grp,
    NULL::DOUBLE AS waiting_s, NULL::DOUBLE AS review_s, NULL::DOUBLE AS pending_s, NULL::DOUBLE AS escalated_s,
    NULL::DOUBLE AS rerouted_s, NULL::VARCHAR AS classifier_name, NULL::DOUBLE AS classifier_score,
    NULL::BOOLEAN AS was_automated, NULL::VARCHAR AS decision, NULL::BOOLEAN AS awaiting_first_action,
    NULL::BOOLEAN AS was_breached, NULL::VARCHAR AS category, NULL::VARCHAR AS source
FROM rates
UNION ALL BY NAME
SELECT 'link' AS figure, from_column, from_key, to_column, to_key, cases, median_hours FROM links
UNION ALL BY NAME
SELECT 'stage' AS figure, stage, cases, median_hours, hours FROM stage_rows
UNION ALL BY NAME
SELECT 'breach' AS figure, v.vertical AS grp, b.cases, b.breached, b.waiting_s, b.review_s, b.pending_s,
       b.escalated_s, b.rerouted_s
FROM breach_groups b
LEFT JOIN verticals v ON v.vertical_no = b.current_vertical_no
UNION ALL BY NAME
SELECT 'threshold' AS figure, k.name AS classifier_name, t.band / 100.0 AS classifier_score,
       t.automated AS was_automated,
       CASE t.decision_no WHEN 1 THEN 'violating' WHEN 2 THEN 'non_violating' END AS decision,
       t.awaiting_first_action, t.breached AS was_breached, t.cases, t.review_s
FROM (
    SELECT classifier_no, band, automated, decision_no, awaiting_first_action, breached,
           sum(cases)::BIGINT AS cases, sum(review_s) AS review_s
    FROM threshold_parts
    GROUP BY classifier_no, band, automated, decision_no, awaiting_first_action, breached
) t
JOIN names k ON k.kind = 'classifier' AND k.code = t.classifier_no
UNION ALL BY NAME
SELECT 'lowest_automated' AS figure, k.name AS classifier_name, l.classifier_score
FROM (
    SELECT classifier_no, min(classifier_score) AS classifier_score FROM lowest_parts GROUP BY classifier_no
) l
JOIN names k ON k.kind = 'classifier' AND k.code = l.classifier_no
UNION ALL BY NAME
SELECT 'review' AS figure, c.name AS category, s.name AS source, v.review_s
FROM (
    SELECT category_no, source_no, sum(review_s) AS review_s FROM review_parts GROUP BY category_no, source_no
) v
JOIN names c ON c.kind = 'category' AND c.code = v.category_no
JOIN names s ON s.kind = 'source' AND s.code = v.source_no
ORDER BY figure, from_column, from_key, to_column, to_key, stage, grp, classifier_name, classifier_score,
         was_automated, decision, awaiting_first_action, was_breached, category, source
