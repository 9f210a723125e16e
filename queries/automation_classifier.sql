-- Automation & routing, classifier feedback: cases flagged by a classifier, created in
-- [$history_start, least($period_end, $as_of)) within the sidebar filters, counted per classifier,
-- category, UTC day and score band of width 0.05 (a score of exactly 1 falls in the 0.95 band), with
-- the human decisions made on them by $as_of (automated decisions are no human judgement) and their
-- QA checks (golden or not) made by $as_of. watchfloor/automation.py works out precision, recall,
-- their intervals and the score drift (PSI) from these counts.
-- Read from the cases' rows in summary_case_routes (the same counts as the raw cases and QA reviews
-- give, tests/unit/automation_classifier_definition.sql), grouped on the classifier's and category's
-- codes and named after grouping. A case's QA checks are counted whole with its row once its last QA
-- review or decided appeal was made by $as_of; only the other cases are joined to the raw QA reviews.
-- The cases created on the range's whole UTC days and settled before $as_of's day are read from their
-- counts in summary_settled_scores instead of one by one.
WITH names AS (
    SELECT kind, code, name FROM summary_names
),
flagged AS NOT MATERIALIZED (
    SELECT c.case_id, c.classifier_no, c.category_no, c.created_at::DATE AS day, c.created_at, c.settled_at,
           wf_drift_band(c.classifier_score) AS band,
           c.automated,
           CASE WHEN NOT c.automated AND c.resolved_at <= $as_of::TIMESTAMP THEN c.decision_no END AS decision_no,
           c.evidence_until,
           -- its evidence all made by $as_of: counted whole from the row (NULL: it has none)
           coalesce(c.evidence_until <= $as_of::TIMESTAMP, true) AS evidence_in,
           c.qa_checked, c.qa_violating, c.golden_checked, c.golden_violating
    FROM summary_case_routes c
    JOIN queues q USING (queue_id)
    WHERE c.classifier_no IS NOT NULL
      AND c.classifier_score IS NOT NULL
      AND c.created_at >= $history_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
-- The QA checks made by $as_of of the cases with evidence after it, counted per classifier, category,
-- day and band.
checks AS (
    SELECT f.classifier_no, f.category_no, f.day, f.band,
           count(*) FILTER (WHERE NOT qa.is_golden) AS qa_checked,
           count(*) FILTER (WHERE NOT qa.is_golden AND qa.qa_decision = 'violating') AS qa_violating,
           count(*) FILTER (WHERE qa.is_golden) AS golden_checked,
           count(*) FILTER (WHERE qa.is_golden AND qa.qa_decision = 'violating') AS golden_violating
    FROM qa_reviews qa
    JOIN flagged f ON f.case_id = qa.case_id
    WHERE qa.reviewed_at <= $as_of::TIMESTAMP
      AND f.evidence_until > $as_of::TIMESTAMP  -- a filter on the scan: its row groups' ranges skip most
    GROUP BY f.classifier_no, f.category_no, f.day, f.band
),
-- the settled cases of the whole days, from their counts
settled_counts AS (
    SELECT s.classifier_no, s.category_no, s.created_day::DATE AS day, s.drift_band AS band,
           sum(s.cases) AS cases,
           coalesce(sum(s.cases) FILTER (WHERE s.automated), 0) AS automated,
           coalesce(sum(s.cases) FILTER (WHERE NOT s.automated AND s.decision_no = 1), 0) AS human_violating,
           coalesce(sum(s.cases) FILTER (WHERE NOT s.automated AND s.decision_no = 2), 0) AS human_non_violating,
           sum(s.qa_checked) AS qa_checked, sum(s.qa_violating) AS qa_violating,
           sum(s.golden_checked) AS golden_checked, sum(s.golden_violating) AS golden_violating
    FROM summary_settled_scores s
    JOIN queues q USING (queue_id)
    WHERE s.drift_band IS NOT NULL
      AND wf_in_settled_sums(s.created_day, s.settled_day, $history_start::TIMESTAMP,
                             least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, s.region, q.vertical, s.priority, s.vendor_id)
    GROUP BY s.classifier_no, s.category_no, s.created_day, s.drift_band
),
-- the other cases one by one
rest_counts AS (
    SELECT classifier_no, category_no, day, band,
           count(*) AS cases,
           count(*) FILTER (WHERE automated) AS automated,
           count(*) FILTER (WHERE decision_no = 1) AS human_violating,
           count(*) FILTER (WHERE decision_no = 2) AS human_non_violating,
           coalesce(sum(qa_checked) FILTER (WHERE evidence_in), 0) AS qa_checked,
           coalesce(sum(qa_violating) FILTER (WHERE evidence_in), 0) AS qa_violating,
           coalesce(sum(golden_checked) FILTER (WHERE evidence_in), 0) AS golden_checked,
           coalesce(sum(golden_violating) FILTER (WHERE evidence_in), 0) AS golden_violating
    -- the cases not in the settled sums, by the two conditions the scan tests column by column
    FROM (
        SELECT * FROM flagged
        WHERE wf_unsettled_by(settled_at, $as_of::TIMESTAMP)
        UNION ALL
        SELECT * FROM flagged
        WHERE wf_settled_on_cut_day(created_at, settled_at, $history_start::TIMESTAMP,
                                    least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
    ) rest
    GROUP BY classifier_no, category_no, day, band
),
counted AS (
    SELECT classifier_no, category_no, day, band,
           sum(cases)::BIGINT AS cases, sum(automated)::BIGINT AS automated,
           sum(human_violating)::BIGINT AS human_violating, sum(human_non_violating)::BIGINT AS human_non_violating,
           sum(qa_checked) AS qa_checked, sum(qa_violating) AS qa_violating,
           sum(golden_checked) AS golden_checked, sum(golden_violating) AS golden_violating
    FROM (SELECT * FROM settled_counts UNION ALL SELECT * FROM rest_counts) u
    GROUP BY classifier_no, category_no, day, band
)
SELECT
    kn.name AS classifier, cn.name AS category, c.day, c.band,
    c.cases, c.automated, c.human_violating, c.human_non_violating,
    (c.qa_checked + coalesce(k.qa_checked, 0))::BIGINT AS qa_checked,
    (c.qa_violating + coalesce(k.qa_violating, 0))::BIGINT AS qa_violating,
    (c.golden_checked + coalesce(k.golden_checked, 0))::BIGINT AS golden_checked,
    (c.golden_violating + coalesce(k.golden_violating, 0))::BIGINT AS golden_violating
FROM counted c
LEFT JOIN checks k
       ON k.classifier_no = c.classifier_no AND k.category_no = c.category_no AND k.day = c.day AND k.band = c.band
JOIN names kn ON kn.kind = 'classifier' AND kn.code = c.classifier_no
JOIN names cn ON cn.kind = 'category' AND cn.code = c.category_no
ORDER BY ALL
