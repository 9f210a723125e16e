-- Queue health by vendor: in the last hour and 24 hours, the cases each vendor's reviewers took
-- (assigned), finished (decided, or sent on: pending info or escalated), and its staffing.
WITH work AS (
    SELECT e.occurred_at, e.event_type, r.vendor_id
    FROM case_events e
    JOIN reviewers r ON r.reviewer_id = e.actor_id
    JOIN queues q ON q.queue_id = e.queue_id
    JOIN sla_policies p USING (sla_policy_id)
    WHERE e.occurred_at > $as_of::TIMESTAMP - INTERVAL 24 HOUR
      AND e.occurred_at <= $as_of::TIMESTAMP
      AND e.event_type IN ('assigned', 'decided', 'pending_info', 'escalated')
      AND wf_in_queue_scope($regions, $verticals, $priorities, $vendors, q.region, q.vertical, p.priority, r.vendor_id)
),
flows AS (
    SELECT
        vendor_id,
        count(*) FILTER (WHERE event_type = 'assigned') AS inflow_24h,
        count(*) FILTER (WHERE event_type = 'assigned' AND occurred_at > $as_of::TIMESTAMP - INTERVAL 1 HOUR) AS inflow_1h,
        count(*) FILTER (WHERE event_type <> 'assigned') AS outflow_24h,
        count(*) FILTER (WHERE event_type <> 'assigned' AND occurred_at > $as_of::TIMESTAMP - INTERVAL 1 HOUR) AS outflow_1h,
        count(*) FILTER (WHERE event_type = 'decided') AS decisions_24h
    FROM work
    GROUP BY vendor_id
),
staffing AS (
    SELECT
        r.vendor_id,
        count(DISTINCT s.reviewer_id) FILTER (WHERE s.starts_at <= $as_of::TIMESTAMP AND s.ends_at > $as_of::TIMESTAMP) AS reviewers_on_shift,
        sum(epoch(least(s.ends_at, $as_of::TIMESTAMP)) - epoch(greatest(s.starts_at, $as_of::TIMESTAMP - INTERVAL 24 HOUR))) / 3600.0 AS staffed_hours_24h
    FROM shifts s
    JOIN reviewers r USING (reviewer_id)
    JOIN queues q ON q.queue_id = s.queue_id
    JOIN sla_policies p USING (sla_policy_id)
    WHERE s.ends_at > $as_of::TIMESTAMP - INTERVAL 24 HOUR
      AND s.starts_at <= $as_of::TIMESTAMP
      AND wf_in_shift_scope($regions, $verticals, $vendors, q.region, q.vertical, r.vendor_id)
    GROUP BY r.vendor_id
)
SELECT
    v.vendor_id,
    v.name AS vendor_name,
    coalesce(f.inflow_1h, 0) AS inflow_1h,
    coalesce(f.outflow_1h, 0) AS outflow_1h,
    coalesce(f.inflow_24h, 0) AS inflow_24h,
    coalesce(f.outflow_24h, 0) AS outflow_24h,
    coalesce(f.decisions_24h, 0) AS decisions_24h,
    coalesce(s.reviewers_on_shift, 0) AS reviewers_on_shift,
    coalesce(s.staffed_hours_24h, 0) AS staffed_hours_24h
FROM vendors v
LEFT JOIN flows f USING (vendor_id)
LEFT JOIN staffing s USING (vendor_id)
WHERE wf_in_vendor_scope($vendors, v.vendor_id)
ORDER BY v.vendor_id
