-- The definition vendor_outcomes is checked against (tests/unit/test_vendor_review_summaries.py): each appeal joined to its case (reviewer, current queue) on the raw tables,
-- with no summary. (The query reads the same from summary_appeal_outcomes.)
-- Vendors: what became of the vendors' decisions, per reviewer unit (vendor, region, site of
-- the reviewer who decided the case, cases.reviewer_id) and UTC week, in the period [a, b)
-- (a = $period_start, b = least($period_end, $as_of)): appeals decided in the period
-- (resolved_at in [a, b); pending appeals are left out) and how many were overturned. SLA
-- adherence comes from vendor_sla.sql (both clocks, the SLA page's rule).
-- The region, vertical and priority filters apply to the case's current queue.
WITH bounds AS (
    SELECT $period_start::TIMESTAMP AS a, least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS b
),
scope AS (
    SELECT q.queue_id
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, p.priority)
),
appeal_rows AS (
    SELECT c.reviewer_id, date_trunc('week', ap.resolved_at) AS week_start,
           count(*) AS appeals_decided,
           count(*) FILTER (WHERE ap.outcome = 'overturned') AS appeals_overturned
    FROM appeals ap
    CROSS JOIN bounds
    JOIN cases c ON c.case_id = ap.case_id
    WHERE ap.outcome <> 'pending'
      AND ap.resolved_at >= bounds.a AND ap.resolved_at < bounds.b
      AND c.reviewer_id IS NOT NULL
      AND c.queue_id IN (SELECT queue_id FROM scope)
    GROUP BY ALL
)
SELECT r.vendor_id, r.region, coalesce(r.site, r.region) AS site, j.week_start,
       sum(j.appeals_decided)::BIGINT AS appeals_decided,
       sum(j.appeals_overturned)::BIGINT AS appeals_overturned
FROM appeal_rows j
JOIN reviewers r ON r.reviewer_id = j.reviewer_id
WHERE wf_in($vendors, r.vendor_id)
GROUP BY ALL
ORDER BY ALL
