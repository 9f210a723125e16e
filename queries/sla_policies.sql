-- SLA page: the policies in force, with the queues that use each (all policies and queues;
-- the sidebar filters do not apply). Targets as DOUBLE seconds.
SELECT
    p.sla_policy_id,
    coalesce(p.name, p.sla_policy_id) AS policy_name,
    p.priority,
    p.first_action_target_min * 60.0 AS first_action_target_seconds,
    p.resolution_target_min * 60.0 AS resolution_target_seconds,
    p.calendar,
    p.business_start_hour,
    p.business_end_hour,
    p.pause_on_pending,
    count(q.queue_id) AS queue_count,
    coalesce(list(q.name ORDER BY q.name) FILTER (WHERE q.queue_id IS NOT NULL), []) AS queue_names
FROM sla_policies p
LEFT JOIN queues q ON q.sla_policy_id = p.sla_policy_id
GROUP BY ALL
ORDER BY p.priority, first_action_target_seconds, p.sla_policy_id
