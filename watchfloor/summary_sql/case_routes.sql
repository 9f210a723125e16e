-- summary_case_routes for the cases in the temp table summary_scope (after their
-- summary_case_stages and summary_sla_stopped rows): the case's last step (the one with no next
-- step) with the path it carries, its clocks' final stops, and the case's own columns. Only cases
-- in `cases` with steps count, so a rebuild of a deleted case leaves no row.
INSERT INTO summary_case_routes
SELECT
    c.case_id, c.created_at, c.first_action_at, c.resolved_at, c.queue_id, c.priority, c.region, c.vendor_id,
    c.source, c.category, c.automated, c.classifier_name, c.classifier_score, c.decision, c.enforcement_action,
    s.stage, s.started_at, s.first_queue_id, s.reroutes, s.returns, s.escalations,
    s.waiting_before, s.review_before, s.pending_before, s.escalated_before, s.rerouted_before,
    fa.stopped_at, fa.breached, res.stopped_at, res.breached
FROM cases c
JOIN summary_case_stages s ON s.case_id = c.case_id AND s.ended_at IS NULL
LEFT JOIN summary_sla_stopped fa ON fa.case_id = c.case_id AND fa.clock = 'first_action'
LEFT JOIN summary_sla_stopped res ON res.case_id = c.case_id AND res.clock = 'resolution'
WHERE c.case_id IN (SELECT case_id FROM summary_scope)
-- in the order of creation, so that a reader's range on created_at skips the other row groups
ORDER BY c.created_at, c.case_id
