-- summary_qa_checks for the cases in the temp table summary_scope: each QA review of the case with
-- the case's category and current queue (vendor_quality's join, done once per write of the case). In
-- review order, so that a reader's range on reviewed_at can skip row groups.
INSERT INTO summary_qa_checks
SELECT qa.case_id, qa.qa_id, qa.reviewer_id, qa.reviewed_at, qa.is_golden, qa.original_decision, qa.qa_decision,
       c.category, c.queue_id
FROM qa_reviews qa
-- the creation range of the scope bounds the cases scanned (a batch of a full build reads its own)
JOIN cases c ON c.case_id = qa.case_id AND c.created_at >= $created_from AND c.created_at < $created_to
WHERE qa.case_id IN (SELECT case_id FROM summary_scope)
ORDER BY qa.reviewed_at, qa.qa_id
