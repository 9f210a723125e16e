-- Case page: the content excerpt of one case, read only when a user with the right to reveal it
-- has given a reason (and the reveal has been written to the audit log).
SELECT content_excerpt
FROM cases
WHERE case_id = $case_id
