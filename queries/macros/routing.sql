-- Where a case is between two of its events (docs/metrics.md, "Automation & routing"): the stage
-- it enters with an event, from the event type and, for 'routed', whether it is the case's first
-- routing (nth_routed = 1: waiting to be picked) or a later one (a re-route or a return: waiting
-- again after a bounce). Events that do not move a case (first_action, decided, enforced) are left
-- out by the queries before this is asked.
CREATE OR REPLACE TEMP MACRO wf_stage_after(event_type, nth_routed) AS (
    CASE event_type
        WHEN 'assigned' THEN 'review'
        WHEN 'pending_info' THEN 'pending'
        WHEN 'escalated' THEN 'escalated'
        WHEN 'resolved' THEN 'closed'
        WHEN 'routed' THEN CASE WHEN nth_routed > 1 THEN 'rerouted' ELSE 'waiting' END
        ELSE 'waiting' END
);
-- The tiers in order, so that a routing into a lower tier than the queue before reads as a return.
CREATE OR REPLACE TEMP MACRO wf_tier_rank(tier) AS (CASE tier WHEN 'L1' THEN 1 WHEN 'L2' THEN 2 WHEN 'SME' THEN 3 END);
