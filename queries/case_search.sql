-- Case page search: cases (created by $as_of) whose case id, account id or organisation id is
-- $term, ignoring letter case. matched_on says which; case-id matches first, then newest first;
-- at most $row_limit rows, total_matches counts them all. $term is always a bound value.
SELECT
    c.case_id, c.created_at, c.category, c.priority, c.status, c.account_id, c.org_id,
    q.name AS queue_name,
    CASE WHEN lower(c.case_id) = lower($term) THEN 'case'
         WHEN lower(c.account_id) = lower($term) THEN 'account'
         ELSE 'organisation' END AS matched_on,
    count(*) OVER () AS total_matches
FROM cases c
LEFT JOIN queues q ON q.queue_id = c.queue_id
WHERE c.created_at <= $as_of::TIMESTAMP
  AND (lower(c.case_id) = lower($term) OR lower(c.account_id) = lower($term) OR lower(c.org_id) = lower($term))
ORDER BY matched_on = 'case' DESC, c.created_at DESC, c.case_id
LIMIT $row_limit
