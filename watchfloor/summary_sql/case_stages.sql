-- summary_case_stages for the cases in the temp table summary_scope: their steps through the
-- stages over all of their events, selected from the definition, routing_case_segments
-- (queries/macros/routing.sql), for those cases only and with no upper bound (as_of infinity:
-- ended_at stays NULL while a case has no next step). summary_routing_segments reads them back as
-- of any instant. Only cases in `cases` count, so a rebuild of a deleted case leaves no rows.
-- $created_from .. $created_to (exclusive) is the creation range of the scope's cases (see
-- summaries._build_scope): a bound the scans skip other cases' row groups by, as in the builds after.
INSERT INTO summary_case_stages
SELECT
    s.case_id, s.event_id, s.event_type, s.queue_id, s.tier, s.tier_before, s.nth_routed, s.stage,
    s.started_at, s.ended_at, s.first_queue_id, s.reroutes, s.returns, s.escalations,
    s.waiting_before, s.review_before, s.pending_before, s.escalated_before, s.rerouted_before,
    c.created_at, c.resolved_at
FROM routing_case_segments($created_from::TIMESTAMP, $created_to::TIMESTAMP, NULL::TIMESTAMP, 'infinity'::TIMESTAMP,
                           (SELECT list(case_id) FROM summary_scope)) s
JOIN cases c ON c.case_id = s.case_id AND c.created_at >= $created_from AND c.created_at < $created_to
-- in the order of creation, so that a reader's range on created_at skips the other row groups
ORDER BY c.created_at, s.case_id, s.started_at, s.event_id
