-- summary_sla_stretches for the cases in summary_scope (after their summary_case_stages and
-- summary_sla_cases rows): the
-- event machine of sla_clocks (queries/macros/sla.sql) run over all of a case's events. Its
-- state after each event is the same whatever instant T the clock is read at (T only cuts the
-- event list), and every stretch that ends at or before T has a fixed length: it is cut at the
-- clock's final stop (see sla_cases.sql), except inside the stop the case is in at T, which
-- summary_sla_clocks takes from run_paused_before / run_ext_before. Lengths are calendar
-- positions; running stretches count 0.
INSERT INTO summary_sla_stretches
WITH pol AS (
    SELECT q.queue_id, q.timezone AS tz, p.pause_on_pending AS pause,
           p.business_start_hour AS sh, p.business_end_hour AS eh
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
),
scoped AS MATERIALIZED (
    SELECT s.case_id, s.created_at, s.biz, s.fa_target, s.res_target, s.p_created, s.fa_stop, s.res_stop,
           pol.tz, pol.pause, pol.sh, pol.eh
    FROM summary_sla_cases s
    JOIN pol ON pol.queue_id = s.queue_id
    WHERE wf_in_scope(s.case_id) AND s.created_at >= $created_from AND s.created_at < $created_to
),
-- The events from the cases' steps (summary_case_stages, built first: each pause, resume,
-- reopening and resolution of the case, none before its creation), not from case_events again.
rare AS MATERIALIZED (
    SELECT st.case_id, st.event_id, st.started_at AS t, st.event_type
    FROM summary_case_stages st
    WHERE st.case_id IN (SELECT case_id FROM scoped) AND st.created_at >= $created_from AND st.created_at < $created_to
      AND st.event_type IN ('pending_info', 'info_received', 'reopened')
),
ev AS (
    SELECT * FROM rare
    UNION ALL
    SELECT st.case_id, st.event_id, st.started_at, st.event_type
    FROM summary_case_stages st
    WHERE st.event_type = 'resolved' AND st.created_at >= $created_from AND st.created_at < $created_to
      AND st.case_id IN (SELECT case_id FROM rare WHERE event_type = 'reopened')
),
machine AS (
    SELECT
        ev.case_id, ev.event_id, ev.t, ev.event_type,
        lead(ev.t) OVER w AS t_next,
        last_value(CASE WHEN ev.event_type IN ('resolved', 'reopened') THEN ev.event_type END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_rr,
        last_value(CASE WHEN ev.event_type IN ('resolved', 'reopened') THEN ev.event_type END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_rr,
        last_value(CASE ev.event_type WHEN 'pending_info' THEN 'P' WHEN 'info_received' THEN 'R' WHEN 'reopened' THEN 'R' END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_sig
    FROM ev
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.t, ev.event_id)
),
states AS (
    SELECT
        m.*, s.created_at, s.biz, s.fa_target, s.res_target, s.p_created, s.fa_stop, s.res_stop, s.tz, s.sh, s.eh,
        CASE WHEN m.last_rr = 'resolved' THEN 'stopped'
             WHEN s.pause AND m.last_sig = 'P' THEN 'paused'
             ELSE 'running' END AS state,
        m.event_type = 'resolved' AND m.prev_rr IS DISTINCT FROM 'resolved' AS starts_stop
    FROM machine m
    JOIN scoped s ON s.case_id = m.case_id
),
-- Each stretch's end on either clock when it has a next event: cut to the clock's final stop.
ends AS (
    SELECT
        *,
        CASE WHEN state <> 'running' AND t_next IS NOT NULL THEN greatest(least(t_next, fa_stop), t) END AS fa_end,
        CASE WHEN state <> 'running' AND t_next IS NOT NULL THEN greatest(least(t_next, res_stop), t) END AS res_end
    FROM states
),
local_times AS (
    SELECT
        *,
        CASE WHEN biz THEN wf_local_epoch(t, tz) END AS e_t,
        CASE WHEN biz THEN wf_local_epoch(fa_end, tz) END AS e_fa_end,
        CASE WHEN biz THEN wf_local_epoch(res_end, tz) END AS e_res_end
    FROM ends
),
lengths AS (
    SELECT
        *,
        CASE WHEN state = 'running' THEN 0.0
             ELSE CASE WHEN biz THEN wf_business_pos_local(e_fa_end, sh, eh) ELSE epoch(fa_end) END - p_t END AS fa_len,
        CASE WHEN state = 'running' THEN 0.0
             ELSE CASE WHEN biz THEN wf_business_pos_local(e_res_end, sh, eh) ELSE epoch(res_end) END - p_t END AS res_len
    FROM (SELECT *, CASE WHEN biz THEN wf_business_pos_local(e_t, sh, eh) ELSE epoch(t) END AS p_t FROM local_times)
),
counted AS (
    SELECT
        *,
        coalesce(sum(fa_len) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS fa_paused_before,
        coalesce(sum(res_len) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS res_paused_before,
        max(t) FILTER (WHERE starts_stop) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_stop_start
    FROM lengths
    WINDOW w AS (PARTITION BY case_id ORDER BY t, event_id)
),
extended AS (
    SELECT
        *,
        p_t - p_created - fa_paused_before AS fa_counted,
        p_t - p_created - res_paused_before AS res_counted
    FROM counted
),
sums AS (
    SELECT
        *,
        coalesce(sum(CASE WHEN fa_counted <= fa_target THEN fa_len END)
                 OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS fa_ext_before,
        coalesce(sum(CASE WHEN res_counted <= res_target THEN res_len END)
                 OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS res_ext_before
    FROM extended
    WINDOW w AS (PARTITION BY case_id ORDER BY t, event_id)
),
runs AS (
    SELECT
        *,
        last_value(CASE WHEN starts_stop THEN res_paused_before END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_paused,
        last_value(CASE WHEN starts_stop THEN res_ext_before END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS run_ext
    FROM sums
    WINDOW w AS (PARTITION BY case_id ORDER BY t, event_id)
)
SELECT
    case_id, event_id, t, t_next, state, p_t,
    CASE WHEN state = 'stopped' THEN last_stop_start END AS stop_start,
    CASE WHEN state = 'stopped' THEN
        CASE WHEN biz THEN wf_business_pos_local(wf_local_epoch(last_stop_start, tz), sh, eh) ELSE epoch(last_stop_start) END
    END AS p_stop_start,
    fa_paused_before, fa_ext_before, fa_counted,
    res_paused_before, res_ext_before, res_counted,
    CASE WHEN state = 'stopped' THEN run_paused END AS run_paused_before,
    CASE WHEN state = 'stopped' THEN run_ext END AS run_ext_before
FROM runs
