-- summary_case_routes for the cases in the temp table summary_scope (after their
-- summary_case_stages and summary_sla_stopped rows): the case's last step (the one with no next
-- step) with the path it carries, its clocks' final stops, and the case's own columns. Only cases
-- in `cases` with steps count, so a rebuild of a deleted case leaves no row.
INSERT INTO summary_case_routes
-- each source narrowed to the scope's cases first (a semi-join on the scan), so that a batch's
-- refresh does not join the whole of the stage and clock summaries
WITH last_steps AS (
    SELECT * FROM summary_case_stages
    WHERE case_id IN (SELECT case_id FROM summary_scope) AND ended_at IS NULL
      AND created_at >= $created_from AND created_at < $created_to
),
stops AS (
    SELECT case_id, clock, stopped_at, breached FROM summary_sla_stopped
    WHERE case_id IN (SELECT case_id FROM summary_scope)
)
SELECT
    c.case_id, c.created_at, c.first_action_at, c.resolved_at, c.queue_id, c.priority, c.region, c.vendor_id,
    c.source, c.category, c.automated, c.classifier_name, c.classifier_score, c.decision, c.enforcement_action,
    s.stage AS last_stage, s.started_at AS last_started_at, s.first_queue_id, s.reroutes, s.returns, s.escalations,
    s.waiting_before AS waiting_s, s.review_before AS review_s, s.pending_before AS pending_s,
    s.escalated_before AS escalated_s, s.rerouted_before AS rerouted_s,
    fa.stopped_at AS fa_stopped_at, fa.breached AS fa_breached, res.stopped_at AS res_stopped_at,
    res.breached AS res_breached
FROM cases c
JOIN last_steps s ON s.case_id = c.case_id
LEFT JOIN stops fa ON fa.case_id = c.case_id AND fa.clock = 'first_action'
LEFT JOIN stops res ON res.case_id = c.case_id AND res.clock = 'resolution'
WHERE c.case_id IN (SELECT case_id FROM summary_scope) AND c.created_at >= $created_from AND c.created_at < $created_to
-- in the order of creation, so that a reader's range on created_at skips the other row groups
ORDER BY c.created_at, c.case_id
