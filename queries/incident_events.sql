-- Incidents: the milestones and notes of the incidents open at some time in the period, up to now,
-- in time order; at the same instant, milestones in their natural order before free notes.
WITH listed AS (
    SELECT incident_id
    FROM incidents
    WHERE started_at <= $as_of
      AND started_at < $period_end
      AND (resolved_at IS NULL OR resolved_at >= $period_start)
)
SELECT incident_id, occurred_at, kind, note, actor
FROM incident_events
WHERE incident_id IN (SELECT incident_id FROM listed) AND occurred_at <= $as_of
ORDER BY incident_id, occurred_at,
         coalesce(list_position(['started', 'detected', 'acknowledged', 'update', 'mitigated', 'resolved'], kind), 4),
         note
