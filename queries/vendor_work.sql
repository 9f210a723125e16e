-- Vendors: the reviewers' work and shifts in the period [a, b), a = $period_start,
-- b = least($period_end, $as_of), per reviewer unit (vendor, region and site of the reviewer)
-- and UTC week (Monday 00:00). Definitions: docs/metrics.md, "Vendor scorecards"; the same
-- rules in Python: watchfloor/vendors.py (handlings, clipped_seconds).
--
-- A session runs from an 'assigned' event to the case's next 'pending_info', 'escalated' or
-- 'decided' event (or b, if none yet). A handling is one reviewer's sessions on one case up to
-- its outcome: 'decided' or 'escalated' complete it; after 'pending_info' the time waiting
-- for the answer is not handled, and the reviewer's next session on the case continues it.
-- Sessions are looked for from a day before a (a session is never held that long).
--
-- Rows of kind 'unit': additive figures per (vendor_id, region, site, week_start).
-- Rows of kind 'spread': handle-time p50 / p90 of the handlings completed in the period, for
-- the groupings the page shows: vendor ('vendor'), vendor and region ('region'), vendor,
-- region and site ('site'), vendor and week ('week').
WITH bounds AS (
    SELECT
        $period_start::TIMESTAMP AS a,
        least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS b
),
ev AS (
    SELECT e.case_id, e.event_id, e.occurred_at, e.event_type, e.actor_id, e.queue_id
    FROM case_events e, bounds
    WHERE e.event_type IN ('assigned', 'pending_info', 'escalated', 'decided')
      AND e.occurred_at >= bounds.a - INTERVAL 1 DAY
      AND e.occurred_at < bounds.b
),
steps AS (
    SELECT
        *,
        lead(occurred_at) OVER w AS next_at,
        lead(event_type) OVER w AS next_type,
        -- outcomes so far on the case: a reviewer's sessions between two outcomes form one handling
        count(*) FILTER (WHERE event_type IN ('decided', 'escalated')) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS outcomes_before
    FROM ev
    WINDOW w AS (PARTITION BY case_id ORDER BY occurred_at, event_id)
),
sessions AS MATERIALIZED (
    SELECT
        s.case_id,
        s.actor_id AS reviewer_id,
        r.vendor_id, r.region, coalesce(r.site, r.region) AS site,
        s.queue_id,
        s.outcomes_before,
        s.occurred_at AS started_at,
        coalesce(s.next_at, bounds.b) AS ended_at,
        CASE WHEN s.next_type IN ('decided', 'escalated') THEN s.next_type END AS outcome
    FROM steps s
    JOIN reviewers r ON r.reviewer_id = s.actor_id
    JOIN queues q ON q.queue_id = s.queue_id
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    CROSS JOIN bounds
    WHERE s.event_type = 'assigned'
      AND wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, p.priority)
      AND wf_in($vendors, r.vendor_id)
),
handlings AS MATERIALIZED (
    -- completed handlings whose outcome falls in the period
    SELECT
        vendor_id, region, site,
        max(ended_at) AS completed_at,
        sum(epoch(ended_at) - epoch(started_at)) AS handle_seconds,
        max(outcome) AS outcome
    FROM sessions
    GROUP BY case_id, reviewer_id, vendor_id, region, site, outcomes_before
    HAVING max(outcome) IS NOT NULL
       AND max(ended_at) >= (SELECT a FROM bounds)
),
weeks AS (
    SELECT w AS week_start, w + INTERVAL 7 DAY AS week_end
    FROM bounds, range(date_trunc('week', bounds.a), bounds.b, INTERVAL 7 DAY) t(w)
),
done AS (
    SELECT
        vendor_id, region, site, date_trunc('week', completed_at) AS week_start,
        count(*) FILTER (WHERE outcome = 'decided') AS decisions,
        count(*) FILTER (WHERE outcome = 'escalated') AS escalations,
        sum(handle_seconds) AS handle_seconds
    FROM handlings
    GROUP BY ALL
),
-- Handled time and shift time inside the period, split at week boundaries (a shift across
-- midnight, or Sunday night, counts in each day or week by its part there).
productive AS (
    SELECT s.vendor_id, s.region, s.site, w.week_start,
           sum(epoch(least(s.ended_at, w.week_end, bounds.b)) - epoch(greatest(s.started_at, w.week_start, bounds.a))) AS productive_seconds
    FROM sessions s
    CROSS JOIN bounds
    JOIN weeks w ON s.started_at < w.week_end AND s.ended_at > w.week_start
    WHERE s.ended_at > bounds.a
    GROUP BY ALL
),
staffed AS (
    SELECT r.vendor_id, r.region, coalesce(r.site, r.region) AS site, w.week_start,
           sum(epoch(least(sh.ends_at, w.week_end, bounds.b)) - epoch(greatest(sh.starts_at, w.week_start, bounds.a))) AS staffed_seconds
    FROM shifts sh
    CROSS JOIN bounds
    JOIN reviewers r ON r.reviewer_id = sh.reviewer_id
    JOIN queues q ON q.queue_id = sh.queue_id
    JOIN weeks w ON sh.starts_at < w.week_end AND sh.ends_at > w.week_start
    WHERE sh.ends_at > bounds.a
      AND sh.starts_at < bounds.b
      AND wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($vendors, r.vendor_id)
    GROUP BY ALL
),
units AS (
    SELECT
        'unit' AS kind,
        vendor_id, region, site, week_start,
        coalesce(d.decisions, 0) AS decisions,
        coalesce(d.escalations, 0) AS escalations,
        coalesce(d.handle_seconds, 0) AS handle_seconds,
        coalesce(p.productive_seconds, 0) AS productive_seconds,
        coalesce(st.staffed_seconds, 0) AS staffed_seconds
    FROM done d
    FULL JOIN productive p USING (vendor_id, region, site, week_start)
    FULL JOIN staffed st USING (vendor_id, region, site, week_start)
),
spread AS (
    SELECT
        'spread' AS kind,
        CASE WHEN grouping(week_start) = 0 THEN 'week'
             WHEN grouping(site) = 0 THEN 'site'
             WHEN grouping(region) = 0 THEN 'region'
             ELSE 'vendor' END AS grouping_level,
        vendor_id, region, site, week_start,
        quantile_cont(handle_seconds, 0.5) AS p50_seconds,
        quantile_cont(handle_seconds, 0.9) AS p90_seconds
    FROM (SELECT *, date_trunc('week', completed_at) AS week_start FROM handlings)
    GROUP BY GROUPING SETS ((vendor_id), (vendor_id, region), (vendor_id, region, site), (vendor_id, week_start))
)
SELECT * FROM units
UNION ALL BY NAME
SELECT * FROM spread
ORDER BY kind DESC, vendor_id, region, site, week_start
