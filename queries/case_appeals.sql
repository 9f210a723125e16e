-- Case page: the appeals against the case's decision filed up to $as_of, oldest first. An appeal
-- resolved after $as_of is still pending as of then; seconds_to_resolve only for resolved ones.
SELECT
    appeal_id,
    filed_at,
    CASE WHEN resolved_at <= $as_of::TIMESTAMP THEN resolved_at END AS resolved_at,
    CASE WHEN resolved_at <= $as_of::TIMESTAMP THEN outcome ELSE 'pending' END AS outcome,
    CASE WHEN resolved_at <= $as_of::TIMESTAMP THEN epoch(resolved_at) - epoch(filed_at) END AS seconds_to_resolve
FROM appeals
WHERE case_id = $case_id
  AND filed_at <= $as_of::TIMESTAMP
ORDER BY filed_at, appeal_id
