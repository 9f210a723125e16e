-- Quality: QA checks made in the period [a, b) (a = $period_start, b = least($period_end, $as_of),
-- by reviewed_at), counted per reviewer (id only), vendor, category, UTC day, golden or not,
-- original and QA decision. Every figure of the Quality page is computed from these counts
-- (watchfloor/quality.py). The region, vertical and priority filters apply to the case's current
-- queue; the vendor filter to the reviewer's vendor. Each QA review is read from summary_qa_checks,
-- which carries its case's category and current queue, as vendor_quality reads it (the tests
-- compare with the same counts joined to the cases).
SELECT
    qa.reviewer_id,
    r.vendor_id,
    v.name AS vendor,
    qa.category,
    qa.reviewed_at::DATE AS day,
    qa.is_golden,
    qa.original_decision,
    qa.qa_decision,
    count(*) AS checks
FROM summary_qa_checks qa
JOIN reviewers r ON r.reviewer_id = qa.reviewer_id
JOIN vendors v ON v.vendor_id = r.vendor_id
JOIN queues q ON q.queue_id = qa.queue_id
JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
WHERE qa.reviewed_at >= $period_start::TIMESTAMP
  AND qa.reviewed_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
  AND wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, r.vendor_id)
GROUP BY ALL
ORDER BY ALL
