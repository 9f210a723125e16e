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
events AS (
    SELECT case_id, created_at AS occurred_at, -1::BIGINT AS event_id, 'created' AS event_type
    FROM scoped
    UNION ALL
    SELECT e.case_id, e.occurred_at, e.event_id, e.event_type
    FROM case_events e
    WHERE e.event_type IN ('routed', 'info_received', 'reopened', 'assigned', 'pending_info', 'escalated', 'resolved')
      AND e.occurred_at < (SELECT hi FROM bounds)
      -- events are stored in time order: this bound lets DuckDB skip the older row groups
      AND e.occurred_at >= (SELECT min(created_at) FROM scoped)
      AND e.case_id IN (SELECT case_id FROM scoped)
),
segments AS (
    SELECT case_id, stage, seg_start, coalesce(seg_end, (SELECT hi FROM bounds)) AS seg_end
    FROM (
        SELECT
            case_id,
            occurred_at AS seg_start,
            lead(occurred_at) OVER w AS seg_end,
            wf_stage_after(event_type, count(*) FILTER (WHERE event_type = 'routed') OVER w) AS stage
        FROM events
        WINDOW w AS (PARTITION BY case_id ORDER BY occurred_at, event_id)
    )
    WHERE stage <> 'closed'
),
days AS (
    SELECT day, day + INTERVAL 1 DAY AS day_end
    FROM range(date_trunc('day', (SELECT lo FROM bounds)), (SELECT hi FROM bounds), INTERVAL 1 DAY) r(day)
)
SELECT
    d.day,
    s.stage,
    sum(epoch(least(s.seg_end, d.day_end, (SELECT hi FROM bounds)))
        - epoch(greatest(s.seg_start, d.day, (SELECT lo FROM bounds)))) / 3600.0 AS hours,
    count(DISTINCT s.case_id) AS cases
FROM segments s
JOIN days d ON s.seg_start < d.day_end AND s.seg_end > d.day
WHERE s.seg_end > (SELECT lo FROM bounds)
  AND s.seg_start < (SELECT hi FROM bounds)
  AND least(s.seg_end, d.day_end, (SELECT hi FROM bounds)) > greatest(s.seg_start, d.day, (SELECT lo FROM bounds))
GROUP BY ALL
ORDER BY d.day, s.stage
