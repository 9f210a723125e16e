-- Case page: the QA reviews of the case up to $as_of, oldest first; `agrees` is whether the QA
-- reviewer reached the reviewer's decision.
SELECT
    qa_id, reviewed_at, reviewer_id, qa_reviewer_id, original_decision, qa_decision, is_golden,
    original_decision = qa_decision AS agrees
FROM qa_reviews
WHERE case_id = $case_id
  AND reviewed_at <= $as_of::TIMESTAMP
ORDER BY reviewed_at, qa_id
