-- Home: open cases now by their state, oldest age per state. Open (docs/metrics.md, "Figures
-- shared across pages"): created by now and not resolved by now, as on Queue health and in the SLA
-- clocks. A case resolved after now (now is snapped to the refresh interval, or pinned) was open
-- at now: its state then is the one its last event before now set.
WITH open_cases AS (
    SELECT c.case_id, c.status, c.created_at
    FROM (  -- two scans with plain bounds, which skip far more than one OR of them
        SELECT * FROM cases WHERE resolved_at IS NULL
        UNION ALL
        SELECT * FROM cases WHERE resolved_at > $as_of::TIMESTAMP
    ) c
    JOIN queues q USING (queue_id)
    WHERE c.created_at <= $as_of::TIMESTAMP
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
),
-- Events at the same moment are taken in the order they were written (event_id), so every engine
-- picks the same last event. A join, not IN with a bound from a subquery: with none resolved since
-- (the usual case) the join reads no events, where the subquery's NULL bound scanned them all.
resolved_since AS (
    SELECT case_id, last_event
    FROM (
        SELECT e.case_id, e.event_type AS last_event,
               row_number() OVER (PARTITION BY e.case_id ORDER BY e.occurred_at DESC, e.event_id DESC) AS nth
        FROM case_events e
        JOIN open_cases o ON o.case_id = e.case_id
        WHERE o.status = 'resolved'
          AND e.occurred_at <= $as_of::TIMESTAMP
    ) AS ranked
    WHERE nth = 1
),
states AS (
    SELECT
        CASE WHEN o.status <> 'resolved' THEN o.status
             WHEN r.last_event IN ('assigned', 'first_action', 'decided', 'enforced') THEN 'in_review'
             WHEN r.last_event IN ('pending_info', 'escalated') THEN r.last_event
             ELSE 'queued' END AS state,
        o.created_at
    FROM open_cases o
    LEFT JOIN resolved_since r USING (case_id)
)
SELECT
    state AS status,
    count(*) AS cases,
    max(epoch($as_of::TIMESTAMP) - epoch(created_at)) AS oldest_age_seconds
FROM states
GROUP BY state
ORDER BY array_position(['new', 'queued', 'in_review', 'pending_info', 'escalated'], state)
