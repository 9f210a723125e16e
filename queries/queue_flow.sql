-- Queue health: one row per queue with its targets, flows and staffing (backlog, ages and SLA
-- risk come from queue_open_cases, so they can be summarised for any grouping).
-- Flows come from case_events, whose queue_id is the queue an event happened in:
-- inflow = cases routed, escalated or reopened into the queue; outflow = cases resolved in it, or
-- escalated or routed on out of it (a re-route or a return to a lower tier; the queue left is the
-- one of the case's previous event, when it is another queue). Staffing is per team (reviewers of a team work all of its queues).
WITH scoped_queues AS (
    -- A queue without a team is staffed on its own.
    SELECT q.* REPLACE (coalesce(q.team, q.queue_id) AS team), p.priority, p.first_action_target_min, p.resolution_target_min
    FROM queues q
    JOIN sla_policies p USING (sla_policy_id)
    WHERE wf_in_queue_scope_but_vendor($regions, $verticals, $priorities, q.region, q.vertical, p.priority)
),
recent_events AS (
    SELECT e.case_id, e.occurred_at, e.event_type, e.queue_id, e.actor_id
    FROM case_events e
    WHERE e.occurred_at > $as_of::TIMESTAMP - INTERVAL 24 HOUR
      AND e.occurred_at <= $as_of::TIMESTAMP
      AND e.event_type IN ('routed', 'escalated', 'reopened', 'resolved', 'decided')
),
moved_cases AS (
    SELECT DISTINCT case_id FROM recent_events WHERE event_type IN ('escalated', 'routed')
),
earlier_events AS (
    -- The events before an escalation name the queue it left. Looking back 8 days covers all
    -- but the rarest case (an escalation more than a week after the case's last event there).
    -- Events stamped at the same instant are ordered by event_id: one row per instant keeps the
    -- ASOF match deterministic (and the same on every engine).
    SELECT e.case_id, e.occurred_at, arg_max(e.queue_id, e.event_id) AS queue_id
    FROM case_events e
    SEMI JOIN moved_cases USING (case_id)
    WHERE e.occurred_at > $as_of::TIMESTAMP - INTERVAL 8 DAY
      AND e.occurred_at <= $as_of::TIMESTAMP
      AND e.queue_id IS NOT NULL
      AND e.event_type <> 'escalated'
    GROUP BY e.case_id, e.occurred_at
),
escalations_out AS (
    SELECT x.queue_id, r.occurred_at
    FROM recent_events r
    ASOF JOIN earlier_events x ON r.case_id = x.case_id AND r.occurred_at > x.occurred_at
    WHERE r.event_type IN ('escalated', 'routed')
      AND x.queue_id <> r.queue_id  -- a case's first routing leaves no queue
),
flows AS (
    SELECT
        queue_id,
        count(*) FILTER (WHERE direction = 'in') AS inflow_24h,
        count(*) FILTER (WHERE direction = 'in' AND occurred_at > $as_of::TIMESTAMP - INTERVAL 1 HOUR) AS inflow_1h,
        count(*) FILTER (WHERE direction = 'out') AS outflow_24h,
        count(*) FILTER (WHERE direction = 'out' AND occurred_at > $as_of::TIMESTAMP - INTERVAL 1 HOUR) AS outflow_1h
    FROM (
        SELECT queue_id, occurred_at, 'in' AS direction FROM recent_events WHERE event_type IN ('routed', 'escalated', 'reopened')
        UNION ALL
        SELECT queue_id, occurred_at, 'out' FROM recent_events WHERE event_type = 'resolved'
        UNION ALL
        SELECT queue_id, occurred_at, 'out' FROM escalations_out
    )
    WHERE queue_id IS NOT NULL
    GROUP BY queue_id
),
team_shifts AS (
    SELECT
        coalesce(q.team, q.queue_id) AS team,
        s.reviewer_id,
        s.starts_at,
        s.ends_at
    FROM shifts s
    JOIN reviewers r USING (reviewer_id)
    JOIN queues q ON q.queue_id = s.queue_id
    WHERE s.ends_at > $as_of::TIMESTAMP - INTERVAL 24 HOUR
      AND s.starts_at <= $as_of::TIMESTAMP
      AND wf_in_vendor_scope($vendors, r.vendor_id)
),
staffing AS (
    SELECT
        team,
        count(DISTINCT reviewer_id) FILTER (WHERE starts_at <= $as_of::TIMESTAMP AND ends_at > $as_of::TIMESTAMP) AS reviewers_on_shift,
        sum(epoch(least(ends_at, $as_of::TIMESTAMP)) - epoch(greatest(starts_at, $as_of::TIMESTAMP - INTERVAL 24 HOUR))) / 3600.0 AS staffed_hours_24h
    FROM team_shifts
    GROUP BY team
),
decisions AS (
    -- Human decisions in the last 24 hours, per queue (automated decisions have no actor).
    SELECT queue_id, count(*) AS decisions_24h
    FROM recent_events
    WHERE event_type = 'decided' AND actor_id IS NOT NULL
    GROUP BY queue_id
)
SELECT
    q.queue_id,
    q.name AS queue_name,
    q.vertical,
    q.region,
    q.tier,
    q.team,
    q.priority,
    q.first_action_target_min,
    q.resolution_target_min,
    coalesce(f.inflow_1h, 0) AS inflow_1h,
    coalesce(f.outflow_1h, 0) AS outflow_1h,
    coalesce(f.inflow_24h, 0) AS inflow_24h,
    coalesce(f.outflow_24h, 0) AS outflow_24h,
    coalesce(s.reviewers_on_shift, 0) AS team_reviewers_on_shift,
    coalesce(s.staffed_hours_24h, 0) AS team_staffed_hours_24h,
    coalesce(d.decisions_24h, 0) AS decisions_24h,
    sum(coalesce(d.decisions_24h, 0)) OVER (PARTITION BY q.team)::BIGINT AS team_decisions_24h
FROM scoped_queues q
LEFT JOIN flows f USING (queue_id)
LEFT JOIN staffing s USING (team)
LEFT JOIN decisions d USING (queue_id)
ORDER BY q.queue_id
