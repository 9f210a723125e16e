-- The definition quality_reviews is checked against (tests/unit/test_vendor_review_summaries.py): each QA
-- review joined to its case (category, current queue) on the raw tables, with no summary. (The query reads
-- the same from summary_qa_checks.)
-- Quality: QA checks made in the period [a, b) (a = $period_start, b = least($period_end, $as_of),
-- by reviewed_at), counted per reviewer (id only), vendor, category, UTC day, golden or not,
-- original and QA decision. Every figure of the Quality page is computed from these counts
-- (watchfloor/quality.py). The region, vertical and priority filters apply to the case's current
-- queue; the vendor filter to the reviewer's vendor.
SELECT
    qa.reviewer_id,
    r.vendor_id,
    v.name AS vendor,
    c.category,
    qa.reviewed_at::DATE AS day,
    qa.is_golden,
    qa.original_decision,
    qa.qa_decision,
    count(*) AS checks
FROM qa_reviews qa
JOIN reviewers r ON r.reviewer_id = qa.reviewer_id
JOIN vendors v ON v.vendor_id = r.vendor_id
JOIN cases c ON c.case_id = qa.case_id
JOIN queues q ON q.queue_id = c.queue_id
JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
WHERE qa.reviewed_at >= $period_start::TIMESTAMP
  AND qa.reviewed_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
  AND wf_in($regions, q.region)
  AND wf_in($verticals, q.vertical)
  AND wf_in($priorities, p.priority)
  AND wf_in($vendors, r.vendor_id)
GROUP BY ALL
ORDER BY ALL
