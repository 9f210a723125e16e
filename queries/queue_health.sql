-- Queue health: one row per queue with its backlog by state, ages, flows, staffing and SLA risk now.
-- Flows come from case_events, whose queue_id is the queue an event happened in:
-- inflow = cases routed, escalated or reopened into the queue; outflow = cases resolved in it or
-- escalated out of it. Staffing is per team (reviewers of a team work all of its queues).
WITH scoped_queues AS (
    SELECT q.*, p.priority, p.first_action_target_min, p.resolution_target_min
    FROM queues q
    JOIN sla_policies p USING (sla_policy_id)
    WHERE wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, p.priority)
),
open_cases AS (
    SELECT c.case_id, c.queue_id, c.status, epoch($as_of::TIMESTAMP) - epoch(c.created_at) AS age_seconds
    FROM cases c
    WHERE c.created_at <= $as_of::TIMESTAMP
      AND (c.resolved_at IS NULL OR c.resolved_at > $as_of::TIMESTAMP)
      AND c.status <> 'resolved'
      AND wf_in($vendors, c.vendor_id)
),
backlog AS (
    SELECT
        queue_id,
        count(*) FILTER (WHERE status = 'new') AS new,
        count(*) FILTER (WHERE status = 'queued') AS queued,
        count(*) FILTER (WHERE status = 'in_review') AS in_review,
        count(*) FILTER (WHERE status = 'pending_info') AS pending_info,
        count(*) FILTER (WHERE status = 'escalated') AS escalated,
        count(*) AS backlog,
        arg_max(case_id, age_seconds) AS oldest_case_id,
        max(age_seconds) AS oldest_age_seconds,
        quantile_cont(age_seconds, 0.5) AS age_p50_seconds,
        quantile_cont(age_seconds, 0.9) AS age_p90_seconds
    FROM open_cases
    GROUP BY queue_id
),
recent_events AS (
    SELECT e.case_id, e.occurred_at, e.event_type, e.queue_id, e.actor_id
    FROM case_events e
    WHERE e.occurred_at > $as_of::TIMESTAMP - INTERVAL 24 HOUR
      AND e.occurred_at <= $as_of::TIMESTAMP
      AND e.event_type IN ('routed', 'escalated', 'reopened', 'resolved', 'decided')
),
entries AS (
    -- Every time a case entered a queue, to find the queue an escalation left.
    SELECT e.case_id, e.occurred_at, e.queue_id
    FROM case_events e
    WHERE e.event_type IN ('routed', 'escalated', 'reopened')
      AND e.case_id IN (SELECT case_id FROM recent_events WHERE event_type = 'escalated')
),
escalations_out AS (
    SELECT x.queue_id, r.occurred_at
    FROM recent_events r
    ASOF JOIN entries x ON r.case_id = x.case_id AND r.occurred_at > x.occurred_at
    WHERE r.event_type = 'escalated'
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
        q.team,
        s.reviewer_id,
        s.starts_at,
        s.ends_at
    FROM shifts s
    JOIN reviewers r USING (reviewer_id)
    JOIN queues q ON q.queue_id = s.queue_id
    WHERE s.ends_at > $as_of::TIMESTAMP - INTERVAL 24 HOUR
      AND s.starts_at <= $as_of::TIMESTAMP
      AND wf_in($vendors, r.vendor_id)
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
),
risk AS (
    SELECT
        queue_id,
        count(DISTINCT case_id) FILTER (WHERE state = 'breached') AS breached,
        count(DISTINCT case_id) FILTER (WHERE state = 'at_risk') AS at_risk_clocks,
        max(used_share) AS max_used_share
    FROM sla_clocks($as_of::TIMESTAMP, $as_of::TIMESTAMP)
    WHERE stopped_at IS NULL AND wf_in($vendors, vendor_id)
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
    coalesce(b.new, 0) AS new,
    coalesce(b.queued, 0) AS queued,
    coalesce(b.in_review, 0) AS in_review,
    coalesce(b.pending_info, 0) AS pending_info,
    coalesce(b.escalated, 0) AS escalated,
    coalesce(b.backlog, 0) AS backlog,
    b.oldest_case_id,
    b.oldest_age_seconds,
    b.age_p50_seconds,
    b.age_p90_seconds,
    coalesce(f.inflow_1h, 0) AS inflow_1h,
    coalesce(f.outflow_1h, 0) AS outflow_1h,
    coalesce(f.inflow_24h, 0) AS inflow_24h,
    coalesce(f.outflow_24h, 0) AS outflow_24h,
    coalesce(s.reviewers_on_shift, 0) AS team_reviewers_on_shift,
    coalesce(s.staffed_hours_24h, 0) AS team_staffed_hours_24h,
    coalesce(d.decisions_24h, 0) AS decisions_24h,
    sum(coalesce(d.decisions_24h, 0)) OVER (PARTITION BY q.team) AS team_decisions_24h,
    coalesce(k.breached, 0) AS breached,
    coalesce(k.at_risk_clocks, 0) AS at_risk,
    coalesce(k.max_used_share, 0) AS max_used_share
FROM scoped_queues q
LEFT JOIN backlog b USING (queue_id)
LEFT JOIN flows f USING (queue_id)
LEFT JOIN staffing s USING (team)
LEFT JOIN decisions d USING (queue_id)
LEFT JOIN risk k USING (queue_id)
ORDER BY q.queue_id
