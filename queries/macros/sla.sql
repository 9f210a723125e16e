-- SLA clocks in SQL: the definition in docs/metrics.md ("SLA clocks"), mirroring the reference
-- implementation watchfloor/sla.py (tests/unit/test_sla.py keeps the two in step).
-- Timestamps are naive UTC. Every conversion names both zones, so the session TimeZone does
-- not change any result. Durations are DOUBLE seconds, never INTERVAL.
--
-- Performance notes (1M cases, 7M events):
-- * A time-zone conversion costs ~0.3 us, and DuckDB does not share a repeated sub-expression
--   between CASE branches, so a conversion must never sit inside a CASE next to copies of itself
--   (a macro argument is copied at every reference): wf_clock_pos is CASE-free for that reason,
--   and sla_clocks converts each instant once, in its own column.
-- * case_events is the big table. sla_clocks reads only the rare pause/reopen events (the bulk,
--   one 'resolved' event per case, only for reopened cases), bounds them below by the oldest
--   relevant creation so a time-ordered table skips old row groups, and filters event types with
--   a range DuckDB pushes into the scan (an IN list only prunes row groups).
-- * Materialized CTEs are bound once; inlined ones referenced twice would be bound twice.

-- Naive UTC instant -> naive local wall clock in the IANA zone tz, and back. At a DST change
-- an ambiguous or non-existent local time resolves to the later candidate instant (ICU).
CREATE OR REPLACE TEMP MACRO wf_local_ts(ts_utc, tz) AS ((ts_utc AT TIME ZONE 'UTC') AT TIME ZONE tz);
CREATE OR REPLACE TEMP MACRO wf_utc_ts(ts_local, tz) AS ((ts_local AT TIME ZONE tz) AT TIME ZONE 'UTC');

-- Working-time position F of a local wall time given as e = seconds since Monday 1970-01-05
-- 00:00 local (e >= 0; dow = floor(e / 86400) mod 7, 0 = Monday; H = (end_h - start_h) * 3600):
-- F = floor(e / 1 week) * 5H + min(dow, 5) * H + [dow < 5] * clamp(sec_of_day - start_h * 3600, 0, H).
-- (Written with few references to e: a macro argument is copied at every reference.)
CREATE OR REPLACE TEMP MACRO wf_business_pos_local(e, start_h, end_h) AS (
    floor(e / 604800) * 5 * (end_h - start_h) * 3600.0
    + least(fmod(floor(e / 86400), 7), 5) * (end_h - start_h) * 3600.0
    + least(greatest(fmod(e, 86400) - start_h * 3600.0, 0), (end_h - start_h) * 3600.0)
      * (fmod(floor(e / 86400), 7) < 5)::INTEGER
);

-- Seconds from Monday 1970-01-05 00:00 local to the local wall time of ts_utc.
CREATE OR REPLACE TEMP MACRO wf_local_epoch(ts_utc, tz) AS (epoch(wf_local_ts(ts_utc, tz)) - 345600);

-- F(local(ts_utc)): working seconds (Mon-Fri, start_h..end_h local, no holidays) since Monday
-- 1970-01-05. Working seconds between a and b = wf_business_pos(b, ...) - wf_business_pos(a, ...).
CREATE OR REPLACE TEMP MACRO wf_business_pos(ts_utc, tz, start_h, end_h) AS (
    wf_business_pos_local(wf_local_epoch(ts_utc, tz), start_h, end_h)
);

-- F^-1 as a local wall time: with weeks = floor(pos / 5H), rem = pos mod 5H, day = floor(rem / H),
-- local seconds = weeks * 7d + day * (1d - H) + start_h * 3600 + rem. A position held overnight
-- or over a weekend maps to the latest instant holding it: the next opening.
CREATE OR REPLACE TEMP MACRO wf_business_local(pos, start_h, end_h) AS (
    make_timestamp(round((
        345600
        + floor(pos / (5 * (end_h - start_h) * 3600.0)) * 604800
        + floor(fmod(pos, 5 * (end_h - start_h) * 3600.0) / ((end_h - start_h) * 3600.0)) * (86400 - (end_h - start_h) * 3600.0)
        + start_h * 3600.0
        + fmod(pos, 5 * (end_h - start_h) * 3600.0)
    ) * 1e6)::BIGINT)
);

-- F^-1: the UTC instant of a working-time position.
CREATE OR REPLACE TEMP MACRO wf_business_ts(pos, tz, start_h, end_h) AS (
    wf_utc_ts(wf_business_local(pos, start_h, end_h), tz)
);

