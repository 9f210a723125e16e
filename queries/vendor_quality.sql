-- Vendors: QA checks made in the period [a, b) (a = $period_start, b = least($period_end, $as_of),
-- by reviewed_at) of decisions by the vendors' reviewers, counted per reviewer unit (vendor,
-- region, site), UTC week, category, golden or not, original and QA decision. Accuracy,
-- golden-set accuracy and Cohen's kappa are computed from these counts (watchfloor/quality.py).
-- The region, vertical and priority filters apply to the case's current queue. Each QA review is
-- read from summary_qa_checks, which carries its case's category and current queue (the tests
-- compare with the same counts joined to the cases).
SELECT
    r.vendor_id, r.region, coalesce(r.site, r.region) AS site,
    date_trunc('week', qa.reviewed_at) AS week_start,
    qa.category,
    qa.is_golden,
    qa.original_decision,
    qa.qa_decision,
    count(*) AS checks
FROM summary_qa_checks qa
JOIN reviewers r ON r.reviewer_id = qa.reviewer_id
JOIN queues q ON q.queue_id = qa.queue_id
JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
WHERE qa.reviewed_at >= $period_start::TIMESTAMP
  AND qa.reviewed_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
  AND wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, r.vendor_id)
GROUP BY ALL
ORDER BY ALL
