-- Home: incidents not yet resolved as of now, by severity.
SELECT
    s.severity,
    count(i.incident_id) AS open_incidents
FROM (VALUES ('SEV0'), ('SEV1'), ('SEV2'), ('SEV3')) AS s(severity)
LEFT JOIN incidents i
    ON i.severity = s.severity
   AND i.started_at <= $as_of::TIMESTAMP
   AND (i.resolved_at IS NULL OR i.resolved_at > $as_of::TIMESTAMP)
GROUP BY s.severity
ORDER BY s.severity