-- A clock position in the policy's calendar (24x7: seconds since 1970-01-01) and its inverse.
-- (CASE-free on purpose, see the performance notes.)
CREATE OR REPLACE TEMP MACRO wf_clock_pos(ts_utc, business, tz, start_h, end_h) AS (
    wf_business_pos_local(epoch(CASE WHEN business THEN wf_local_ts(ts_utc, tz) ELSE ts_utc END) - 345600, start_h, end_h)
        * business::INTEGER
    + epoch(ts_utc) * (1 - business::INTEGER)
);
CREATE OR REPLACE TEMP MACRO wf_clock_ts(pos, business, tz, start_h, end_h) AS (
    CASE WHEN business THEN wf_business_ts(pos, tz, start_h, end_h) ELSE make_timestamp(round(pos * 1e6)::BIGINT) END
);

-- Where each clock stops as of as_of (NULL: still running). First action: the first action, or
-- the first resolution if that came first or none is recorded. Resolution: resolved_at (the
-- final resolution), else the start of the stop the case is in at as_of (resolved, not reopened).
CREATE OR REPLACE TEMP MACRO wf_sla_first_action_stop(created_at, first_action_at, resolved_at, first_resolved_event, as_of) AS (
    CASE WHEN least(CASE WHEN first_action_at <= as_of THEN first_action_at END,
                    CASE WHEN resolved_at <= as_of THEN resolved_at END,
                    first_resolved_event) IS NOT NULL
         THEN greatest(least(CASE WHEN first_action_at <= as_of THEN first_action_at END,
                             CASE WHEN resolved_at <= as_of THEN resolved_at END,
                             first_resolved_event), created_at) END
);
CREATE OR REPLACE TEMP MACRO wf_sla_resolution_stop(created_at, resolved_at, ends_stopped, last_stop_start, as_of) AS (
    CASE WHEN resolved_at <= as_of THEN greatest(resolved_at, created_at)
         WHEN ends_stopped THEN last_stop_start END
);

-- A clock's state from its stop and its counted and target seconds: met or breached once stopped;
-- while running breached past 100 % of the target, at risk from 75 %, warning from 50 %.
CREATE OR REPLACE TEMP MACRO wf_sla_state(stopped_at, elapsed, target) AS (
    CASE
        WHEN stopped_at IS NOT NULL THEN CASE WHEN elapsed > target THEN 'breached' ELSE 'met' END
        WHEN elapsed > target THEN 'breached'
        WHEN elapsed / target >= 0.75 THEN 'at_risk'
        WHEN elapsed / target >= 0.5 THEN 'warning'
        ELSE 'on_track'
    END
);

