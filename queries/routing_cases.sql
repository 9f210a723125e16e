-- Automation & routing: one row per case created in [$period_start, least($period_end, $as_of)),
-- within the sidebar filters (vertical of its current queue), with its path and where its time went,
-- from its steps up to $as_of (summary_routing_segments, macros/routing.sql: the summary of the replay
-- of its events in (occurred_at, event_id) order, routing_segments) (watchfloor/automation.py builds the
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
WITH scoped AS MATERIALIZED (
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
-- Each case's steps up to $as_of (macros/routing.sql), read from the summary.
steps AS (
    SELECT
        st.case_id, st.event_type, st.queue_id, q.vertical, st.tier, st.tier_before, st.nth_routed, st.stage,
        greatest(epoch(coalesce(st.ended_at, $as_of::TIMESTAMP)) - epoch(st.started_at), 0) AS seconds
    FROM summary_routing_segments($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP),
                                  NULL::TIMESTAMP, $as_of::TIMESTAMP) st
    LEFT JOIN queues q ON q.queue_id = st.queue_id
    WHERE st.case_id IN (SELECT case_id FROM scoped)
),
paths AS (
    SELECT
        case_id,
        any_value(queue_id) FILTER (WHERE event_type = 'routed' AND nth_routed = 1) AS first_queue_id,
        any_value(vertical) FILTER (WHERE event_type = 'routed' AND nth_routed = 1) AS first_vertical,
        count(*) FILTER (WHERE event_type = 'routed' AND nth_routed > 1
                         AND NOT coalesce(wf_tier_rank(tier) < wf_tier_rank(tier_before), false)) AS reroutes,
        count(*) FILTER (WHERE event_type = 'routed' AND nth_routed > 1
                         AND coalesce(wf_tier_rank(tier) < wf_tier_rank(tier_before), false)) AS returns,
        count(*) FILTER (WHERE event_type = 'escalated') AS escalations,
        coalesce(sum(seconds) FILTER (WHERE stage = 'waiting'), 0)::DOUBLE AS waiting_s,
        coalesce(sum(seconds) FILTER (WHERE stage = 'review'), 0)::DOUBLE AS review_s,
        coalesce(sum(seconds) FILTER (WHERE stage = 'pending'), 0)::DOUBLE AS pending_s,
        coalesce(sum(seconds) FILTER (WHERE stage = 'escalated'), 0)::DOUBLE AS escalated_s,
        coalesce(sum(seconds) FILTER (WHERE stage = 'rerouted'), 0)::DOUBLE AS rerouted_s
    FROM steps
    GROUP BY case_id
),
breaches AS (
    SELECT case_id, bool_or(breached) AS breached
    FROM summary_sla_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP)
    WHERE case_id IN (SELECT case_id FROM scoped)
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
