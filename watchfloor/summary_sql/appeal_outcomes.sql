-- summary_appeal_outcomes for the cases in the temp table summary_scope: each appeal of the case
-- with the case's reviewer (who decided it) and current queue (vendor_outcomes' join, done once per
-- write of the case). In order of resolution, so that a reader's range on resolved_at can skip row
-- groups.
INSERT INTO summary_appeal_outcomes
SELECT ap.case_id, ap.appeal_id, ap.resolved_at, ap.outcome, c.reviewer_id, c.queue_id
FROM appeals ap
-- the creation range of the scope bounds the cases scanned (a batch of a full build reads its own)
JOIN cases c ON c.case_id = ap.case_id AND c.created_at >= $created_from AND c.created_at < $created_to
WHERE ap.case_id IN (SELECT case_id FROM summary_scope)
ORDER BY ap.resolved_at NULLS LAST, ap.appeal_id