-- Breach causes (docs/metrics.md, "Breach causes"): the part of a clock's span a case event
-- starts ('created' stands for the case's creation), and the microseconds of a stretch
-- [seg_start, seg_end) inside the span [span_start, span_end] (seg_end NULL: the span's end).
-- Microseconds are whole numbers, so their sum does not depend on the order it is taken in.
CREATE OR REPLACE TEMP MACRO wf_breach_part(event_type) AS (
    CASE event_type
        WHEN 'assigned' THEN 'review'
        WHEN 'pending_info' THEN 'pending'
        WHEN 'escalated' THEN 'escalation'
        WHEN 'resolved' THEN 'closed'
        ELSE 'queue' END
);
CREATE OR REPLACE TEMP MACRO wf_breach_us(seg_start, seg_end, span_start, span_end) AS (
    greatest(date_diff('microsecond', greatest(seg_start, span_start), least(coalesce(seg_end, span_end), span_end)), 0)
);

-- sla_clocks(as_of, since): one row per case and clock ('first_action', 'resolution') as of
-- as_of, for the cases created by as_of and not resolved before since (a case resolved after
-- as_of is open at as_of). Columns: case_id, clock, queue_id, priority, region, vendor_id,
-- category, created_at, target_seconds, elapsed_seconds, paused_seconds, stopped_at, due_at,
-- breach_at, used_share, breached, state; reviewer_id (the case's, who decided it); and for a
-- breached clock its breach causes queue_s, review_s, pending_s, escalation_s, closed_s: where
-- the wall time of its span (created_at to its stop, or as_of while it runs) went, from the
-- case's events up to as_of in (occurred_at, event_id) order (NULL for other clocks). (DuckDB
-- computes them even for a query that reads none: it does not drop this join.)
CREATE OR REPLACE TEMP MACRO sla_clocks(as_of, since) AS TABLE
WITH pol AS (
    -- Each queue's policy and time zone, and where as_of lies in its calendar.
    SELECT
        q.queue_id,
        q.timezone AS tz,
        p.first_action_target_min * 60.0 AS fa_target,
        p.resolution_target_min * 60.0 AS res_target,
        p.calendar = 'business' AS biz,
        p.pause_on_pending AS pause,
        p.business_start_hour AS sh,
        p.business_end_hour AS eh,
        CASE WHEN p.calendar = 'business'
             THEN wf_business_pos(as_of::TIMESTAMP, q.timezone, p.business_start_hour, p.business_end_hour)
             ELSE epoch(as_of::TIMESTAMP) END AS p_asof
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
),
base AS MATERIALIZED (
    SELECT
        *,
        CASE WHEN biz THEN wf_business_pos_local(e_created, sh, eh) ELSE epoch(created_at) END AS p_created
    FROM (
        SELECT
            c.case_id, c.queue_id, c.priority, c.region, c.vendor_id, c.category, c.reviewer_id,
            c.created_at, c.first_action_at, c.resolved_at,
            pol.tz, pol.fa_target, pol.res_target, pol.biz, pol.pause, pol.sh, pol.eh, pol.p_asof,
            CASE WHEN pol.biz THEN wf_local_epoch(c.created_at, pol.tz) END AS e_created
        FROM cases c
        JOIN pol ON pol.queue_id = c.queue_id
        WHERE c.created_at <= as_of::TIMESTAMP
          AND (c.resolved_at IS NULL OR c.resolved_at >= since::TIMESTAMP)
    )
),
-- Only cases put on pending or reopened need the event machine; every other case runs from
-- created_at to its stop. 'rare' holds the pending_info, info_received and reopened events of
-- the cases in base (with the case's columns). 'resolved' events (one per resolved case, the
-- bulk of the four types) are read only for cases that were ever reopened (even after as_of:
-- such a case may have been resolved, not yet reopened, at as_of); for any other case the
-- resolution is resolved_at.
rare AS MATERIALIZED (
    SELECT e.event_id, e.occurred_at, e.event_type, b.*
    FROM case_events e
    JOIN base b ON b.case_id = e.case_id AND e.occurred_at >= b.created_at
    WHERE e.event_type IN ('pending_info', 'info_received', 'reopened')
      -- the same three types as a range ('i' < 'p' < 'r'): DuckDB pushes a range into the scan
      -- (an IN list only prunes), so only matching rows are read
      AND e.event_type BETWEEN 'info_received' AND 'reopened'
      AND (e.occurred_at <= as_of::TIMESTAMP OR e.event_type = 'reopened')
      -- events before a case's creation are ignored, so none older than the oldest case matters
      -- (this bound lets a time-ordered table skip its old row groups)
      AND e.occurred_at >= (SELECT min(created_at) FROM base)
),
-- The reopened cases, whose 'resolved' events the machine needs.
reopened AS MATERIALIZED (
    SELECT DISTINCT ON (case_id) * EXCLUDE (event_id, occurred_at, event_type)
    FROM rare
    WHERE event_type = 'reopened'
),
ev AS (
    SELECT * FROM rare WHERE occurred_at <= as_of::TIMESTAMP
    UNION ALL BY NAME
    SELECT e.event_id, e.occurred_at, e.event_type, m.*
    FROM case_events e
    JOIN reopened m ON m.case_id = e.case_id AND e.occurred_at >= m.created_at
    WHERE e.event_type = 'resolved'
      AND e.occurred_at <= as_of::TIMESTAMP
      AND e.occurred_at >= (SELECT min(created_at) FROM reopened)
),
-- The state after each event, held until the next event (or as_of): 'stopped' after a
-- resolution until a reopening; otherwise 'paused' after pending_info (if the policy pauses)
-- until info_received or a reopening; else 'running'. Events before created_at are ignored.
machine AS (
    SELECT
        case_id, event_type,
        occurred_at AS t,
        lead(occurred_at) OVER w AS t_next,
        created_at, first_action_at, resolved_at, fa_target, res_target,
        biz, pause, tz, sh, eh, p_created,
        last_value(CASE WHEN event_type IN ('resolved', 'reopened') THEN event_type END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_rr,
        last_value(CASE WHEN event_type IN ('resolved', 'reopened') THEN event_type END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_rr,
        last_value(CASE event_type WHEN 'pending_info' THEN 'P' WHEN 'info_received' THEN 'R' WHEN 'reopened' THEN 'R' END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_sig
    FROM ev
    WINDOW w AS (PARTITION BY case_id ORDER BY occurred_at, event_id)
),
states AS MATERIALIZED (
    SELECT
        *,
        CASE WHEN last_rr = 'resolved' THEN 'stopped'
             WHEN pause AND last_sig = 'P' THEN 'paused'
             ELSE 'running' END AS state
    FROM machine
),
-- Per machine case: where its clocks stop.
stops AS MATERIALIZED (
    SELECT
        case_id,
        wf_sla_first_action_stop(created_at, first_action_at, resolved_at, first_resolved, as_of::TIMESTAMP) AS fa_stop,
        wf_sla_resolution_stop(created_at, resolved_at, ends_stopped, last_stop_start, as_of::TIMESTAMP) AS res_stop
    FROM (
        SELECT
            case_id,
            any_value(created_at) AS created_at,
            any_value(first_action_at) AS first_action_at,
            any_value(resolved_at) AS resolved_at,
            min(t) FILTER (WHERE event_type = 'resolved') AS first_resolved,
            bool_or(t_next IS NULL AND last_rr = 'resolved') AS ends_stopped,
            max(t) FILTER (WHERE event_type = 'resolved' AND prev_rr IS DISTINCT FROM 'resolved') AS last_stop_start
        FROM states
        GROUP BY case_id
    )
),
-- The not-counting stretches, cut to each clock's life, as calendar positions.
segments AS (
    SELECT
        case_id, t, fa_target, res_target, p_created,
        CASE WHEN biz THEN wf_business_pos_local(e_start, sh, eh) ELSE epoch(t) END AS p_start,
        CASE WHEN biz THEN wf_business_pos_local(e_fa_end, sh, eh) ELSE epoch(fa_end) END AS p_fa_end,
        CASE WHEN biz THEN wf_business_pos_local(e_res_end, sh, eh) ELSE epoch(res_end) END AS p_res_end
    FROM (
        SELECT
            *,
            CASE WHEN biz THEN wf_local_epoch(t, tz) END AS e_start,
            CASE WHEN biz THEN wf_local_epoch(fa_end, tz) END AS e_fa_end,
            CASE WHEN biz THEN wf_local_epoch(res_end, tz) END AS e_res_end
        FROM (
            SELECT
                s.*,
                greatest(least(coalesce(s.t_next, as_of::TIMESTAMP), coalesce(x.fa_stop, as_of::TIMESTAMP)), s.t) AS fa_end,
                greatest(least(coalesce(s.t_next, as_of::TIMESTAMP), coalesce(x.res_stop, as_of::TIMESTAMP)), s.t) AS res_end
            FROM states s
            JOIN stops x ON x.case_id = s.case_id
            WHERE s.state <> 'running'
        )
    )
),
-- Paused time per clock, and the part of it before the breach instant: a stretch pushes the
-- deadline out if the clock had not yet passed its target when the stretch began.
paused AS (
    SELECT
        case_id,
        sum(fa_len) AS fa_paused,
        sum(res_len) AS res_paused,
        coalesce(sum(fa_len) FILTER (WHERE fa_counted <= fa_target), 0) AS fa_ext,
        coalesce(sum(res_len) FILTER (WHERE res_counted <= res_target), 0) AS res_ext
    FROM (
        SELECT
            case_id, fa_target, res_target, fa_len, res_len,
            p_start - p_created - coalesce(sum(fa_len) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS fa_counted,
            p_start - p_created - coalesce(sum(res_len) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS res_counted
        FROM (SELECT *, p_fa_end - p_start AS fa_len, p_res_end - p_start AS res_len FROM segments)
        WINDOW w AS (PARTITION BY case_id ORDER BY t)
    )
    GROUP BY case_id
),
clocks AS (
    SELECT
        b.case_id, k.clock, b.queue_id, b.priority, b.region, b.vendor_id, b.category, b.reviewer_id, b.created_at,
        b.biz, b.tz, b.sh, b.eh, b.p_created, b.p_asof,
        CASE k.clock WHEN 'first_action' THEN b.fa_target ELSE b.res_target END AS target_seconds,
        CASE k.clock
            WHEN 'first_action' THEN
                CASE WHEN x.case_id IS NULL
                     THEN wf_sla_first_action_stop(b.created_at, b.first_action_at, b.resolved_at, NULL::TIMESTAMP, as_of::TIMESTAMP)
                     ELSE x.fa_stop END
            ELSE
                CASE WHEN x.case_id IS NULL
                     THEN wf_sla_resolution_stop(b.created_at, b.resolved_at, NULL::BOOLEAN, NULL::TIMESTAMP, as_of::TIMESTAMP)
                     ELSE x.res_stop END
        END AS stopped_at,
        coalesce(CASE k.clock WHEN 'first_action' THEN pz.fa_paused ELSE pz.res_paused END, 0) AS paused_seconds,
        coalesce(CASE k.clock WHEN 'first_action' THEN pz.fa_ext ELSE pz.res_ext END, 0) AS ext
    FROM base b
    CROSS JOIN (VALUES ('first_action'), ('resolution')) k(clock)
    LEFT JOIN stops x ON x.case_id = b.case_id
    LEFT JOIN paused pz ON pz.case_id = b.case_id
),
-- The local time of a stop is converted once, in its own column (see the performance notes).
stop_local AS (
    SELECT *, CASE WHEN biz AND stopped_at IS NOT NULL THEN wf_local_epoch(stopped_at, tz) END AS e_stop
    FROM clocks
),
measured AS (
    SELECT
        *,
        CASE WHEN stopped_at IS NULL THEN p_asof
             WHEN biz THEN wf_business_pos_local(e_stop, sh, eh)
             ELSE epoch(stopped_at) END - p_created - paused_seconds AS elapsed_seconds
    FROM stop_local
),
-- When the counted time passes the target: projected for a running clock (a paused clock as if
-- it resumed at as_of), the breach instant for a breached one, NULL for one stopped in time.
dated AS MATERIALIZED (
    SELECT
        *,
        CASE WHEN NOT (stopped_at IS NULL OR elapsed_seconds > target_seconds) THEN NULL
             WHEN biz THEN wf_business_ts(due_pos, tz, sh, eh)
             ELSE make_timestamp(round(due_pos * 1e6)::BIGINT) END AS due_at
    FROM (SELECT *, p_created + target_seconds + ext AS due_pos FROM measured)
),
-- Breach causes: each breached clock's span, its case's events up to as_of after a 'created'
-- marker, the state each sets held until the next one.
spans AS MATERIALIZED (
    SELECT case_id, clock, created_at, coalesce(stopped_at, as_of::TIMESTAMP) AS span_end
    FROM dated
    WHERE elapsed_seconds > target_seconds
),
span_cases AS MATERIALIZED (
    SELECT case_id, any_value(created_at) AS created_at FROM spans GROUP BY case_id
),
span_events AS (
    SELECT case_id, created_at AS occurred_at, -1::BIGINT AS event_id, 'created' AS event_type
    FROM span_cases
    UNION ALL
    SELECT e.case_id, e.occurred_at, e.event_id, e.event_type
    FROM case_events e
    WHERE e.event_type IN ('routed', 'info_received', 'reopened', 'assigned', 'pending_info', 'escalated', 'resolved')
      AND e.case_id IN (SELECT case_id FROM span_cases)
      AND e.occurred_at <= as_of::TIMESTAMP
      AND e.occurred_at >= (SELECT min(created_at) FROM span_cases)
),
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
            SELECT case_id, occurred_at AS seg_start,
                   lead(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS seg_end,
                   wf_breach_part(event_type) AS part
            FROM span_events
        ) s ON s.case_id = b.case_id
    )
    GROUP BY case_id, clock
)
SELECT
    d.case_id,
    d.clock,
    d.queue_id,
    d.priority,
    d.region,
    d.vendor_id,
    d.category,
    d.created_at,
    d.target_seconds::DOUBLE AS target_seconds,
    d.elapsed_seconds::DOUBLE AS elapsed_seconds,
    d.paused_seconds::DOUBLE AS paused_seconds,
    d.stopped_at,
    d.due_at,
    CASE WHEN d.elapsed_seconds > d.target_seconds THEN d.due_at END AS breach_at,
    (d.elapsed_seconds / d.target_seconds)::DOUBLE AS used_share,
    d.elapsed_seconds > d.target_seconds AS breached,
    wf_sla_state(d.stopped_at, d.elapsed_seconds, d.target_seconds) AS state,
    d.reviewer_id,
    c.queue_s::DOUBLE AS queue_s,
    c.review_s::DOUBLE AS review_s,
    c.pending_s::DOUBLE AS pending_s,
    c.escalation_s::DOUBLE AS escalation_s,
    c.closed_s::DOUBLE AS closed_s
FROM dated d
LEFT JOIN causes c ON c.case_id = d.case_id AND c.clock = d.clock;

-- summary_sla_clocks(as_of, since): the same rows as sla_clocks(as_of, since), read from the
-- summaries (watchfloor/summaries.py; docs/warehouse.md, "Summaries") instead of replaying every
-- case's events. A clock at its final stop by as_of is read whole from summary_sla_stopped (no
-- later instant changes it). Any other clock (its case open at as_of, or resolved after it) is its
-- case's fixed part (summary_sla_cases) advanced from its last pause/reopen event at or before
-- as_of (summary_sla_stretches), one step per case, and a breached one's causes come from its
-- case's events. Only as_of itself is converted to a calendar position, once per queue. Events
-- newer than the summaries' high-water mark are not seen until the summaries are refreshed.
-- It is the union of two parts, each a macro, so that a query can read one part alone (the SLA
-- page reads the open part once: read twice, DuckDB shares the two reads' breach-cause events and
-- loses their time bound):
-- summary_sla_open_clocks(as_of, since, with_causes): the clocks not at their final stop by as_of,
-- with the breach causes of the breached ones when with_causes (else NULL: reading the events of a
-- large backlog's breached cases is most of the work, and only the SLA page shows causes).
CREATE OR REPLACE TEMP MACRO summary_sla_open_clocks(as_of, since, with_causes) AS TABLE
WITH pol AS (
    SELECT
        q.queue_id, q.timezone AS tz, p.business_start_hour AS sh, p.business_end_hour AS eh,
        CASE WHEN p.calendar = 'business'
             THEN wf_business_pos(as_of::TIMESTAMP, q.timezone, p.business_start_hour, p.business_end_hour)
             ELSE epoch(as_of::TIMESTAMP) END AS p_asof
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
),
-- The cases with a clock not at its final stop by as_of: the first action stops no later than
-- the resolution, so these are the cases not (finally) resolved by as_of.
base AS MATERIALIZED (
    SELECT s.*, pol.tz, pol.sh, pol.eh, pol.p_asof
    FROM summary_sla_cases s
    JOIN pol ON pol.queue_id = s.queue_id
    WHERE s.created_at <= as_of::TIMESTAMP
      AND (s.resolved_at IS NULL OR s.resolved_at >= since::TIMESTAMP)
      AND (s.res_stop IS NULL OR s.res_stop > as_of::TIMESTAMP)
),
-- Each case's last stretch begun at or before as_of (at most one per case).
tail AS MATERIALIZED (
    SELECT x.*
    FROM summary_sla_stretches x
    WHERE x.t <= as_of::TIMESTAMP
      AND (x.t_next IS NULL OR x.t_next > as_of::TIMESTAMP)
      AND x.t >= (SELECT min(created_at) FROM base)
),
per_clock AS (
    SELECT
        b.case_id, k.clock, b.queue_id, b.priority, b.region, b.vendor_id, b.category, b.reviewer_id, b.created_at,
        b.biz, b.tz, b.sh, b.eh, b.p_created, b.p_asof,
        x.state AS x_state, x.t AS x_t, x.p_t AS x_p_t, x.stop_start, x.p_stop_start,
        x.run_paused_before, x.run_ext_before,
        CASE k.clock WHEN 'first_action' THEN b.fa_target ELSE b.res_target END AS target_seconds,
        CASE k.clock WHEN 'first_action' THEN b.fa_due_unpaused ELSE b.res_due_unpaused END AS due_unpaused,
        CASE k.clock WHEN 'first_action' THEN x.fa_paused_before ELSE x.res_paused_before END AS paused_before,
        CASE k.clock WHEN 'first_action' THEN x.fa_ext_before ELSE x.res_ext_before END AS ext_before,
        CASE k.clock WHEN 'first_action' THEN x.fa_counted ELSE x.res_counted END AS x_counted
    FROM base b
    CROSS JOIN (VALUES ('first_action'), ('resolution')) k(clock)
    LEFT JOIN tail x ON x.case_id = b.case_id
    WHERE NOT coalesce(CASE k.clock WHEN 'first_action' THEN b.fa_stop ELSE b.res_stop END <= as_of::TIMESTAMP, false)
),
-- in_stop: a resolution clock held by a resolution that was later reopened (its stop started at
-- stop_start); last_len: the last stretch's not-counting length up to as_of.
measured AS (
    SELECT
        *,
        CASE WHEN in_stop THEN stop_start END AS stopped_at,
        CASE WHEN x_state IS NULL THEN 0.0
             WHEN in_stop THEN run_paused_before
             ELSE paused_before + last_len END AS paused_seconds,
        CASE WHEN x_state IS NULL THEN 0.0
             WHEN in_stop THEN run_ext_before
             ELSE ext_before + CASE WHEN x_counted <= target_seconds THEN last_len ELSE 0.0 END END AS ext
    FROM (
        SELECT
            *,
            CASE WHEN x_state IS NULL OR x_state = 'running' OR in_stop THEN 0.0 ELSE p_asof - x_p_t END AS last_len
        FROM (SELECT *, clock = 'resolution' AND x_state = 'stopped' AS in_stop FROM per_clock)
    )
),
elapsed AS (
    SELECT *, CASE WHEN in_stop THEN p_stop_start ELSE p_asof END - p_created - paused_seconds AS elapsed_seconds
    FROM measured
),
dated AS MATERIALIZED (
    SELECT
        *,
        CASE WHEN NOT (stopped_at IS NULL OR elapsed_seconds > target_seconds) THEN NULL
             WHEN ext = 0 THEN due_unpaused
             WHEN biz THEN wf_business_ts(p_created + target_seconds + ext, tz, sh, eh)
             ELSE make_timestamp(round((p_created + target_seconds + ext) * 1e6)::BIGINT) END AS due_at
    FROM elapsed
),
-- Breach causes of the breached clocks computed here, as in sla_clocks.
spans AS (
    SELECT case_id, clock, created_at, coalesce(stopped_at, as_of::TIMESTAMP) AS span_end
    FROM dated
    WHERE elapsed_seconds > target_seconds AND with_causes
),
span_cases AS MATERIALIZED (
    SELECT case_id, any_value(created_at) AS created_at FROM spans GROUP BY case_id
),
span_events AS (
    SELECT case_id, created_at AS occurred_at, -1::BIGINT AS event_id, 'created' AS event_type
    FROM span_cases
    UNION ALL
    SELECT e.case_id, e.occurred_at, e.event_id, e.event_type
    FROM case_events e
    WHERE e.event_type IN ('routed', 'info_received', 'reopened', 'assigned', 'pending_info', 'escalated', 'resolved')
      AND e.case_id IN (SELECT case_id FROM span_cases)
      AND e.occurred_at <= as_of::TIMESTAMP
      AND e.occurred_at >= (SELECT min(created_at) FROM span_cases)
),
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
            SELECT case_id, occurred_at AS seg_start,
                   lead(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS seg_end,
                   wf_breach_part(event_type) AS part
            FROM span_events
        ) s ON s.case_id = b.case_id
    )
    GROUP BY case_id, clock
)
SELECT
    d.case_id,
    d.clock,
    d.queue_id,
    d.priority,
    d.region,
    d.vendor_id,
    d.category,
    d.created_at,
    d.target_seconds::DOUBLE AS target_seconds,
    d.elapsed_seconds::DOUBLE AS elapsed_seconds,
    d.paused_seconds::DOUBLE AS paused_seconds,
    d.stopped_at,
    d.due_at,
    CASE WHEN d.elapsed_seconds > d.target_seconds THEN d.due_at END AS breach_at,
    (d.elapsed_seconds / d.target_seconds)::DOUBLE AS used_share,
    d.elapsed_seconds > d.target_seconds AS breached,
    wf_sla_state(d.stopped_at, d.elapsed_seconds, d.target_seconds) AS state,
    d.reviewer_id,
    c.queue_s::DOUBLE AS queue_s,
    c.review_s::DOUBLE AS review_s,
    c.pending_s::DOUBLE AS pending_s,
    c.escalation_s::DOUBLE AS escalation_s,
    c.closed_s::DOUBLE AS closed_s
FROM dated d
LEFT JOIN causes c ON c.case_id = d.case_id AND c.clock = d.clock;

-- summary_sla_stopped_clocks(as_of, since): the clocks at their final stop by as_of, read whole.
CREATE OR REPLACE TEMP MACRO summary_sla_stopped_clocks(as_of, since) AS TABLE
SELECT
    case_id, clock, queue_id, priority, region, vendor_id, category, created_at,
    target_seconds, elapsed_seconds, paused_seconds, stopped_at, due_at, breach_at, used_share, breached, state,
    reviewer_id, queue_s, review_s, pending_s, escalation_s, closed_s
FROM summary_sla_stopped
WHERE stopped_at <= as_of::TIMESTAMP
  AND created_at <= as_of::TIMESTAMP
  AND (resolved_at IS NULL OR resolved_at >= since::TIMESTAMP);

-- summary_sla_met_hour_counts(as_of, since, first_hour, until_hour): the met clocks at their final
-- stop counted per UTC hour of the stop, for the hours in [first_hour, until_hour) (hour boundaries)
-- that end by as_of: summary_sla_met_hours, as summary_sla_stopped_clocks(as_of, since) counts them.
CREATE OR REPLACE TEMP MACRO summary_sla_met_hour_counts(as_of, since, first_hour, until_hour) AS TABLE
SELECT hour, clock, queue_id, priority, region, vendor_id, clocks
FROM summary_sla_met_hours
WHERE hour >= first_hour::TIMESTAMP
  AND hour < least(until_hour::TIMESTAMP, date_trunc('hour', as_of::TIMESTAMP))
  AND (early_resolved_at IS NULL OR early_resolved_at >= since::TIMESTAMP);

-- The same two parts of sla_clocks, replayed from the raw events (the tests compare each with its
-- summary twin): a clock is at its final stop by as_of when it has stopped by then and, for the
-- resolution clock, the case's (last) resolution is at or before as_of; a first action stops once.
CREATE OR REPLACE TEMP MACRO sla_stopped_clocks(as_of, since) AS TABLE
SELECT k.*
FROM sla_clocks(as_of, since) k
JOIN cases c ON c.case_id = k.case_id
WHERE k.stopped_at IS NOT NULL
  AND (k.clock = 'first_action' OR greatest(c.resolved_at, c.created_at) <= as_of::TIMESTAMP);

-- Its twin from the raw events: the met clocks at their final stop by as_of, counted per hour.
CREATE OR REPLACE TEMP MACRO sla_met_hour_counts(as_of, since, first_hour, until_hour) AS TABLE
SELECT date_trunc('hour', stopped_at) AS hour, clock, queue_id, priority, region, vendor_id, count(*) AS clocks
FROM sla_stopped_clocks(as_of, since)
WHERE NOT breached
  AND stopped_at >= first_hour::TIMESTAMP
  AND stopped_at < least(until_hour::TIMESTAMP, date_trunc('hour', as_of::TIMESTAMP))
GROUP BY date_trunc('hour', stopped_at), clock, queue_id, priority, region, vendor_id;

-- summary_sla_met_day_counts(as_of, since, first_day, until_day): the met clocks at their final stop
-- of the cases with a vendor counted per UTC day of the stop and reviewer, for the days in
-- [first_day, until_day) (midnights) that end by as_of: summary_sla_met_reviewer_days, as
-- summary_sla_stopped_clocks(as_of, since) counts them when since is at or before first_day (a
-- case resolved before since but within a day is not told apart; the period's start comes first).
CREATE OR REPLACE TEMP MACRO summary_sla_met_day_counts(as_of, since, first_day, until_day) AS TABLE
SELECT day, clock, queue_id, priority, region, vendor_id, reviewer_id, clocks
FROM summary_sla_met_reviewer_days
WHERE day >= first_day::TIMESTAMP
  AND day < least(until_day::TIMESTAMP, date_trunc('day', as_of::TIMESTAMP))
  AND (early_resolved_at IS NULL OR early_resolved_at >= since::TIMESTAMP);

-- Its twin from the raw events: the same counts from sla_stopped_clocks.
CREATE OR REPLACE TEMP MACRO sla_met_day_counts(as_of, since, first_day, until_day) AS TABLE
SELECT date_trunc('day', stopped_at) AS day, clock, queue_id, priority, region, vendor_id, reviewer_id,
       count(*) AS clocks
FROM sla_stopped_clocks(as_of, since)
WHERE NOT breached
  AND vendor_id IS NOT NULL
  AND stopped_at >= first_day::TIMESTAMP
  AND stopped_at < least(until_day::TIMESTAMP, date_trunc('day', as_of::TIMESTAMP))
GROUP BY date_trunc('day', stopped_at), clock, queue_id, priority, region, vendor_id, reviewer_id;

CREATE OR REPLACE TEMP MACRO sla_open_clocks(as_of, since, with_causes) AS TABLE
SELECT
    k.case_id, k.clock, k.queue_id, k.priority, k.region, k.vendor_id, k.category, k.created_at, k.target_seconds,
    k.elapsed_seconds, k.paused_seconds, k.stopped_at, k.due_at, k.breach_at, k.used_share, k.breached, k.state,
    k.reviewer_id,
    CASE WHEN with_causes THEN k.queue_s END AS queue_s, CASE WHEN with_causes THEN k.review_s END AS review_s,
    CASE WHEN with_causes THEN k.pending_s END AS pending_s,
    CASE WHEN with_causes THEN k.escalation_s END AS escalation_s,
    CASE WHEN with_causes THEN k.closed_s END AS closed_s
FROM sla_clocks(as_of, since) k
JOIN cases c ON c.case_id = k.case_id
WHERE NOT coalesce(k.stopped_at IS NOT NULL
                   AND (k.clock = 'first_action' OR greatest(c.resolved_at, c.created_at) <= as_of::TIMESTAMP), false);

CREATE OR REPLACE TEMP MACRO sla_clock_times(as_of, since) AS TABLE
SELECT * FROM sla_open_clocks(as_of, since, false)
UNION ALL
SELECT * FROM sla_stopped_clocks(as_of, since);

-- summary_sla_clocks(as_of, since): both parts, every clock (sla_clocks' rows).
CREATE OR REPLACE TEMP MACRO summary_sla_clocks(as_of, since) AS TABLE
SELECT * FROM summary_sla_open_clocks(as_of, since, true)
UNION ALL
SELECT * FROM summary_sla_stopped_clocks(as_of, since);

-- summary_sla_clock_times(as_of, since): the same rows, without the breach causes of the clocks not
-- at their final stop (NULL): for the queries that do not show causes.
CREATE OR REPLACE TEMP MACRO summary_sla_clock_times(as_of, since) AS TABLE
SELECT * FROM summary_sla_open_clocks(as_of, since, false)
UNION ALL
SELECT * FROM summary_sla_stopped_clocks(as_of, since);
