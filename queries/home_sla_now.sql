-- Home: open cases whose SLA clocks are breached or at risk (>= 75 % of target) right now,
-- per clock, and per case ('any': breached if either clock is, at risk if neither is breached
-- and one is at risk), so a case with both clocks breached counts once.
WITH running AS (
    SELECT k.case_id, k.clock, k.state
    FROM sla_clocks($as_of::TIMESTAMP, $as_of::TIMESTAMP) k
    JOIN queues q USING (queue_id)
    WHERE k.stopped_at IS NULL
      AND wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
),
per_case AS (
    SELECT
        case_id,
        bool_or(state = 'breached') AS any_breached,
        bool_or(state = 'at_risk') AS any_at_risk
    FROM running
    GROUP BY case_id
)
SELECT clock, count(*) FILTER (WHERE state = 'breached') AS breached, count(*) FILTER (WHERE state = 'at_risk') AS at_risk
FROM running
GROUP BY clock
UNION ALL
SELECT 'any', count(*) FILTER (WHERE any_breached), count(*) FILTER (WHERE any_at_risk AND NOT any_breached)
FROM per_case
ORDER BY 1
