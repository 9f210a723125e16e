-- Automation & routing, automation candidates: per category and source, the cases created in
-- [$period_start, least($period_end, $as_of)) within the sidebar filters: how many, how many were
-- decided automatically, the human decisions made by $as_of, the QA checks of those decisions made
-- by $as_of (how many agreed with the reviewer), and the appeals decided by $as_of of cases actioned
-- (how many overturned the decision). watchfloor/automation.py ranks them.
-- Read from the cases' rows in summary_case_routes (the same counts as the raw cases, QA reviews and
-- appeals give, tests/unit/automation_candidates_definition.sql), grouped on the category's and
-- source's codes and named after grouping. A case's QA checks and decided appeals are counted whole
-- with its row once the last of them was made by $as_of; only the other cases (none as of now) are
-- joined to the raw QA reviews and appeals by id. The cases created on the range's whole UTC days and
-- settled before $as_of's day are read from their counts in summary_settled_routes instead of one by one.
WITH names AS (
    SELECT kind, code, name FROM summary_names
),
scoped AS NOT MATERIALIZED (
    SELECT c.case_id, c.category_no, c.source_no, c.automated, c.created_at, c.settled_at,
           CASE WHEN NOT c.automated AND c.resolved_at <= $as_of::TIMESTAMP THEN c.decision_no END AS decision_no,
           c.evidence_until,
           -- its evidence all made by $as_of: counted whole from the row (NULL: it has none)
           coalesce(c.evidence_until <= $as_of::TIMESTAMP, true) AS evidence_in,
           c.qa_checked + c.golden_checked AS qa_checked, c.qa_agreed, c.appeals_decided, c.appeals_overturned
    FROM summary_case_routes c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $period_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
-- The QA checks and the decided appeals made by $as_of of the cases with evidence after it, as one
-- list, counted per category and source.
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
    SELECT s.category_no, s.source_no,
           count(*) FILTER (WHERE e.kind = 'qa') AS qa_checked,
           count(*) FILTER (WHERE e.kind = 'qa' AND e.agreed) AS qa_agreed,
           count(*) FILTER (WHERE e.kind = 'appeal') AS appeals_decided,
           count(*) FILTER (WHERE e.kind = 'appeal' AND e.overturned) AS appeals_overturned
    FROM evidence e
    JOIN scoped s ON s.case_id = e.case_id
    WHERE s.evidence_until > $as_of::TIMESTAMP  -- a filter on the scan: its row groups' ranges skip most
    GROUP BY s.category_no, s.source_no
),
-- the settled cases of the whole days, from their counts
settled_counts AS (
    SELECT s.category_no, s.source_no, sum(s.cases) AS cases, sum(s.automated) AS automated,
           sum(s.human_violating) AS human_violating, sum(s.human_non_violating) AS human_non_violating,
           sum(s.qa_checked) AS qa_checked, sum(s.qa_agreed) AS qa_agreed, sum(s.appeals_decided) AS appeals_decided,
           sum(s.appeals_overturned) AS appeals_overturned
    FROM summary_settled_routes s
    JOIN queues q USING (queue_id)
    WHERE wf_in_settled_sums(s.created_day, s.settled_day, $period_start::TIMESTAMP,
                             least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, s.region, q.vertical, s.priority, s.vendor_id)
    GROUP BY s.category_no, s.source_no
),
-- the other cases one by one
rest_counts AS (
    SELECT
        category_no, source_no,
        count(*) AS cases,
        count(*) FILTER (WHERE automated) AS automated,
        count(*) FILTER (WHERE decision_no = 1) AS human_violating,
        count(*) FILTER (WHERE decision_no = 2) AS human_non_violating,
        coalesce(sum(qa_checked) FILTER (WHERE evidence_in), 0) AS qa_checked,
        coalesce(sum(qa_agreed) FILTER (WHERE evidence_in), 0) AS qa_agreed,
        coalesce(sum(appeals_decided) FILTER (WHERE evidence_in), 0) AS appeals_decided,
        coalesce(sum(appeals_overturned) FILTER (WHERE evidence_in), 0) AS appeals_overturned
    -- the cases not in the settled sums, by the two conditions the scan tests column by column
    FROM (
        SELECT * FROM scoped
        WHERE wf_unsettled_by(settled_at, $as_of::TIMESTAMP)
        UNION ALL
        SELECT * FROM scoped
        WHERE wf_settled_on_cut_day(created_at, settled_at, $period_start::TIMESTAMP,
                                    least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
    ) rest
    GROUP BY category_no, source_no
),
counted AS (
    SELECT category_no, source_no, sum(cases)::BIGINT AS cases, sum(automated)::BIGINT AS automated,
           sum(human_violating)::BIGINT AS human_violating, sum(human_non_violating)::BIGINT AS human_non_violating,
           sum(qa_checked) AS qa_checked, sum(qa_agreed) AS qa_agreed, sum(appeals_decided) AS appeals_decided,
           sum(appeals_overturned) AS appeals_overturned
    FROM (SELECT * FROM settled_counts UNION ALL SELECT * FROM rest_counts) u
    GROUP BY category_no, source_no
)
SELECT
    cn.name AS category, sn.name AS source, c.cases, c.automated, c.human_violating, c.human_non_violating,
    (c.qa_checked + coalesce(k.qa_checked, 0))::BIGINT AS qa_checked,
    (c.qa_agreed + coalesce(k.qa_agreed, 0))::BIGINT AS qa_agreed,
    (c.appeals_decided + coalesce(k.appeals_decided, 0))::BIGINT AS appeals_decided,
    (c.appeals_overturned + coalesce(k.appeals_overturned, 0))::BIGINT AS appeals_overturned
FROM counted c
LEFT JOIN evidence_counts k ON k.category_no = c.category_no AND k.source_no = c.source_no
JOIN names cn ON cn.kind = 'category' AND cn.code = c.category_no
JOIN names sn ON sn.kind = 'source' AND sn.code = c.source_no
ORDER BY ALL
