-- Incidents: every incident open at some time in the period [period_start, period_end) as of now
-- (started before the period's end, not resolved before its start), with its milestones as known
-- at now, the durations between them in seconds, and the number of cases linked to it.
-- Durations: detect = detected - started; acknowledge = acknowledged - detected;
-- mitigate = mitigated - started; resolve = resolved - started (docs/metrics.md, "Incidents").
WITH known AS (
    SELECT
        incident_id, title, severity, category, started_at, commander, summary, spike_id,
        CASE WHEN detected_at <= $as_of THEN detected_at END AS detected_at,
        CASE WHEN acknowledged_at <= $as_of THEN acknowledged_at END AS acknowledged_at,
        CASE WHEN mitigated_at <= $as_of THEN mitigated_at END AS mitigated_at,
        CASE WHEN resolved_at <= $as_of THEN resolved_at END AS resolved_at
    FROM incidents
    WHERE started_at <= $as_of
      AND started_at < $period_end
      AND (resolved_at IS NULL OR resolved_at >= $period_start)
),
linked AS (
    SELECT incident_id, count(*) AS linked_cases
    FROM cases
    WHERE incident_id IN (SELECT incident_id FROM known) AND created_at <= $as_of
    GROUP BY incident_id
)
SELECT
    k.incident_id, k.title, k.severity, k.category,
    CASE WHEN k.resolved_at IS NOT NULL THEN 'resolved' WHEN k.mitigated_at IS NOT NULL THEN 'mitigated'
         WHEN k.acknowledged_at IS NOT NULL THEN 'acknowledged' ELSE 'open' END AS status,
    k.commander, k.summary, k.spike_id,
    k.started_at, k.detected_at, k.acknowledged_at, k.mitigated_at, k.resolved_at,
    coalesce(l.linked_cases, 0) AS linked_cases,
    epoch(k.detected_at) - epoch(k.started_at) AS time_to_detect_s,
    epoch(k.acknowledged_at) - epoch(k.detected_at) AS time_to_acknowledge_s,
    epoch(k.mitigated_at) - epoch(k.started_at) AS time_to_mitigate_s,
    epoch(k.resolved_at) - epoch(k.started_at) AS time_to_resolve_s,
    -- simulated warehouses only: the spike the simulator injected (ground truth; empty elsewhere)
    s.multiplier AS sim_spike_multiplier, s.surface AS sim_spike_surface, s.region AS sim_spike_region,
    s.starts_at AS sim_spike_starts_at
FROM known k
LEFT JOIN linked l USING (incident_id)
LEFT JOIN sim_spikes s ON s.spike_id = k.spike_id
ORDER BY k.started_at DESC, k.incident_id
