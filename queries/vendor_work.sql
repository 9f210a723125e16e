-- Vendors: the reviewers' work and shifts in the period [a, b), a = $period_start,
-- b = least($period_end, $as_of), per reviewer unit (vendor, region and site of the reviewer)
-- and UTC week (Monday 00:00). Definitions: docs/metrics.md, "Vendor scorecards"; the same
-- rules in Python: watchfloor/vendors.py (handlings, clipped_seconds).
--
-- Sessions and handlings: queries/macros/sessions.sql. A session runs from an 'assigned' event to
-- the case's next 'pending_info', 'escalated', 'decided', 'routed', 'resolved' or 'assigned' event
-- (a re-route takes the case to another queue's wait), or b if none yet. A handling is one
-- reviewer's sessions on one case up to its outcome: 'decided' or 'escalated' complete it; after
-- 'pending_info' the time waiting for the answer is not handled, and the reviewer's next session
-- on the case continues it. Sessions are looked for from a day before a (a session is never held
-- that long). They are read from the session summary (summary_reviewer_sessions) and the finished
-- handlings from the handling summary (summary_period_handlings); the tests run this query on
-- reviewer_sessions and period_handlings too, which replay the raw events, and compare.
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
-- The sessions the filters let through: the handled time.
sessions AS MATERIALIZED (
    SELECT s.reviewer_id, s.started_at, s.ended_at
    FROM summary_reviewer_sessions($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP)) s
    JOIN reviewers r ON r.reviewer_id = s.reviewer_id
    JOIN queues q ON q.queue_id = s.queue_id
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, p.priority)
      AND wf_in($vendors, r.vendor_id)
),
-- The finished handlings whose outcome falls in the period (one narrow row each, from the
-- handling summary), the filters applied to the queue each row's sessions ran in. A handling
-- whose sessions ran in one queue is its row; only the others are grouped by case.
scoped_handlings AS NOT MATERIALIZED (
    SELECT h.case_id, h.reviewer_id, h.handling, h.whole, h.completed_at, h.handle_seconds, h.outcome,
           r.vendor_id, r.region, coalesce(r.site, r.region) AS site  -- the reviewer's unit, for the spread
    FROM summary_period_handlings($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP)) h
    JOIN reviewers r ON r.reviewer_id = h.reviewer_id
    JOIN queues q ON q.queue_id = h.queue_id
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in($regions, q.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, p.priority)
      AND wf_in($vendors, r.vendor_id)
),
handlings AS MATERIALIZED (
    SELECT reviewer_id, vendor_id, region, site, completed_at, handle_seconds, outcome
    FROM scoped_handlings
    WHERE whole AND outcome IS NOT NULL
    UNION ALL
    SELECT reviewer_id, vendor_id, region, site, max(completed_at) AS completed_at,
           sum(handle_seconds) AS handle_seconds, max(outcome) AS outcome
    FROM scoped_handlings
    WHERE NOT whole
    GROUP BY case_id, reviewer_id, handling, vendor_id, region, site
    HAVING max(outcome) IS NOT NULL
),
weeks AS (
    SELECT w AS week_start, w + INTERVAL 7 DAY AS week_end
    FROM bounds, range(date_trunc('week', bounds.a), bounds.b, INTERVAL 7 DAY) t(w)
),
done AS (
    SELECT
        reviewer_id, date_trunc('week', completed_at) AS week_start,
        count(*) FILTER (WHERE outcome = 'decided') AS decisions,
        count(*) FILTER (WHERE outcome = 'escalated') AS escalations,
        sum(handle_seconds) AS handle_seconds
    FROM handlings
    GROUP BY ALL
),
-- Handled time and shift time inside the period, split at week boundaries (a shift across
-- midnight, or Sunday night, counts in each day or week by its part there). Nearly every
-- session lies within one week and needs no split; the few across a week boundary are split
-- by a join with the weeks.
productive AS (
    SELECT reviewer_id, week_start, sum(seconds) AS productive_seconds
    FROM (
        SELECT s.reviewer_id, date_trunc('week', s.started_at) AS week_start,
               epoch(least(s.ended_at, bounds.b)) - epoch(greatest(s.started_at, bounds.a)) AS seconds
        FROM sessions s, bounds
        WHERE s.ended_at > bounds.a
          AND s.ended_at <= date_trunc('week', s.started_at) + INTERVAL 7 DAY
        UNION ALL
        SELECT s.reviewer_id, w.week_start,
               epoch(least(s.ended_at, w.week_end, bounds.b)) - epoch(greatest(s.started_at, w.week_start, bounds.a))
        FROM sessions s
        CROSS JOIN bounds
        JOIN weeks w ON s.started_at < w.week_end AND s.ended_at > w.week_start
        WHERE s.ended_at > bounds.a
          AND s.ended_at > date_trunc('week', s.started_at) + INTERVAL 7 DAY
    )
    GROUP BY ALL
),
staffed AS (
    SELECT sh.reviewer_id, w.week_start,
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
-- Per reviewer and week first (narrow keys), then per unit of the reviewer.
units AS (
    SELECT
        'unit' AS kind,
        r.vendor_id, r.region, coalesce(r.site, r.region) AS site, x.week_start,
        sum(x.decisions)::BIGINT AS decisions,
        sum(x.escalations)::BIGINT AS escalations,
        sum(x.handle_seconds) AS handle_seconds,
        sum(x.productive_seconds) AS productive_seconds,
        sum(x.staffed_seconds) AS staffed_seconds
    FROM (
        SELECT *, 0.0 AS productive_seconds, 0.0 AS staffed_seconds FROM done
        UNION ALL BY NAME
        SELECT *, 0 AS decisions, 0 AS escalations, 0.0 AS handle_seconds, 0.0 AS staffed_seconds FROM productive
        UNION ALL BY NAME
        SELECT *, 0 AS decisions, 0 AS escalations, 0.0 AS handle_seconds, 0.0 AS productive_seconds FROM staffed
    ) x
    JOIN reviewers r ON r.reviewer_id = x.reviewer_id
    GROUP BY ALL
),
spread AS (
    SELECT
        'spread' AS kind,
        CASE WHEN grouping(week_start) = 0 THEN 'week'
             WHEN grouping(site) = 0 THEN 'site'
             WHEN grouping(region) = 0 THEN 'region'
             ELSE 'vendor' END AS grouping_level,
        vendor_id, region, site, week_start,
        quantile_cont(handle_seconds, [0.5, 0.9]) AS q  -- one sort for both
    FROM (
        SELECT handle_seconds, date_trunc('week', completed_at) AS week_start, vendor_id, region, site
        FROM handlings
    )
    GROUP BY GROUPING SETS ((vendor_id), (vendor_id, region), (vendor_id, region, site), (vendor_id, week_start))
)
SELECT * FROM units
UNION ALL BY NAME
SELECT * EXCLUDE (q), q[1] AS p50_seconds, q[2] AS p90_seconds FROM spread
ORDER BY kind DESC, vendor_id, region, site, week_start
