-- Automation & routing, automation candidates: per category and source, the cases created in
-- [$period_start, least($period_end, $as_of)) within the sidebar filters: how many, how many were
-- decided automatically, the human decisions made by $as_of, the QA checks of those decisions made
-- by $as_of (how many agreed with the reviewer), and the appeals decided by $as_of of cases actioned
-- (how many overturned the decision). watchfloor/automation.py ranks them.
WITH scoped AS NOT MATERIALIZED (
    SELECT c.case_id, c.category, c.source, c.automated,
           CASE WHEN NOT c.automated AND c.resolved_at <= $as_of::TIMESTAMP THEN c.decision END AS human_decision
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $period_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
-- The QA checks and appeals are counted per category and source by joining them to the cases in
-- scope (they are the smaller side), not each case to its counts.
checks AS (
    SELECT s.category, s.source, count(*) AS qa_checked, count(*) FILTER (WHERE qa.qa_decision = qa.original_decision) AS qa_agreed
    FROM qa_reviews qa
    JOIN scoped s ON s.case_id = qa.case_id
    WHERE qa.reviewed_at <= $as_of::TIMESTAMP
    GROUP BY s.category, s.source
),
appealed AS (
    SELECT s.category, s.source,
           count(*) FILTER (WHERE a.outcome IN ('upheld', 'overturned')) AS appeals_decided,
           count(*) FILTER (WHERE a.outcome = 'overturned') AS appeals_overturned
    FROM appeals a
    JOIN scoped s ON s.case_id = a.case_id
    WHERE a.resolved_at <= $as_of::TIMESTAMP
    GROUP BY s.category, s.source
),
counted AS (
    SELECT
        category, source,
        count(*) AS cases,
        count(*) FILTER (WHERE automated) AS automated,
        count(*) FILTER (WHERE human_decision = 'violating') AS human_violating,
        count(*) FILTER (WHERE human_decision = 'non_violating') AS human_non_violating
    FROM scoped
    GROUP BY category, source
)
SELECT
    c.category, c.source, c.cases, c.automated, c.human_violating, c.human_non_violating,
    coalesce(k.qa_checked, 0)::BIGINT AS qa_checked,
    coalesce(k.qa_agreed, 0)::BIGINT AS qa_agreed,
    coalesce(a.appeals_decided, 0)::BIGINT AS appeals_decided,
    coalesce(a.appeals_overturned, 0)::BIGINT AS appeals_overturned
FROM counted c
LEFT JOIN checks k ON k.category = c.category AND k.source = c.source
LEFT JOIN appealed a ON a.category = c.category AND a.source = c.source
ORDER BY ALL
