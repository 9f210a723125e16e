-- Executive summary: appeals filed in the period and in the one before, and appeals decided there
-- (resolved as upheld or overturned), with the overturned ones. Filters apply to the appealed case.
WITH scoped AS (
    SELECT a.filed_at, a.resolved_at, a.outcome IN ('upheld', 'overturned') AS decided, a.outcome = 'overturned' AS overturned
    FROM appeals a
    JOIN cases c USING (case_id)
    JOIN queues q ON q.queue_id = c.queue_id
    WHERE (a.filed_at >= $previous_start OR a.resolved_at >= $previous_start)
      AND a.filed_at < $period_end
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
counts AS MATERIALIZED (
    SELECT
        count(*) FILTER (WHERE filed_at >= $period_start AND filed_at < $period_end) AS filed_now,
        count(*) FILTER (WHERE decided AND resolved_at >= $period_start AND resolved_at < $period_end) AS decided_now,
        count(*) FILTER (WHERE overturned AND resolved_at >= $period_start AND resolved_at < $period_end) AS overturned_now,
        count(*) FILTER (WHERE filed_at >= $previous_start AND filed_at < $previous_end) AS filed_before,
        count(*) FILTER (WHERE decided AND resolved_at >= $previous_start AND resolved_at < $previous_end) AS decided_before,
        count(*) FILTER (WHERE overturned AND resolved_at >= $previous_start AND resolved_at < $previous_end) AS overturned_before
    FROM scoped
)
SELECT 'current' AS period, filed_now AS filed, decided_now AS decided, overturned_now AS overturned FROM counts
UNION ALL
SELECT 'previous', filed_before, decided_before, overturned_before FROM counts
ORDER BY period
