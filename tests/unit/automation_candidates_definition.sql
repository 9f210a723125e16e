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
-- The QA checks and the decided appeals made by $as_of, as one list of the cases' evidence, counted
-- per category and source by joining it to the cases in scope once (the evidence is the smaller side).
evidence AS (
    SELECT qa.case_id, 'qa' AS kind, qa.qa_decision = qa.original_decision AS agreed, false AS overturned
    FROM qa_reviews qa
    WHERE qa.reviewed_at <= $as_of::TIMESTAMP
    UNION ALL
    SELECT a.case_id, 'appeal' AS kind, NULL AS agreed, a.outcome = 'overturned' AS overturned
    FROM appeals a
    WHERE a.resolved_at <= $as_of::TIMESTAMP AND a.outcome IN ('upheld', 'overturned')
),
evidence_counts AS (
    SELECT s.category, s.source,
           count(*) FILTER (WHERE e.kind = 'qa') AS qa_checked,
           count(*) FILTER (WHERE e.kind = 'qa' AND e.agreed) AS qa_agreed,
           count(*) FILTER (WHERE e.kind = 'appeal') AS appeals_decided,
           count(*) FILTER (WHERE e.kind = 'appeal' AND e.overturned) AS appeals_overturned
    FROM evidence e
    JOIN scoped s ON s.case_id = e.case_id
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
    coalesce(k.appeals_decided, 0)::BIGINT AS appeals_decided,
    coalesce(k.appeals_overturned, 0)::BIGINT AS appeals_overturned
FROM counted c
LEFT JOIN evidence_counts k ON k.category = c.category AND k.source = c.source
ORDER BY ALL
