-- Automation & routing, classifier recall: per category and UTC day, the cases created in
-- [$history_start, least($period_end, $as_of)) within the sidebar filters that a person decided
-- violating by $as_of, whatever their source (the denominator of a classifier's recall).
-- Read from the cases' rows in summary_case_routes (the same counts as the raw cases give,
-- tests/unit/automation_category_decisions_definition.sql); the cases created on the range's whole
-- UTC days and settled before $as_of's day from their counts in summary_settled_routes instead.
WITH names AS (
    SELECT kind, code, name FROM summary_names
),
-- the cases a person decided violating by $as_of, created in the range and within the filters
decided AS NOT MATERIALIZED (
    SELECT c.category_no, c.created_at, c.settled_at
    FROM summary_case_routes c
    JOIN queues q USING (queue_id)
    WHERE NOT c.automated
      AND c.decision_no = 1
      AND c.resolved_at <= $as_of::TIMESTAMP
      AND c.created_at >= $history_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
counted AS (
    SELECT s.category_no, s.created_day::DATE AS day, sum(s.human_violating) AS human_violating
    FROM summary_settled_routes s
    JOIN queues q USING (queue_id)
    WHERE wf_in_settled_sums(s.created_day, s.settled_day, $history_start::TIMESTAMP,
                             least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, s.region, q.vertical, s.priority, s.vendor_id)
    GROUP BY s.category_no, s.created_day
    UNION ALL
    SELECT category_no, created_at::DATE, count(*)
    -- the cases not in the settled sums, by the two conditions the scan tests column by column
    FROM (
        SELECT * FROM decided WHERE wf_unsettled_by(settled_at, $as_of::TIMESTAMP)
        UNION ALL
        SELECT * FROM decided
        WHERE wf_settled_on_cut_day(created_at, settled_at, $history_start::TIMESTAMP,
                                    least($period_end::TIMESTAMP, $as_of::TIMESTAMP), $as_of::TIMESTAMP)
    ) rest
    GROUP BY category_no, created_at::DATE
)
SELECT cn.name AS category, c.day, sum(c.human_violating)::BIGINT AS human_violating
FROM counted c
JOIN names cn ON cn.kind = 'category' AND cn.code = c.category_no
GROUP BY cn.name, c.day
HAVING sum(c.human_violating) > 0
ORDER BY ALL
