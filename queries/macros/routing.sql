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
-- A decided case's outcome in the routing flow: its enforcement when violating, else its decision
-- (NULL: no decision, an open outcome). summary_names codes these keys for summary_case_routes.
CREATE OR REPLACE TEMP MACRO wf_outcome_key(decision, enforcement_action) AS (
    CASE WHEN decision = 'violating' THEN 'violating:' || coalesce(enforcement_action, 'none')
         WHEN decision IS NOT NULL THEN 'decision:' || decision END
);

-- A classifier score's band in the threshold figure: the lower end, in hundredths, of its 0.01-wide
-- band from 0.50 (the millionth keeps a score such as 0.57 in its band despite binary rounding); any
-- score below 0.50 is in band 49.
CREATE OR REPLACE TEMP MACRO wf_score_band(score) AS (greatest(floor(score * 100 + 0.000001), 49));
-- A classifier score's band in classifier drift: the lower end of its 0.05-wide band (a score of 1
-- in the last one).
CREATE OR REPLACE TEMP MACRO wf_drift_band(score) AS (least(floor(score * 20), 19) / 20);

-- Whether a case (its created_at and settled_at) or a row of the settled sums (summary_settled_routes,
-- summary_settled_scores: its created_day and settled_day) is read from those sums for the cases
-- created in [range_from, range_to) as of as_of_ts: created on one of the range's whole UTC days and
-- settled before as_of_ts's UTC day, after which nothing the Automation page reads of it changes.
-- NULL for a case not settled.
-- wf_in_settled_days is its condition on the creation alone.
CREATE OR REPLACE TEMP MACRO wf_in_settled_days(created_ts, range_from, range_to) AS (
    created_ts >= CASE WHEN date_trunc('day', range_from) = range_from THEN range_from
                       ELSE date_trunc('day', range_from) + INTERVAL 1 DAY END
    AND created_ts < date_trunc('day', range_to)
);
CREATE OR REPLACE TEMP MACRO wf_in_settled_sums(created_ts, settled_ts, range_from, range_to, as_of_ts) AS (
    wf_in_settled_days(created_ts, range_from, range_to) AND settled_ts < date_trunc('day', as_of_ts)
);
-- The other cases, read one by one (NOT wf_in_settled_sums, a case not settled included), as two
-- conditions that never both hold and that a scan tests column by column, where NOT of the macro
-- above would first build every case's row: a query reads the rows meeting one, UNION ALL, those
-- meeting the other. Not settled before as_of_ts's UTC day; or settled before it but created on a
-- day the range cuts.
CREATE OR REPLACE TEMP MACRO wf_unsettled_by(settled_ts, as_of_ts) AS (
    settled_ts IS NULL OR settled_ts >= date_trunc('day', as_of_ts)
);
CREATE OR REPLACE TEMP MACRO wf_settled_on_cut_day(created_ts, settled_ts, range_from, range_to, as_of_ts) AS (
    settled_ts < date_trunc('day', as_of_ts) AND NOT wf_in_settled_days(created_ts, range_from, range_to)
);

-- A case's steps through the stages: the 'created' marker (event_id -1, at created_at) and each
-- routing event ('routed', 'info_received', 'reopened', 'assigned', 'pending_info', 'escalated',
-- 'resolved') in (occurred_at, event_id) order, each with the stage it starts, until the case's
-- next step. Events stamped before created_at are ignored (as by the SLA clock). Both macros give,
-- for the cases with created_from <= created_at < created_to (created_from NULL: no lower bound),
-- created_at <= as_of, and not resolved before open_since (NULL: whenever), their steps up to as_of:
--   case_id, event_id, event_type, queue_id (the event's), tier (its queue's), tier_before (the
--   tier of the last earlier step naming a known queue), nth_routed ('routed' steps so far, this
--   one included), stage, started_at, ended_at (the next step's time; NULL: none by as_of);
--   and the case's path so far, so that a case as of an instant needs only its step then (the one
--   whose ended_at is NULL): first_queue_id (the queue of its first 'routed' step, once there is
--   one), reroutes, returns, escalations (counted from its steps so far, this one included: a later
--   'routed' step into a lower tier than tier_before is a return, any other a re-route), and
--   waiting_before .. rerouted_before (seconds in each stage over the steps before this one).
-- No CTE here: a query that calls the macro would name them again once inlined on a server.

-- routing_case_segments: replayed from the raw events (the definition), for the cases above that are
-- also in the list case_ids (NULL: all of them): the summary is built from it for the cases a
-- refresh names, so that a batch's refresh replays only their events.
CREATE OR REPLACE TEMP MACRO routing_case_segments(created_from, created_to, open_since, as_of, case_ids) AS TABLE
SELECT
    case_id, event_id, event_type, queue_id, tier, tier_before, nth_routed, stage, started_at, ended_at,
    max(CASE WHEN event_type = 'routed' AND nth_routed = 1 THEN queue_id END) OVER so_far AS first_queue_id,
    count(*) FILTER (WHERE event_type = 'routed' AND nth_routed > 1
                     AND NOT coalesce(wf_tier_rank(tier) < wf_tier_rank(tier_before), false)) OVER so_far AS reroutes,
    count(*) FILTER (WHERE event_type = 'routed' AND nth_routed > 1
                     AND coalesce(wf_tier_rank(tier) < wf_tier_rank(tier_before), false)) OVER so_far AS returns,
    count(*) FILTER (WHERE event_type = 'escalated') OVER so_far AS escalations,
    coalesce(sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE stage = 'waiting') OVER before, 0)::DOUBLE AS waiting_before,
    coalesce(sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE stage = 'review') OVER before, 0)::DOUBLE AS review_before,
    coalesce(sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE stage = 'pending') OVER before, 0)::DOUBLE AS pending_before,
    coalesce(sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE stage = 'escalated') OVER before, 0)::DOUBLE AS escalated_before,
    coalesce(sum(epoch(ended_at) - epoch(started_at)) FILTER (WHERE stage = 'rerouted') OVER before, 0)::DOUBLE AS rerouted_before
