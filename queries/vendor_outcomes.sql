-- Vendors: what became of the vendors' decisions, per reviewer unit (vendor, region, site of
-- the reviewer who decided the case, cases.reviewer_id) and UTC week, in the period [a, b)
-- (a = $period_start, b = least($period_end, $as_of)):
--   appeals decided in the period (resolved_at in [a, b); pending appeals are left out) and
--   how many were overturned;
--   the resolution SLA clock of every human-decided case whose final resolution (resolved_at)
--   lies in the period: met or breached. The clock is the one of docs/metrics.md ("SLA
--   clocks"), evaluated for these stopped clocks only (the full sla_clocks macro also runs every
--   open case's clocks, which this figure does not need): counted time = calendar position of
--   resolved_at − position of created_at − the time the case was paused (pending info, where the
--   policy pauses) or closed before a reopening. tests/unit/test_vendor_sql_agrees.py holds it
--   to sla_clocks on simulated warehouses.
-- The region, vertical and priority filters apply to the case's current queue.
WITH bounds AS (
    SELECT $period_start::TIMESTAMP AS a, least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS b
),
scope AS (
    SELECT q.queue_id, q.timezone AS tz,
           p.resolution_target_min * 60.0 AS target,
           p.calendar = 'business' AS biz, p.pause_on_pending AS pause,
           p.business_start_hour AS sh, p.business_end_hour AS eh
    FROM queues q
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, p.priority)
),
appeal_rows AS (
    SELECT c.reviewer_id, date_trunc('week', ap.resolved_at) AS week_start,
           count(*) AS appeals_decided,
           count(*) FILTER (WHERE ap.outcome = 'overturned') AS appeals_overturned
    FROM appeals ap
    CROSS JOIN bounds
    JOIN cases c ON c.case_id = ap.case_id
    WHERE ap.outcome <> 'pending'
      AND ap.resolved_at >= bounds.a AND ap.resolved_at < bounds.b
      AND c.reviewer_id IS NOT NULL
      AND c.queue_id IN (SELECT queue_id FROM scope)
    GROUP BY ALL
),
decided AS MATERIALIZED (
    SELECT c.case_id, c.reviewer_id, c.created_at, c.resolved_at, s.*
    FROM cases c
    CROSS JOIN bounds
    JOIN scope s ON s.queue_id = c.queue_id
    WHERE c.resolved_at >= bounds.a AND c.resolved_at < bounds.b
      AND c.reviewer_id IS NOT NULL
),
-- Only cases put on pending or reopened need the state machine (as in sla_clocks): their
-- pending_info, info_received and reopened events, and the 'resolved' events of reopened cases.
rare AS MATERIALIZED (
    SELECT e.case_id, e.event_id, e.occurred_at, e.event_type
    FROM case_events e
    JOIN decided d ON d.case_id = e.case_id
    WHERE e.event_type BETWEEN 'info_received' AND 'reopened'  -- a range the scan can use
      AND e.event_type IN ('pending_info', 'info_received', 'reopened')
      AND e.occurred_at >= d.created_at AND e.occurred_at <= d.resolved_at
      AND e.occurred_at >= (SELECT min(created_at) FROM decided)
),
ev AS (
    SELECT * FROM rare
    UNION ALL
    SELECT e.case_id, e.event_id, e.occurred_at, e.event_type
    FROM case_events e
    JOIN decided d ON d.case_id = e.case_id
    WHERE e.event_type = 'resolved'
      AND e.case_id IN (SELECT case_id FROM rare WHERE event_type = 'reopened')
      AND e.occurred_at >= d.created_at AND e.occurred_at <= d.resolved_at
      AND e.occurred_at >= (SELECT min(created_at) FROM decided)
),
-- The state after each event until the next (or the final resolution): 'stopped' after a
-- resolution until a reopening, 'paused' after pending_info (if the policy pauses) until
-- info_received or a reopening, else 'running'.
states AS (
    SELECT
        ev.case_id, ev.occurred_at AS t,
        least(coalesce(lead(ev.occurred_at) OVER w, d.resolved_at), d.resolved_at) AS t_end,
        d.biz, d.tz, d.sh, d.eh, d.pause,
        last_value(CASE WHEN ev.event_type IN ('resolved', 'reopened') THEN ev.event_type END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_rr,
        last_value(CASE ev.event_type WHEN 'pending_info' THEN 'P' WHEN 'info_received' THEN 'R' WHEN 'reopened' THEN 'R' END IGNORE NULLS)
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS last_sig
    FROM ev
    JOIN decided d ON d.case_id = ev.case_id
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.occurred_at, ev.event_id)
),
paused AS (
    SELECT case_id,
           sum(wf_clock_pos(t_end, biz, tz, sh, eh) - wf_clock_pos(t, biz, tz, sh, eh)) AS paused_seconds
    FROM states
    WHERE last_rr = 'resolved' OR (pause AND last_sig = 'P')
    GROUP BY case_id
),
clocks AS (
    SELECT d.case_id, d.reviewer_id, d.resolved_at,
           wf_clock_pos(d.resolved_at, d.biz, d.tz, d.sh, d.eh) - wf_clock_pos(d.created_at, d.biz, d.tz, d.sh, d.eh)
               - coalesce(p.paused_seconds, 0) > d.target AS breached
    FROM decided d
    LEFT JOIN paused p USING (case_id)
),
sla_rows AS (
    SELECT reviewer_id, date_trunc('week', resolved_at) AS week_start,
           count(*) FILTER (WHERE NOT breached) AS sla_met,
           count(*) FILTER (WHERE breached) AS sla_breached
    FROM clocks
    GROUP BY ALL
),
joined AS (
    SELECT reviewer_id, week_start,
           coalesce(ap.appeals_decided, 0) AS appeals_decided,
           coalesce(ap.appeals_overturned, 0) AS appeals_overturned,
           coalesce(s.sla_met, 0) AS sla_met,
           coalesce(s.sla_breached, 0) AS sla_breached
    FROM appeal_rows ap
    FULL JOIN sla_rows s USING (reviewer_id, week_start)
)
SELECT r.vendor_id, r.region, coalesce(r.site, r.region) AS site, j.week_start,
       sum(j.appeals_decided)::BIGINT AS appeals_decided,
       sum(j.appeals_overturned)::BIGINT AS appeals_overturned,
       sum(j.sla_met)::BIGINT AS sla_met,
       sum(j.sla_breached)::BIGINT AS sla_breached
FROM joined j
JOIN reviewers r ON r.reviewer_id = j.reviewer_id
WHERE wf_in($vendors, r.vendor_id)
GROUP BY ALL
ORDER BY ALL
