-- Vendors: what became of the vendors' decisions, per reviewer unit (vendor, region, site of
-- the reviewer who decided the case, cases.reviewer_id) and UTC week, in the period [a, b)
-- (a = $period_start, b = least($period_end, $as_of)): appeals decided in the period
-- (resolved_at in [a, b); pending appeals are left out) and how many were overturned. SLA
-- adherence comes from vendor_sla.sql (both clocks, the SLA page's rule).
-- The region, vertical and priority filters apply to the case's current queue. Each appeal is read
-- from summary_appeal_outcomes, which carries its case's reviewer and current queue (the tests
-- compare with the same counts joined to the cases).
WITH bounds AS (
    SELECT $period_start::TIMESTAMP AS a, least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS b
),
scope AS (
    SELECT q.queue_id
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in_queue_scope_but_vendor($regions, $verticals, $priorities, q.region, q.vertical, p.priority)
),
appeal_rows AS (
    SELECT ap.reviewer_id, date_trunc('week', ap.resolved_at) AS week_start,
           count(*) AS appeals_decided,
           count(*) FILTER (WHERE ap.outcome = 'overturned') AS appeals_overturned
    FROM summary_appeal_outcomes ap
    CROSS JOIN bounds
    WHERE ap.outcome <> 'pending'
      AND ap.resolved_at >= bounds.a AND ap.resolved_at < bounds.b
      AND ap.reviewer_id IS NOT NULL
      AND ap.queue_id IN (SELECT queue_id FROM scope)
    GROUP BY ALL
)
SELECT r.vendor_id, r.region, coalesce(r.site, r.region) AS site, j.week_start,
       sum(j.appeals_decided)::BIGINT AS appeals_decided,
       sum(j.appeals_overturned)::BIGINT AS appeals_overturned
FROM appeal_rows j
JOIN reviewers r ON r.reviewer_id = j.reviewer_id
WHERE wf_in_vendor_scope($vendors, r.vendor_id)
GROUP BY ALL
ORDER BY ALL
