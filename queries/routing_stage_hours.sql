-- Automation & routing, bottlenecks: per UTC day of [$period_start, least($period_end, $as_of)) and
-- stage (macros/routing.sql), the hours of case-time spent in it that day: every case open at some
-- time in the period, within the sidebar filters (vertical of its current queue), its events in
-- (occurred_at, event_id) order, each stage lasting until the case's next event (or the period's
-- end), cut at midnight. Time after a resolution (closed) is not counted. `cases` counts the cases
-- that spent any time in the stage that day.
-- Read from the summaries, three ways: the range's whole days from summary_stage_day_totals (the
-- steps with a next step, cut at midnights and summed); the steps still open from their rows in
-- summary_stage_days, run to the range's end; and the days the range cuts (the day of its end, and of
-- its start unless a midnight) from the steps overlapping them (summary_routing_segments as of no
-- end). A case counted in a whole day's totals is not counted again for its open step that day.
WITH bounds AS (
    SELECT lo, hi,
           CASE WHEN date_trunc('day', lo) = lo THEN lo ELSE date_trunc('day', lo) + INTERVAL 1 DAY END AS whole_lo,
           date_trunc('day', hi) AS whole_hi
    FROM (SELECT $period_start::TIMESTAMP AS lo, least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS hi) b
),
-- The open steps of the cases in scope (their case's columns are on their rows) ...
open_steps AS MATERIALIZED (
    SELECT o.case_id, o.stage, o.open_from AS seg_start, b.hi AS seg_end, true AS still_open
    FROM summary_stage_days o
    CROSS JOIN bounds b
    JOIN queues q ON q.queue_id = o.queue_id
    WHERE o.open_from IS NOT NULL
      AND o.open_from < b.hi
      AND o.created_at < b.hi
      AND (o.resolved_at IS NULL OR o.resolved_at >= b.lo)
      AND wf_in($regions, o.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, o.priority)
      AND wf_in($vendors, o.vendor_id)
),
-- ... and their steps with a next step that overlap a day the range cuts.
steps AS (
    SELECT case_id, stage, seg_start, seg_end, still_open FROM open_steps
    UNION ALL
    SELECT s.case_id, s.stage, s.started_at, least(s.ended_at, b.hi), false
    FROM summary_routing_segments(NULL::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP),
                                  $period_start::TIMESTAMP, 'infinity'::TIMESTAMP) s
    CROSS JOIN bounds b
    JOIN cases c ON c.case_id = s.case_id
    JOIN queues q ON q.queue_id = c.queue_id
    WHERE s.stage <> 'closed'
      AND s.ended_at IS NOT NULL
      AND s.started_at < b.hi
      AND ((b.lo < b.whole_lo AND s.started_at < least(b.whole_lo, b.hi) AND s.ended_at > b.lo)
           OR (greatest(b.whole_hi, b.whole_lo, b.lo) < b.hi AND s.ended_at > greatest(b.whole_hi, b.whole_lo, b.lo)))
      AND c.created_at < b.hi
      AND (c.resolved_at IS NULL OR c.resolved_at >= b.lo)
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
days AS (
    SELECT day, day + INTERVAL 1 DAY AS day_end
    FROM range(date_trunc('day', (SELECT lo FROM bounds)), (SELECT hi FROM bounds), INTERVAL 1 DAY) r(day)
),
-- Each of those steps with the days it overlaps (the day it starts on by an equality, the later days
-- it runs into by a range join of the steps longer than that day), cut to the range; a step with a
-- next step only on a day the range cuts (its whole days are in the totals).
pieces AS (
    SELECT p.case_id, p.stage, p.day,
           wf_span_us(greatest(p.seg_start, p.day, b.lo), least(p.seg_end, p.day_end, b.hi)) AS us,
           p.day >= b.whole_lo AND p.day < b.whole_hi AS whole_day
    FROM (
        SELECT s.case_id, s.stage, s.seg_start, s.seg_end, s.still_open, d.day, d.day_end
        FROM steps s
        JOIN days d ON d.day = date_trunc('day', s.seg_start)
        UNION ALL
        SELECT s.case_id, s.stage, s.seg_start, s.seg_end, s.still_open, d.day, d.day_end
        FROM steps s
        JOIN days d ON d.day > s.seg_start AND d.day < s.seg_end
        WHERE s.seg_end > date_trunc('day', s.seg_start) + INTERVAL 1 DAY
    ) p
    CROSS JOIN bounds b
    WHERE least(p.seg_end, p.day_end, b.hi) > greatest(p.seg_start, p.day, b.lo)
      AND (p.still_open OR NOT (p.day >= b.whole_lo AND p.day < b.whole_hi))
),
-- The whole days of the cases in scope (a case resolved before the range has none of its time).
whole_days AS (
    SELECT t.day, t.stage, sum(t.stage_us) AS us, sum(t.cases) AS cases
    FROM summary_stage_day_totals t
    CROSS JOIN bounds b
    JOIN queues q ON q.queue_id = t.queue_id
    WHERE t.day >= b.whole_lo AND t.day < b.whole_hi
      AND (t.early_resolved_at IS NULL OR t.early_resolved_at >= b.lo)
      AND wf_in($regions, t.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, t.priority)
      AND wf_in($vendors, t.vendor_id)
    GROUP BY t.day, t.stage
),
-- The pieces' time, and their cases not already counted in that whole day and stage.
piece_days AS (
    SELECT p.day, p.stage, sum(p.us) AS us,
           count(DISTINCT p.case_id) FILTER (WHERE t.case_id IS NULL) AS cases
    FROM pieces p
    LEFT JOIN (
        SELECT t.case_id, t.day, t.stage
        FROM summary_stage_days t
        CROSS JOIN bounds b
        WHERE t.stage_us IS NOT NULL
          AND t.day >= b.whole_lo AND t.day < b.whole_hi
          AND t.case_id IN (SELECT case_id FROM open_steps)
    ) t ON t.case_id = p.case_id AND t.day = p.day AND t.stage = p.stage AND p.whole_day
    GROUP BY p.day, p.stage
)
SELECT day, stage, sum(us)::DOUBLE / 3600000000.0 AS hours, sum(cases)::BIGINT AS cases
FROM (SELECT day, stage, us, cases FROM whole_days UNION ALL SELECT day, stage, us, cases FROM piece_days) u
GROUP BY day, stage
ORDER BY day, stage
