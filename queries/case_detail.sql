-- Case page: the case itself as of $as_of (a case created after $as_of does not exist yet), with
-- its queue, SLA policy, vendor and linked incident. The content excerpt is NOT read here: only
-- whether there is one (case_excerpt.sql reads it when a user reveals it, so the clear text is
-- neither cached nor sent to the browser before that).
SELECT
    c.case_id, c.created_at, c.updated_at, c.source, c.surface, c.category, c.subcategory,
    c.priority, c.region, c.language, c.status, c.account_id, c.org_id,
    c.queue_id, q.name AS queue_name, q.vertical, q.tier, q.timezone,
    c.vendor_id, v.name AS vendor_name, c.reviewer_id,
    c.first_action_at, c.resolved_at, c.decision, c.enforcement_action, c.escalated, c.automated,
    c.classifier_name, c.classifier_score,
    c.content_excerpt IS NOT NULL AND length(c.content_excerpt) > 0 AS has_excerpt,
    p.sla_policy_id, coalesce(p.name, p.sla_policy_id) AS policy_name,
    p.first_action_target_min, p.resolution_target_min, p.calendar, p.pause_on_pending,
    p.business_start_hour, p.business_end_hour,
    c.incident_id, i.title AS incident_title, i.severity AS incident_severity, i.status AS incident_status,
    i.started_at AS incident_started_at, i.detected_at AS incident_detected_at,
    i.resolved_at AS incident_resolved_at, i.commander AS incident_commander, i.summary AS incident_summary
FROM cases c
LEFT JOIN queues q ON q.queue_id = c.queue_id
LEFT JOIN sla_policies p ON p.sla_policy_id = q.sla_policy_id
LEFT JOIN vendors v ON v.vendor_id = c.vendor_id
LEFT JOIN incidents i ON i.incident_id = c.incident_id
WHERE c.case_id = $case_id
  AND c.created_at <= $as_of::TIMESTAMP
