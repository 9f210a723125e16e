-- Automation & routing, bottlenecks: per UTC day of [$period_start, least($period_end, $as_of)) and
-- stage (macros/routing.sql), the hours of case-time spent in it that day: every case open at some
-- time in the period, within the sidebar filters (vertical of its current queue), its events in
-- (occurred_at, event_id) order, each stage lasting until the case's next event (or the period's
-- end), cut at midnight. Time after a resolution (closed) is not counted. `cases` counts the cases
-- that spent any time in the stage that day.
-- Read from the summaries, three ways: the range's whole days from summary_stage_day_totals (the
-- steps with a next step, cut at midnights and summed); the days the range cuts (the day of its end,
-- and of its start unless a midnight) from those pieces in summary_stage_days, cut to the range; and
-- the steps still open from their rows there, run to the range's end. A case counted in a whole day's
-- totals is not counted again for its open step that day (shares_day).
WITH bounds AS (
    SELECT lo, hi,
           CASE WHEN date_trunc('day', lo) = lo THEN lo ELSE date_trunc('day', lo) + INTERVAL 1 DAY END AS whole_lo,
           date_trunc('day', hi) AS whole_hi
    FROM (SELECT $period_start::TIMESTAMP AS lo, least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS hi) b
),
-- The days the range cuts: its first unless it starts at midnight, and the day of its end unless
-- that is the first (or the end is a midnight).
cut_days AS (
    SELECT date_trunc('day', lo) AS day FROM bounds WHERE lo < whole_lo
    UNION ALL
    SELECT whole_hi FROM bounds WHERE whole_hi >= whole_lo AND whole_hi < hi
),
-- The open steps of the cases in scope (their case's columns are on their rows).
open_steps AS MATERIALIZED (
    SELECT o.case_id, o.stage, o.started_at AS seg_start, o.shares_day
    FROM summary_stage_days o
    CROSS JOIN bounds b
    JOIN queues q ON q.queue_id = o.queue_id
    WHERE o.ended_at IS NULL
      AND o.started_at < b.hi
      AND o.created_at < b.hi
      AND (o.resolved_at IS NULL OR o.resolved_at >= b.lo)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, o.region, q.vertical, o.priority, o.vendor_id)
),
days AS (
    SELECT day, day + INTERVAL 1 DAY AS day_end
    FROM range(date_trunc('day', (SELECT lo FROM bounds)), (SELECT hi FROM bounds), INTERVAL 1 DAY) r(day)
),
-- Each open step with the days it overlaps up to the range's end (the day it starts on by an
-- equality, the later days by a range join), and the pieces of the cut days, each cut to the range.
pieces AS (
    SELECT o.case_id, o.stage, o.day, wf_span_us(greatest(o.seg_start, o.day, b.lo), least(o.day_end, b.hi)) AS us,
           o.shares_day AND o.day >= b.whole_lo AND o.day < b.whole_hi AS counted
    FROM (
        SELECT o.case_id, o.stage, o.seg_start, o.shares_day, d.day, d.day_end
        FROM open_steps o
        JOIN days d ON d.day = date_trunc('day', o.seg_start)
        UNION ALL
        SELECT o.case_id, o.stage, o.seg_start, false, d.day, d.day_end
        FROM open_steps o
        JOIN days d ON d.day > o.seg_start
    ) o
    CROSS JOIN bounds b
    WHERE least(o.day_end, b.hi) > greatest(o.seg_start, o.day, b.lo)
    UNION ALL
    SELECT c.case_id, c.stage, c.day, wf_span_us(greatest(c.started_at, b.lo), least(c.ended_at, b.hi)), false
    FROM summary_stage_days c
    CROSS JOIN bounds b
    JOIN queues q ON q.queue_id = c.queue_id
    -- the cut days by ranges of the parameters alone, so that the scan skips the other days
    WHERE ((c.day >= date_trunc('day', $period_start::TIMESTAMP)
            AND c.day < least(date_trunc('day', $period_start::TIMESTAMP) + INTERVAL 1 DAY,
                              CASE WHEN date_trunc('day', $period_start::TIMESTAMP) = $period_start::TIMESTAMP
                                   THEN $period_start::TIMESTAMP ELSE 'infinity'::TIMESTAMP END))
           OR (c.day >= date_trunc('day', least($period_end::TIMESTAMP, $as_of::TIMESTAMP))
               AND c.day < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)))
      AND c.day IN (SELECT day FROM cut_days)
      AND c.ended_at IS NOT NULL
      AND least(c.ended_at, b.hi) > greatest(c.started_at, b.lo)
      AND c.created_at < b.hi
      AND (c.resolved_at IS NULL OR c.resolved_at >= b.lo)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
-- The whole days of the cases in scope (a case resolved before the range has none of its time).
whole_days AS (
    SELECT t.day, t.stage, sum(t.stage_us) AS us, sum(t.cases) AS cases
    FROM summary_stage_day_totals t
    CROSS JOIN bounds b
    JOIN queues q ON q.queue_id = t.queue_id
    WHERE t.day >= b.whole_lo AND t.day < b.whole_hi
      AND (t.early_resolved_at IS NULL OR t.early_resolved_at >= b.lo)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, t.region, q.vertical, t.priority, t.vendor_id)
    GROUP BY t.day, t.stage
),
-- The pieces' time, and their cases not already counted in that whole day and stage.
piece_days AS (
    SELECT day, stage, sum(us) AS us, count(DISTINCT case_id) FILTER (WHERE NOT counted) AS cases
    FROM pieces
    GROUP BY day, stage
)
SELECT day, stage, sum(us)::DOUBLE / 3600000000.0 AS hours, sum(cases)::BIGINT AS cases
FROM (SELECT day, stage, us, cases FROM whole_days UNION ALL SELECT day, stage, us, cases FROM piece_days) u
GROUP BY day, stage
ORDER BY day, stage
