-- summary_hourly_cases for the hours in the temp table summary_hours: every case created in such
-- an hour, counted by the fields the counting queries filter and break down by. The whole hour
-- is rebuilt, so a case that moved (another vendor, queue or priority) leaves its old row.
-- queries/macros/hourly.sql, case_hours, is the definition this mirrors.
INSERT INTO summary_hourly_cases
SELECT
    date_trunc('hour', c.created_at) AS hour,
    c.category, c.surface, c.region, c.language, c.source, c.queue_id, c.priority, c.vendor_id,
    count(*) AS cases,
    count(c.account_id) AS with_account,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 0) AS slot_0,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 1) AS slot_1,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 2) AS slot_2,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 3) AS slot_3,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 4) AS slot_4,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 5) AS slot_5
FROM cases c
WHERE c.created_at >= (SELECT min(hour) FROM summary_hours)
  AND c.created_at < (SELECT max(hour) FROM summary_hours) + INTERVAL 1 HOUR
  AND date_trunc('hour', c.created_at) IN (SELECT hour FROM summary_hours)
GROUP BY ALL
ORDER BY hour
