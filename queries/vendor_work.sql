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
-- Reviewers and their units are numbered (reviewer_no, vendor_no, region_no, site_no) and the
-- work is grouped by those numbers, the names joined back at the end: the quantiles' four
-- groupings of ten million handlings cost about 1.6 times as much on the text keys.
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
-- Each reviewer's number and unit (vendor, region, site), the unit's parts numbered too.
crew AS MATERIALIZED (
    SELECT reviewer_id, vendor_id, region, coalesce(site, region) AS site,
           row_number() OVER (ORDER BY reviewer_id) AS reviewer_no,
           dense_rank() OVER (ORDER BY vendor_id) AS vendor_no,
           dense_rank() OVER (ORDER BY vendor_id, region) AS region_no,
           dense_rank() OVER (ORDER BY vendor_id, region, coalesce(site, region)) AS site_no
    FROM reviewers
),
-- The sessions the filters let through: the handled time.
sessions AS MATERIALIZED (
    SELECT r.reviewer_no, s.started_at, s.ended_at
    FROM summary_reviewer_sessions($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP)) s
    JOIN crew r ON r.reviewer_id = s.reviewer_id
    JOIN queues q ON q.queue_id = s.queue_id
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, r.vendor_id)
),
-- The finished handlings whose outcome falls in the period (one narrow row each, from the
-- handling summary), the filters applied to the queue each row's sessions ran in. A handling
-- whose sessions ran in one queue is its row; only the others are grouped by case.
scoped_handlings AS NOT MATERIALIZED (
    SELECT h.case_id, h.handling, h.whole, h.completed_at, h.handle_seconds, h.outcome,
           r.reviewer_no, r.vendor_no, r.region_no, r.site_no  -- the reviewer's unit, for the spread
    FROM summary_period_handlings($period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP)) h
    JOIN crew r ON r.reviewer_id = h.reviewer_id
    JOIN queues q ON q.queue_id = h.queue_id
    JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
    WHERE wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, r.vendor_id)
),
handlings AS MATERIALIZED (
    SELECT reviewer_no, vendor_no, region_no, site_no, completed_at, handle_seconds, outcome
    FROM scoped_handlings
    WHERE whole AND outcome IS NOT NULL
    UNION ALL
    SELECT reviewer_no, vendor_no, region_no, site_no, max(completed_at) AS completed_at,
           sum(handle_seconds) AS handle_seconds, max(outcome) AS outcome
    FROM scoped_handlings
    WHERE NOT whole
    GROUP BY case_id, reviewer_no, handling, vendor_no, region_no, site_no
    HAVING max(outcome) IS NOT NULL
),
weeks AS (
    SELECT w AS week_start, w + INTERVAL 7 DAY AS week_end
    FROM bounds, range(date_trunc('week', bounds.a), bounds.b, INTERVAL 7 DAY) t(w)
),
done AS (
    SELECT
        reviewer_no, date_trunc('week', completed_at) AS week_start,
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
    SELECT reviewer_no, week_start, sum(seconds) AS productive_seconds
    FROM (
        SELECT s.reviewer_no, date_trunc('week', s.started_at) AS week_start,
               epoch(least(s.ended_at, bounds.b)) - epoch(greatest(s.started_at, bounds.a)) AS seconds
        FROM sessions s, bounds
        WHERE s.ended_at > bounds.a
          AND s.ended_at <= date_trunc('week', s.started_at) + INTERVAL 7 DAY
        UNION ALL
        SELECT s.reviewer_no, w.week_start,
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
    SELECT r.reviewer_no, w.week_start,
           sum(epoch(least(sh.ends_at, w.week_end, bounds.b)) - epoch(greatest(sh.starts_at, w.week_start, bounds.a))) AS staffed_seconds
    FROM shifts sh
    CROSS JOIN bounds
    JOIN crew r ON r.reviewer_id = sh.reviewer_id
    JOIN queues q ON q.queue_id = sh.queue_id
    JOIN weeks w ON sh.starts_at < w.week_end AND sh.ends_at > w.week_start
    WHERE sh.ends_at > bounds.a
      AND sh.starts_at < bounds.b
      AND wf_in_shift_scope($regions, $verticals, $vendors, q.region, q.vertical, r.vendor_id)
    GROUP BY ALL
),
-- Per reviewer and week first (narrow keys), then per unit of the reviewer.
units AS (
    SELECT
        'unit' AS kind,
        r.vendor_id, r.region, r.site, x.week_start,
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
    JOIN crew r ON r.reviewer_no = x.reviewer_no
    GROUP BY ALL
),
-- The quantiles per grouping of the unit's numbers (a site number names its region and vendor,
-- a region number its vendor), their names joined back.
spread_numbers AS (
    SELECT
        CASE WHEN grouping(week_start) = 0 THEN 'week'
             WHEN grouping(site_no) = 0 THEN 'site'
             WHEN grouping(region_no) = 0 THEN 'region'
             ELSE 'vendor' END AS grouping_level,
        vendor_no, region_no, site_no, week_start,
        quantile_cont(handle_seconds, [0.5, 0.9]) AS q  -- one sort for both
    FROM (
        SELECT handle_seconds, date_trunc('week', completed_at) AS week_start, vendor_no, region_no, site_no
        FROM handlings
    )
    GROUP BY GROUPING SETS ((vendor_no), (vendor_no, region_no), (vendor_no, region_no, site_no), (vendor_no, week_start))
),
spread AS (
    SELECT
        'spread' AS kind, x.grouping_level,
        v.vendor_id, g.region, u.site, x.week_start, x.q
    FROM spread_numbers x
    JOIN (SELECT DISTINCT vendor_no, vendor_id FROM crew) v ON v.vendor_no = x.vendor_no
    LEFT JOIN (SELECT DISTINCT region_no, region FROM crew) g ON g.region_no = x.region_no
    LEFT JOIN (SELECT DISTINCT site_no, site FROM crew) u ON u.site_no = x.site_no
)
SELECT * FROM units
UNION ALL BY NAME
SELECT * EXCLUDE (q), q[1] AS p50_seconds, q[2] AS p90_seconds FROM spread
ORDER BY kind DESC, vendor_id, region, site, week_start
