-- Automation & routing, automation candidates: per category and source, the cases created in
-- [$period_start, least($period_end, $as_of)) within the sidebar filters: how many, how many were
-- decided automatically, the human decisions made by $as_of, the QA checks of those decisions made
-- by $as_of (how many agreed with the reviewer), and the appeals decided by $as_of of cases actioned
-- (how many overturned the decision). watchfloor/automation.py ranks them.
WITH scoped AS (
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
checks AS (
    SELECT case_id, count(*) AS qa_checked, count(*) FILTER (WHERE qa_decision = original_decision) AS qa_agreed
    FROM qa_reviews
    WHERE reviewed_at <= $as_of::TIMESTAMP AND case_id IN (SELECT case_id FROM scoped)
    GROUP BY case_id
),
appealed AS (
    SELECT case_id,
           count(*) FILTER (WHERE outcome IN ('upheld', 'overturned')) AS appeals_decided,
           count(*) FILTER (WHERE outcome = 'overturned') AS appeals_overturned
    FROM appeals
    WHERE resolved_at <= $as_of::TIMESTAMP AND case_id IN (SELECT case_id FROM scoped)
    GROUP BY case_id
)
SELECT
    s.category, s.source,
    count(*) AS cases,
    count(*) FILTER (WHERE s.automated) AS automated,
    count(*) FILTER (WHERE s.human_decision = 'violating') AS human_violating,
    count(*) FILTER (WHERE s.human_decision = 'non_violating') AS human_non_violating,
    coalesce(sum(k.qa_checked), 0)::BIGINT AS qa_checked,
    coalesce(sum(k.qa_agreed), 0)::BIGINT AS qa_agreed,
    coalesce(sum(a.appeals_decided), 0)::BIGINT AS appeals_decided,
    coalesce(sum(a.appeals_overturned), 0)::BIGINT AS appeals_overturned
FROM scoped s
LEFT JOIN checks k USING (case_id)
LEFT JOIN appealed a USING (case_id)
GROUP BY ALL
ORDER BY ALL
