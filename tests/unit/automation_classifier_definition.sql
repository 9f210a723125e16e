-- Automation & routing, classifier feedback: cases flagged by a classifier, created in
-- [$history_start, least($period_end, $as_of)) within the sidebar filters, counted per classifier,
-- category, UTC day and score band of width 0.05 (a score of exactly 1 falls in the 0.95 band), with
-- the human decisions made on them by $as_of (automated decisions are no human judgement) and their
-- QA checks (golden or not) made by $as_of. watchfloor/automation.py works out precision, recall,
-- their intervals and the score drift (PSI) from these counts.
WITH flagged AS NOT MATERIALIZED (
    SELECT c.case_id, c.classifier_name, c.category, c.created_at::DATE AS day,
           least(floor(c.classifier_score * 20), 19) / 20 AS band,
           c.automated,
           CASE WHEN NOT c.automated AND c.resolved_at <= $as_of::TIMESTAMP THEN c.decision END AS human_decision
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.classifier_name IS NOT NULL
      AND c.classifier_score IS NOT NULL
      AND c.created_at >= $history_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
-- The QA checks are counted per classifier, category, day and band by joining them to the flagged
-- cases (they are the smaller side), not each case to its counts.
checks AS (
    SELECT f.classifier_name, f.category, f.day, f.band,
           count(*) FILTER (WHERE NOT qa.is_golden) AS qa_checked,
           count(*) FILTER (WHERE NOT qa.is_golden AND qa.qa_decision = 'violating') AS qa_violating,
           count(*) FILTER (WHERE qa.is_golden) AS golden_checked,
           count(*) FILTER (WHERE qa.is_golden AND qa.qa_decision = 'violating') AS golden_violating
    FROM qa_reviews qa
    JOIN flagged f ON f.case_id = qa.case_id
    WHERE qa.reviewed_at <= $as_of::TIMESTAMP
    GROUP BY f.classifier_name, f.category, f.day, f.band
),
counted AS (
    SELECT classifier_name, category, day, band,
           count(*) AS cases,
           count(*) FILTER (WHERE automated) AS automated,
           count(*) FILTER (WHERE human_decision = 'violating') AS human_violating,
           count(*) FILTER (WHERE human_decision = 'non_violating') AS human_non_violating
    FROM flagged
    GROUP BY classifier_name, category, day, band
)
SELECT
    c.classifier_name AS classifier, c.category, c.day, c.band,
    c.cases, c.automated, c.human_violating, c.human_non_violating,
    coalesce(k.qa_checked, 0)::BIGINT AS qa_checked,
    coalesce(k.qa_violating, 0)::BIGINT AS qa_violating,
    coalesce(k.golden_checked, 0)::BIGINT AS golden_checked,
    coalesce(k.golden_violating, 0)::BIGINT AS golden_violating
FROM counted c
LEFT JOIN checks k
       ON k.classifier_name = c.classifier_name AND k.category = c.category AND k.day = c.day AND k.band = c.band
ORDER BY ALL
