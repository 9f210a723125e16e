-- summary_sla_stopped for the cases in summary_scope (after their summary_case_stages,
-- summary_sla_cases and summary_sla_stretches rows): each clock that has its final stop, as summary_sla_clocks
-- (queries/macros/sla.sql) works it out as of that stop, which is what sla_clocks gives as of any
-- instant at or after it: the stretches after the stop count nothing on the clock, and the ones
-- before it are cut at it. Breached clocks also get their breach causes (as in sla_clocks, over
-- the span created_at to the stop; events after the stop add nothing).
INSERT INTO summary_sla_stopped
WITH pol AS (
    SELECT q.queue_id, q.timezone AS tz, p.business_start_hour AS sh, p.business_end_hour AS eh
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
),
per_clock AS MATERIALIZED (
    SELECT *
    FROM (
        SELECT
            s.case_id, k.clock, s.queue_id, s.priority, s.region, s.vendor_id, s.category, s.reviewer_id,
            s.created_at, s.resolved_at, s.biz, pol.tz, pol.sh, pol.eh, s.p_created,
            CASE k.clock WHEN 'first_action' THEN s.fa_target ELSE s.res_target END AS target_seconds,
            CASE k.clock WHEN 'first_action' THEN s.fa_stop ELSE s.res_stop END AS stopped_at,
            CASE k.clock WHEN 'first_action' THEN s.p_fa_stop ELSE s.p_res_stop END AS p_stop,
            CASE k.clock WHEN 'first_action' THEN s.fa_due_unpaused ELSE s.res_due_unpaused END AS due_unpaused
        FROM summary_sla_cases s
        JOIN pol ON pol.queue_id = s.queue_id
        CROSS JOIN (VALUES ('first_action'), ('resolution')) k(clock)
        WHERE wf_in_scope(s.case_id) AND s.created_at >= $created_from AND s.created_at < $created_to
    )
    WHERE stopped_at IS NOT NULL
),
-- The case's last stretch begun at or before the stop, and its not-counting length up to it.
tail AS (
    SELECT
        c.case_id, c.clock,
        CASE c.clock WHEN 'first_action' THEN x.fa_paused_before ELSE x.res_paused_before END AS paused_before,
        CASE c.clock WHEN 'first_action' THEN x.fa_ext_before ELSE x.res_ext_before END AS ext_before,
        CASE c.clock WHEN 'first_action' THEN x.fa_counted ELSE x.res_counted END AS x_counted,
        CASE WHEN x.state = 'running' THEN 0.0 ELSE c.p_stop - x.p_t END AS last_len
    FROM per_clock c
    JOIN summary_sla_stretches x
      ON x.case_id = c.case_id AND x.t <= c.stopped_at AND (x.t_next IS NULL OR x.t_next > c.stopped_at)
),
measured AS (
    SELECT
        c.*,
        coalesce(x.paused_before + x.last_len, 0.0) AS paused_seconds,
        coalesce(x.ext_before + CASE WHEN x.x_counted <= c.target_seconds THEN x.last_len ELSE 0.0 END, 0.0) AS ext
    FROM per_clock c
    LEFT JOIN tail x ON x.case_id = c.case_id AND x.clock = c.clock
),
dated AS MATERIALIZED (
    SELECT
        *,
        CASE WHEN NOT elapsed_seconds > target_seconds THEN NULL
             WHEN ext = 0 THEN due_unpaused
             WHEN biz THEN wf_business_ts(p_created + target_seconds + ext, tz, sh, eh)
             ELSE make_timestamp(round((p_created + target_seconds + ext) * 1e6)::BIGINT) END AS due_at
    FROM (SELECT *, p_stop - p_created - paused_seconds AS elapsed_seconds FROM measured)
),
spans AS MATERIALIZED (
    SELECT case_id, clock, created_at, stopped_at AS span_end
    FROM dated
    WHERE elapsed_seconds > target_seconds
),
-- The breached cases' segments are their steps (summary_case_stages, built first): the creation and
-- each routing event to the next, the same events as sla_clocks' causes (those before creation,
-- which the steps leave out, count nothing there: a span starts at creation).
causes AS (
    SELECT
        case_id, clock,
        coalesce(sum(us) FILTER (WHERE part = 'queue'), 0) / 1e6 AS queue_s,
        coalesce(sum(us) FILTER (WHERE part = 'review'), 0) / 1e6 AS review_s,
        coalesce(sum(us) FILTER (WHERE part = 'pending'), 0) / 1e6 AS pending_s,
        coalesce(sum(us) FILTER (WHERE part = 'escalation'), 0) / 1e6 AS escalation_s,
        coalesce(sum(us) FILTER (WHERE part = 'closed'), 0) / 1e6 AS closed_s
    FROM (
        SELECT b.case_id, b.clock, s.part, wf_breach_us(s.seg_start, s.seg_end, b.created_at, b.span_end) AS us
        FROM spans b
        JOIN (
            SELECT case_id, started_at AS seg_start, ended_at AS seg_end, wf_breach_part(event_type) AS part
            FROM summary_case_stages
            WHERE case_id IN (SELECT case_id FROM spans) AND created_at >= $created_from AND created_at < $created_to
        ) s ON s.case_id = b.case_id
    )
    GROUP BY case_id, clock
)
SELECT
    d.case_id, d.clock, d.queue_id, d.priority, d.region, d.vendor_id, d.category, d.reviewer_id,
    d.created_at, d.resolved_at,
    d.target_seconds::DOUBLE,
    d.elapsed_seconds::DOUBLE,
    d.paused_seconds::DOUBLE,
    d.stopped_at,
    d.due_at,
    CASE WHEN d.elapsed_seconds > d.target_seconds THEN d.due_at END,
    (d.elapsed_seconds / d.target_seconds)::DOUBLE,
    d.elapsed_seconds > d.target_seconds,
    wf_sla_state(d.stopped_at, d.elapsed_seconds, d.target_seconds),
    c.queue_s::DOUBLE, c.review_s::DOUBLE, c.pending_s::DOUBLE, c.escalation_s::DOUBLE, c.closed_s::DOUBLE
FROM dated d
LEFT JOIN causes c ON c.case_id = d.case_id AND c.clock = d.clock
-- Breached clocks apart from met ones, each by its stop: a reader of one kind over a range of stops
-- (the SLA page) then skips the row groups of the other kind and of other stops.
ORDER BY d.elapsed_seconds > d.target_seconds, d.stopped_at, d.case_id, d.clock
