-- The definition routing_stage_hours is checked against (tests/unit/test_routing_summary.py): the
-- hours per day and stage replayed from the raw events of every case in scope, each step cut at
-- midnights, with no summary. (The query reads the same figures from the stage-day summaries.)
-- Automation & routing, bottlenecks: per UTC day of [$period_start, least($period_end, $as_of)) and
-- stage (macros/routing.sql), the hours of case-time spent in it that day: every case open at some
-- time in the period, within the sidebar filters (vertical of its current queue), its events in
-- (occurred_at, event_id) order, each stage lasting until the case's next event (or the period's
-- end), cut at midnight. Time after a resolution (closed) is not counted. `cases` counts the cases
-- that spent any time in the stage that day.
WITH bounds AS (
    SELECT $period_start::TIMESTAMP AS lo, least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS hi
),
scoped AS MATERIALIZED (
    SELECT c.case_id, c.created_at
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at < (SELECT hi FROM bounds)
      AND (c.resolved_at IS NULL OR c.resolved_at >= (SELECT lo FROM bounds))
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
-- Their steps up to the period's end (macros/routing.sql), replayed from the raw events.
segments AS (
    SELECT case_id, stage, started_at AS seg_start, coalesce(ended_at, (SELECT hi FROM bounds)) AS seg_end
    FROM routing_segments(NULL::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP),
                                  $period_start::TIMESTAMP, least($period_end::TIMESTAMP, $as_of::TIMESTAMP))
    WHERE stage <> 'closed'
      AND case_id IN (SELECT case_id FROM scoped)
),
days AS (
    SELECT day, day + INTERVAL 1 DAY AS day_end
    FROM range(date_trunc('day', (SELECT lo FROM bounds)), (SELECT hi FROM bounds), INTERVAL 1 DAY) r(day)
),
-- Each segment with the days it overlaps: the day it starts on by an equality (most segments end
-- that day), the later days it runs into by a range join of the segments longer than that day.
pieces AS (
    SELECT s.case_id, s.stage, s.seg_start, s.seg_end, d.day, d.day_end
    FROM segments s
    JOIN days d ON d.day = date_trunc('day', s.seg_start)
    UNION ALL
    SELECT s.case_id, s.stage, s.seg_start, s.seg_end, d.day, d.day_end
    FROM segments s
    JOIN days d ON d.day > s.seg_start AND d.day < s.seg_end
    WHERE s.seg_end > date_trunc('day', s.seg_start) + INTERVAL 1 DAY
)
SELECT
    p.day,
    p.stage,
    sum(epoch(least(p.seg_end, p.day_end, (SELECT hi FROM bounds)))
        - epoch(greatest(p.seg_start, p.day, (SELECT lo FROM bounds)))) / 3600.0 AS hours,
    count(DISTINCT p.case_id) AS cases
FROM pieces p
WHERE p.seg_end > (SELECT lo FROM bounds)
  AND p.seg_start < (SELECT hi FROM bounds)
  AND least(p.seg_end, p.day_end, (SELECT hi FROM bounds)) > greatest(p.seg_start, p.day, (SELECT lo FROM bounds))
GROUP BY ALL
ORDER BY p.day, p.stage
