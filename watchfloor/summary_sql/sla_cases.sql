-- summary_sla_cases for the cases in the temp table summary_scope (after their
-- summary_case_stages rows): what the SLA clocks of a case
-- keep whatever the instant they are read at (queries/macros/sla.sql, sla_clocks, is the
-- definition this mirrors; summary_sla_clocks reads the result).
-- A clock stops as of an instant T at its final stop if that stop is at or before T: the first
-- action stops at the earliest of first_action_at, resolved_at and (reopened cases) the first
-- 'resolved' event, and each of those counts once it is at or before T, so their minimum is the
-- stop as of every T it precedes. Positions are in the policy's calendar; each local time is
-- converted once, in its own column.
INSERT INTO summary_sla_cases
WITH pol AS (
    SELECT
        q.queue_id, q.timezone AS tz,
        p.first_action_target_min * 60.0 AS fa_target,
        p.resolution_target_min * 60.0 AS res_target,
        p.calendar = 'business' AS biz,
        p.business_start_hour AS sh,
        p.business_end_hour AS eh
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
),
scoped AS MATERIALIZED (
    SELECT c.case_id, c.queue_id, c.priority, c.region, c.vendor_id, c.category, c.reviewer_id, c.created_at,
           c.first_action_at, c.resolved_at, pol.tz, pol.fa_target, pol.res_target, pol.biz, pol.sh, pol.eh
    FROM cases c
    JOIN pol ON pol.queue_id = c.queue_id
    WHERE wf_in_scope(c.case_id) AND c.created_at >= $created_from AND c.created_at < $created_to
),
-- Reopened cases: their first 'resolved' event (events before creation are ignored), from the
-- case's steps (summary_case_stages, built first: every such event, none before creation).
reopened AS (
    SELECT st.case_id, min(st.started_at) FILTER (WHERE st.event_type = 'resolved') AS first_resolved
    FROM summary_case_stages st
    WHERE wf_in_scope(st.case_id) AND st.created_at >= $created_from AND st.created_at < $created_to
      AND st.event_type IN ('reopened', 'resolved')
    GROUP BY st.case_id
    HAVING bool_or(st.event_type = 'reopened')
),
stops AS (
    SELECT
        s.*,
        CASE WHEN least(s.first_action_at, s.resolved_at, r.first_resolved) IS NOT NULL
             THEN greatest(least(s.first_action_at, s.resolved_at, r.first_resolved), s.created_at) END AS fa_stop,
        CASE WHEN s.resolved_at IS NOT NULL THEN greatest(s.resolved_at, s.created_at) END AS res_stop
    FROM scoped s
    LEFT JOIN reopened r ON r.case_id = s.case_id
),
local_times AS (
    SELECT
        *,
        CASE WHEN biz THEN wf_local_epoch(created_at, tz) END AS e_created,
        CASE WHEN biz THEN wf_local_epoch(fa_stop, tz) END AS e_fa_stop,
        CASE WHEN biz THEN wf_local_epoch(res_stop, tz) END AS e_res_stop
    FROM stops
),
positions AS (
    SELECT
        *,
        CASE WHEN biz THEN wf_business_pos_local(e_created, sh, eh) ELSE epoch(created_at) END AS p_created,
        CASE WHEN biz THEN wf_business_pos_local(e_fa_stop, sh, eh) ELSE epoch(fa_stop) END AS p_fa_stop,
        CASE WHEN biz THEN wf_business_pos_local(e_res_stop, sh, eh) ELSE epoch(res_stop) END AS p_res_stop
    FROM local_times
)
SELECT
    case_id, queue_id, priority, region, vendor_id, category, reviewer_id, created_at, resolved_at, biz,
    fa_target::DOUBLE, res_target::DOUBLE, p_created, fa_stop, p_fa_stop, res_stop, p_res_stop,
    CASE WHEN biz THEN wf_business_ts(p_created + fa_target, tz, sh, eh)
         ELSE make_timestamp(round((p_created + fa_target) * 1e6)::BIGINT) END AS fa_due_unpaused,
    CASE WHEN biz THEN wf_business_ts(p_created + res_target, tz, sh, eh)
         ELSE make_timestamp(round((p_created + res_target) * 1e6)::BIGINT) END AS res_due_unpaused
FROM positions
