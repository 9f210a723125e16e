-- Automation & routing, the cases behind the figures: one row per case created in [$period_start,
-- least($period_end, $as_of)), within the sidebar filters (vertical of its current queue), with its
-- path and where its time went up to $as_of, read from the summary of its steps (docs/metrics.md,
-- "Automation & routing"). The page reads it only to list the cases behind one band of the flow;
-- routing_figures.sql aggregates the same cases from their rows in summary_case_routes (the tests
-- compare its figures with watchfloor/automation.py's over these rows, and run this query both on
-- the summaries and on the raw replay by renaming the summary reads in its text):
--   first_queue_id / first_vertical: the queue of its first 'routed' step (NULL: never routed to a
--     queue, e.g. decided automatically)
--   reroutes: later 'routed' steps into a queue of the same or a higher tier than the queue before
--   returns: later 'routed' steps into a lower tier than the queue before (sent back down)
--   escalations: 'escalated' steps
--   waiting_s .. rerouted_s: seconds in each stage (macros/routing.sql) from creation to $as_of
--     (the step at $as_of runs to $as_of); time after the resolution (closed) is not counted
--   decision, enforcement_action: the outcome as of $as_of (a case resolved later is still open)
--   breached: a first-action or resolution SLA clock of the case had breached by $as_of
--   awaiting_first_action: open at $as_of with no first action yet (in the SLA backlog)
SELECT
    p.case_id, p.created_at, p.source, p.category, p.priority, p.automated, p.decision, p.enforcement_action,
    p.classifier_name, p.classifier_score, p.current_vertical, p.awaiting_first_action, p.first_queue_id,
    p.first_vertical, p.reroutes, p.returns, p.escalations, p.waiting_s, p.review_s, p.pending_s, p.escalated_s,
    p.rerouted_s, coalesce(b.breached, false) AS breached
FROM (
    SELECT
        c.case_id, c.created_at, c.source, c.category, c.priority, c.region, c.vendor_id, c.automated,
        CASE WHEN c.resolved_at <= $as_of::TIMESTAMP THEN c.decision END AS decision,
        CASE WHEN c.resolved_at <= $as_of::TIMESTAMP THEN c.enforcement_action END AS enforcement_action,
        c.classifier_name, c.classifier_score, q.vertical AS current_vertical,
        (c.first_action_at IS NULL OR c.first_action_at > $as_of::TIMESTAMP)
            AND (c.resolved_at IS NULL OR c.resolved_at > $as_of::TIMESTAMP) AS awaiting_first_action,
        st.first_queue_id, fq.vertical AS first_vertical,
        st.reroutes, st.returns, st.escalations,
        (st.waiting_before + CASE WHEN st.stage = 'waiting' THEN st.tail ELSE 0 END)::DOUBLE AS waiting_s,
        (st.review_before + CASE WHEN st.stage = 'review' THEN st.tail ELSE 0 END)::DOUBLE AS review_s,
        (st.pending_before + CASE WHEN st.stage = 'pending' THEN st.tail ELSE 0 END)::DOUBLE AS pending_s,
        (st.escalated_before + CASE WHEN st.stage = 'escalated' THEN st.tail ELSE 0 END)::DOUBLE AS escalated_s,
        (st.rerouted_before + CASE WHEN st.stage = 'rerouted' THEN st.tail ELSE 0 END)::DOUBLE AS rerouted_s
    FROM cases c
    JOIN queues q ON q.queue_id = c.queue_id
    -- each case's step at as_of (the one with no next step by then) carries the path before it
    JOIN (
        SELECT case_id, stage, first_queue_id, reroutes, returns, escalations, waiting_before, review_before,
               pending_before, escalated_before, rerouted_before,
               greatest(epoch($as_of::TIMESTAMP) - epoch(started_at), 0) AS tail
        FROM summary_routing_segments($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP),
                                      NULL::TIMESTAMP, $as_of::TIMESTAMP)
        WHERE ended_at IS NULL
    ) st ON st.case_id = c.case_id
    LEFT JOIN queues fq ON fq.queue_id = st.first_queue_id
    WHERE c.created_at >= $period_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
) p
LEFT JOIN (
    -- breached: a first-action or resolution SLA clock of the case had breached by $as_of (read for
    -- the cases created in the period, a superset of the filtered ones)
    SELECT k.case_id, bool_or(k.breached) AS breached
    FROM summary_sla_clock_times($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    WHERE k.created_at >= $period_start::TIMESTAMP
      AND k.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
    GROUP BY k.case_id
) b ON b.case_id = p.case_id
WHERE wf_in_case_scope($regions, $verticals, $priorities, $vendors, p.region, p.current_vertical, p.priority, p.vendor_id)
ORDER BY p.created_at, p.case_id
