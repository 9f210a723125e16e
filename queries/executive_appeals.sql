-- Executive summary: appeals filed in the period and in the one before, and appeals decided there
-- (resolved as upheld or overturned), with the overturned ones. Filters apply to the appealed case.
WITH scoped AS (
    SELECT a.filed_at, a.resolved_at, a.outcome
    FROM appeals a
    JOIN cases c USING (case_id)
    JOIN queues q ON q.queue_id = c.queue_id
    WHERE (a.filed_at >= $previous_start OR a.resolved_at >= $previous_start)
      AND a.filed_at < $period_end
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
periods(period, a, b) AS (
    VALUES ('current', $period_start::TIMESTAMP, $period_end::TIMESTAMP),
           ('previous', $previous_start::TIMESTAMP, $previous_end::TIMESTAMP)
)
SELECT
    p.period,
    count(*) FILTER (WHERE s.filed_at >= p.a AND s.filed_at < p.b) AS filed,
    count(*) FILTER (WHERE s.outcome IN ('upheld', 'overturned') AND s.resolved_at >= p.a AND s.resolved_at < p.b) AS decided,
    count(*) FILTER (WHERE s.outcome = 'overturned' AND s.resolved_at >= p.a AND s.resolved_at < p.b) AS overturned
FROM periods p
LEFT JOIN scoped s ON (s.filed_at >= p.a AND s.filed_at < p.b) OR (s.resolved_at >= p.a AND s.resolved_at < p.b)
GROUP BY p.period
ORDER BY p.period