FROM (
SELECT
    case_id, event_id, event_type, queue_id, tier, tier_before, nth_routed,
    wf_stage_after(event_type, nth_routed) AS stage,
    started_at, ended_at
FROM (
    SELECT
        ev.case_id, ev.event_id, ev.event_type, ev.queue_id, q.tier,
        last_value(q.tier IGNORE NULLS) OVER (PARTITION BY ev.case_id ORDER BY ev.occurred_at, ev.event_id
                                              ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS tier_before,
        count(*) FILTER (WHERE ev.event_type = 'routed') OVER w AS nth_routed,
        ev.occurred_at AS started_at,
        lead(ev.occurred_at) OVER w AS ended_at
    FROM (
        SELECT c.case_id, c.created_at AS occurred_at, -1::BIGINT AS event_id, 'created' AS event_type,
               NULL::VARCHAR AS queue_id
        FROM cases c
        -- the listed cases by a join (an IN list beside the OR was planned as a nested loop), and
        -- whether there is a list as a one-row flag (a test of the list itself, per row, copies it)
        LEFT JOIN (SELECT DISTINCT unnest(case_ids) AS case_id) k ON k.case_id = c.case_id
        CROSS JOIN (SELECT case_ids IS NULL AS every_case) f
        WHERE (created_from IS NULL OR c.created_at >= created_from)
          AND c.created_at < created_to
          AND c.created_at <= as_of
          AND (open_since IS NULL OR c.resolved_at IS NULL OR c.resolved_at >= open_since)
          AND (f.every_case OR k.case_id IS NOT NULL)
        UNION ALL
        SELECT e.case_id, e.occurred_at, e.event_id, e.event_type, e.queue_id
        FROM case_events e
        -- the chosen cases are joined whole, so that the join hands their earliest creation down
        -- to the event scan as a bound: events are stored in time order, so the older row groups
        -- are skipped (joined after the events, every case would pass it)
        JOIN (
            SELECT c.case_id, c.created_at
            FROM cases c
            LEFT JOIN (SELECT DISTINCT unnest(case_ids) AS case_id) k ON k.case_id = c.case_id
            CROSS JOIN (SELECT case_ids IS NULL AS every_case) f
            WHERE (created_from IS NULL OR c.created_at >= created_from)
              AND c.created_at < created_to
              AND (open_since IS NULL OR c.resolved_at IS NULL OR c.resolved_at >= open_since)
              AND (f.every_case OR k.case_id IS NOT NULL)
        ) c ON c.case_id = e.case_id AND e.occurred_at >= c.created_at
        WHERE e.event_type IN ('routed', 'info_received', 'reopened', 'assigned', 'pending_info', 'escalated', 'resolved')
          AND e.occurred_at <= as_of
    ) ev
    LEFT JOIN queues q ON q.queue_id = ev.queue_id
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.occurred_at, ev.event_id)
) ordered
) steps
WINDOW so_far AS (PARTITION BY case_id ORDER BY started_at, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
       before AS (PARTITION BY case_id ORDER BY started_at, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING);

-- routing_segments: the replay for every case (the tests and the benchmark compare
-- summary_routing_segments with it).
CREATE OR REPLACE TEMP MACRO routing_segments(created_from, created_to, open_since, as_of) AS TABLE
SELECT * FROM routing_case_segments(created_from, created_to, open_since, as_of, NULL::VARCHAR[]);

-- summary_routing_segments: the same rows read from summary_case_stages (built by
-- watchfloor/summaries.py from routing_case_segments over all of a case's events): a step and what it
-- counts do not depend on the instant they are read at, except that a next step after as_of is
-- not there yet. Events newer than the summaries' high-water mark are not seen until the
-- summaries are refreshed.
CREATE OR REPLACE TEMP MACRO summary_routing_segments(created_from, created_to, open_since, as_of) AS TABLE
SELECT
    s.case_id, s.event_id, s.event_type, s.queue_id, s.tier, s.tier_before, s.nth_routed, s.stage,
    s.started_at,
    CASE WHEN s.ended_at <= as_of THEN s.ended_at END AS ended_at,
    s.first_queue_id, s.reroutes, s.returns, s.escalations,
    s.waiting_before, s.review_before, s.pending_before, s.escalated_before, s.rerouted_before
FROM summary_case_stages s
WHERE (created_from IS NULL OR s.created_at >= created_from)
  AND s.created_at < created_to
  AND (open_since IS NULL OR s.resolved_at IS NULL OR s.resolved_at >= open_since)
  AND s.started_at <= as_of;

-- The microseconds from a to b, whole: differences of epoch() seconds rounded back to the
-- microseconds the timestamps hold, so that sums of them are exact in any order.
CREATE OR REPLACE TEMP MACRO wf_span_us(a, b) AS (round((epoch(b) - epoch(a)) * 1000000)::BIGINT);
