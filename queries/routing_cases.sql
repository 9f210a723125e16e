-- Automation & routing: one row per case created in [$period_start, least($period_end, $as_of)),
-- within the sidebar filters (vertical of its current queue), with its path and where its time went,
-- from its events up to $as_of in (occurred_at, event_id) order, read from the summary of their
-- replay (summary_routing_segments, macros/routing.sql) (watchfloor/automation.py builds the
-- flow, the rates and the breach stages from these rows; docs/metrics.md, "Automation & routing"):
--   first_queue_id / first_vertical: the queue of its first 'routed' event (NULL: never routed to a
--     queue, e.g. decided automatically)
--   reroutes: later 'routed' events into a queue of the same or a higher tier than the queue before
--   returns: later 'routed' events into a lower tier than the queue before (sent back down)
--   escalations: 'escalated' events
--   waiting_s .. rerouted_s: seconds in each stage (macros/routing.sql) from creation to $as_of;
--     time after the resolution (closed) is not counted
--   breached: a first-action or resolution SLA clock of the case had breached by $as_of
--   awaiting_first_action: open at $as_of with no first action yet (in the SLA backlog)
WITH scoped AS (
    SELECT c.case_id, c.created_at, c.source, c.category, c.priority, c.automated, c.decision,
           c.enforcement_action, c.resolved_at, c.first_action_at, c.classifier_name, c.classifier_score,
           q.vertical AS current_vertical
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $period_start::TIMESTAMP
      AND c.created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
-- Each case's path up to $as_of: its step at $as_of (the one with no next step by then) carries the
-- path before it (macros/routing.sql), read from the summary; the step's own stage runs to $as_of.
at_as_of AS (
    SELECT case_id, stage, first_queue_id, reroutes, returns, escalations, waiting_before, review_before,
           pending_before, escalated_before, rerouted_before,
           greatest(epoch($as_of::TIMESTAMP) - epoch(started_at), 0) AS tail
    FROM summary_routing_segments($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP),
                                  NULL::TIMESTAMP, $as_of::TIMESTAMP)
    WHERE ended_at IS NULL
),
paths AS (
    SELECT
        st.case_id, st.first_queue_id, q.vertical AS first_vertical, st.reroutes, st.returns, st.escalations,
        (st.waiting_before + CASE WHEN st.stage = 'waiting' THEN st.tail ELSE 0 END)::DOUBLE AS waiting_s,
        (st.review_before + CASE WHEN st.stage = 'review' THEN st.tail ELSE 0 END)::DOUBLE AS review_s,
        (st.pending_before + CASE WHEN st.stage = 'pending' THEN st.tail ELSE 0 END)::DOUBLE AS pending_s,
        (st.escalated_before + CASE WHEN st.stage = 'escalated' THEN st.tail ELSE 0 END)::DOUBLE AS escalated_s,
        (st.rerouted_before + CASE WHEN st.stage = 'rerouted' THEN st.tail ELSE 0 END)::DOUBLE AS rerouted_s
    FROM at_as_of st
    LEFT JOIN queues q ON q.queue_id = st.first_queue_id
),
breaches AS (
    SELECT case_id, bool_or(breached) AS breached
    FROM summary_sla_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP)
    -- the cases created in the period (a superset of scoped, which the join below narrows)
    WHERE created_at >= $period_start::TIMESTAMP
      AND created_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
    GROUP BY case_id
)
SELECT
    s.case_id, s.created_at, s.source, s.category, s.priority, s.automated,
    -- the outcome as of $as_of: a case resolved later is still open then
    CASE WHEN s.resolved_at <= $as_of::TIMESTAMP THEN s.decision END AS decision,
    CASE WHEN s.resolved_at <= $as_of::TIMESTAMP THEN s.enforcement_action END AS enforcement_action,
    s.classifier_name, s.classifier_score, s.current_vertical,
    (s.first_action_at IS NULL OR s.first_action_at > $as_of::TIMESTAMP)
        AND (s.resolved_at IS NULL OR s.resolved_at > $as_of::TIMESTAMP) AS awaiting_first_action,
    p.first_queue_id, p.first_vertical,
    p.reroutes, p.returns, p.escalations,
    p.waiting_s, p.review_s, p.pending_s, p.escalated_s, p.rerouted_s,
    coalesce(b.breached, false) AS breached
FROM scoped s
JOIN paths p USING (case_id)
LEFT JOIN breaches b USING (case_id)
ORDER BY s.created_at, s.case_id
