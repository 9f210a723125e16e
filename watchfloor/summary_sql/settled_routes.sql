-- summary_settled_routes for the (creation day, settle day) pairs in the temp table summary_settle_days,
-- from summary_case_routes (every case's row, built before): its settled cases counted and summed per
-- pair, filter columns, source and category, each figure as routing_figures and automation_candidates
-- work it out for a case as of any instant from its settled_at on (its last step closed: no running
-- stage time; its clocks stopped, decided). $created_from / $created_to bound the pairs' creation
-- days, so that the scan skips the other row groups.
INSERT INTO summary_settled_routes
SELECT
    r.created_day, r.settled_day, r.queue_id, r.priority, r.region, r.vendor_id, r.source_no, r.category_no,
    count(*) AS cases,
    count(*) FILTER (WHERE r.automated) AS automated,
    count(*) FILTER (WHERE r.first_queue_id IS NOT NULL) AS routed,
    count(*) FILTER (WHERE r.first_queue_id IS NOT NULL AND r.reroutes > 0) AS rerouted,
    count(*) FILTER (WHERE r.first_queue_id IS NOT NULL AND r.escalations > 0) AS escalated,
    count(*) FILTER (WHERE r.escalations > 0 AND r.returns > 0) AS looped,
    count(*) FILTER (WHERE r.breached) AS breached,
    count(*) FILTER (WHERE NOT r.automated AND r.decision_no = 1) AS human_violating,
    count(*) FILTER (WHERE NOT r.automated AND r.decision_no = 2) AS human_non_violating,
    coalesce(sum(r.waiting_s) FILTER (WHERE r.breached), 0) AS breached_waiting_s,
    coalesce(sum(r.review_s) FILTER (WHERE r.breached), 0) AS breached_review_s,
    coalesce(sum(r.pending_s) FILTER (WHERE r.breached), 0) AS breached_pending_s,
    coalesce(sum(r.escalated_s) FILTER (WHERE r.breached), 0) AS breached_escalated_s,
    coalesce(sum(r.rerouted_s) FILTER (WHERE r.breached), 0) AS breached_rerouted_s,
    coalesce(sum(r.review_s) FILTER (WHERE NOT r.automated), 0) AS human_review_s,
    coalesce(sum(r.qa_checked + r.golden_checked), 0) AS qa_checked,
    coalesce(sum(r.qa_agreed), 0) AS qa_agreed,
    coalesce(sum(r.appeals_decided), 0) AS appeals_decided,
    coalesce(sum(r.appeals_overturned), 0) AS appeals_overturned
FROM (
    SELECT
        date_trunc('day', c.created_at) AS created_day, date_trunc('day', c.settled_at) AS settled_day,
        c.queue_id, c.priority, c.region, c.vendor_id, c.source_no, c.category_no, c.automated,
        c.first_queue_id, c.reroutes, c.escalations, c.returns,
        CASE WHEN c.resolved_at IS NOT NULL THEN c.decision_no END AS decision_no,
        -- a clock breached at its final stop (both stopped by settled_at)
        coalesce((c.fa_stopped_at IS NOT NULL AND c.fa_breached) OR c.res_breached, false) AS breached,
        c.waiting_s, c.review_s, c.pending_s, c.escalated_s, c.rerouted_s,
        c.qa_checked, c.golden_checked, c.qa_agreed, c.appeals_decided, c.appeals_overturned
    FROM summary_case_routes c
    JOIN summary_settle_days d
      ON d.created_day = date_trunc('day', c.created_at) AND d.settled_day = date_trunc('day', c.settled_at)
    WHERE c.settled_at IS NOT NULL AND c.created_at >= $created_from AND c.created_at < $created_to
) r
GROUP BY r.created_day, r.settled_day, r.queue_id, r.priority, r.region, r.vendor_id, r.source_no, r.category_no
ORDER BY r.created_day, r.settled_day, r.queue_id, r.priority, r.region, r.vendor_id, r.source_no, r.category_no
