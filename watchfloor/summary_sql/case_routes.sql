-- summary_case_routes for the cases in the temp table summary_scope (after their
-- summary_case_stages, summary_sla_stopped and summary_names rows): the case's last step (the one
-- with no next step) with the path it carries, its clocks' final stops, and the case's own columns
-- (its source, category, classifier and outcome as their codes in summary_names). Only cases
-- in `cases` with steps count, so a rebuild of a deleted case leaves no row.
INSERT INTO summary_case_routes
-- each source narrowed to the scope's cases first (a semi-join on the scan), so that a batch's
-- refresh does not join the whole of the stage and clock summaries
WITH last_steps AS (
    SELECT * FROM summary_case_stages
    WHERE wf_in_scope(case_id) AND ended_at IS NULL
      AND created_at >= $created_from AND created_at < $created_to
),
stops AS (
    SELECT case_id, clock, stopped_at, breached FROM summary_sla_stopped
    WHERE wf_in_scope(case_id)
      -- the creation range of the scope first: the semi-join then probes only its rows, not every clock
      AND created_at >= $created_from AND created_at < $created_to
),
-- each name's code (summary_names, built just before)
source_names AS (SELECT code, name FROM summary_names WHERE kind = 'source'),
category_names AS (SELECT code, name FROM summary_names WHERE kind = 'category'),
classifier_names AS (SELECT code, name FROM summary_names WHERE kind = 'classifier'),
outcome_names AS (SELECT code, name FROM summary_names WHERE kind = 'outcome'),
-- the case's QA reviews and decided appeals, counted whole, with the instant of the last
qa AS (
    SELECT case_id, max(reviewed_at) AS last_at,
           count(*) FILTER (WHERE NOT is_golden) AS qa_checked,
           count(*) FILTER (WHERE NOT is_golden AND qa_decision = 'violating') AS qa_violating,
           count(*) FILTER (WHERE is_golden) AS golden_checked,
           count(*) FILTER (WHERE is_golden AND qa_decision = 'violating') AS golden_violating,
           count(*) FILTER (WHERE qa_decision = original_decision) AS qa_agreed
    FROM qa_reviews
    WHERE case_id IN (SELECT case_id FROM summary_scope) AND reviewed_at IS NOT NULL
    GROUP BY case_id
),
decided_appeals AS (
    SELECT case_id, max(resolved_at) AS last_at, count(*) AS appeals_decided,
           count(*) FILTER (WHERE outcome = 'overturned') AS appeals_overturned
    FROM appeals
    WHERE case_id IN (SELECT case_id FROM summary_scope) AND resolved_at IS NOT NULL
      AND outcome IN ('upheld', 'overturned')
    GROUP BY case_id
)
SELECT
    c.case_id, c.created_at, c.first_action_at, c.resolved_at, c.queue_id, c.priority, c.region, c.vendor_id,
    sn.code AS source_no, cn.code AS category_no, c.automated, kn.code AS classifier_no, c.classifier_score,
    o.code AS outcome_no, CASE c.decision WHEN 'violating' THEN 1 WHEN 'non_violating' THEN 2 END AS decision_no,
    s.stage AS last_stage, s.started_at AS last_started_at, s.first_queue_id, s.reroutes, s.returns, s.escalations,
    s.waiting_before AS waiting_s, s.review_before AS review_s, s.pending_before AS pending_s,
    s.escalated_before AS escalated_s, s.rerouted_before AS rerouted_s,
    fa.stopped_at AS fa_stopped_at, fa.breached AS fa_breached, res.stopped_at AS res_stopped_at,
    res.breached AS res_breached,
    CASE WHEN qa.last_at IS NULL OR ap.last_at > qa.last_at THEN ap.last_at ELSE qa.last_at END AS evidence_until,
    coalesce(qa.qa_checked, 0)::INTEGER AS qa_checked, coalesce(qa.qa_violating, 0)::INTEGER AS qa_violating,
    coalesce(qa.golden_checked, 0)::INTEGER AS golden_checked,
    coalesce(qa.golden_violating, 0)::INTEGER AS golden_violating, coalesce(qa.qa_agreed, 0)::INTEGER AS qa_agreed,
    coalesce(ap.appeals_decided, 0)::INTEGER AS appeals_decided,
    coalesce(ap.appeals_overturned, 0)::INTEGER AS appeals_overturned,
    -- settled: its last step closed, its resolution clock stopped (and no resolution before creation,
    -- which a range's start would judge); from the last instant anything it shows was made
    CASE WHEN s.stage = 'closed' AND res.stopped_at IS NOT NULL AND (c.resolved_at IS NULL OR c.resolved_at >= c.created_at)
         THEN greatest(s.started_at, res.stopped_at, c.resolved_at, c.first_action_at, fa.stopped_at, qa.last_at, ap.last_at)
    END AS settled_at
FROM cases c
JOIN last_steps s ON s.case_id = c.case_id
LEFT JOIN stops fa ON fa.case_id = c.case_id AND fa.clock = 'first_action'
LEFT JOIN stops res ON res.case_id = c.case_id AND res.clock = 'resolution'
JOIN source_names sn ON sn.name = c.source
JOIN category_names cn ON cn.name = c.category
LEFT JOIN classifier_names kn ON kn.name = c.classifier_name
LEFT JOIN outcome_names o ON o.name = wf_outcome_key(c.decision, c.enforcement_action)
LEFT JOIN qa ON qa.case_id = c.case_id
LEFT JOIN decided_appeals ap ON ap.case_id = c.case_id
WHERE wf_in_scope(c.case_id) AND c.created_at >= $created_from AND c.created_at < $created_to
-- in the order of creation, so that a reader's range on created_at skips the other row groups
ORDER BY c.created_at, c.case_id
