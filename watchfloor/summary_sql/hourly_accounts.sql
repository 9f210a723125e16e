-- summary_hourly_accounts for the hours in summary_hours: the accounts with more than one case in
-- an hour and (category, surface, region) cell, with their cases split by the filter fields.
-- queries/macros/hourly.sql, case_hour_accounts, is the definition this mirrors.
INSERT INTO summary_hourly_accounts
WITH scoped AS MATERIALIZED (
    SELECT date_trunc('hour', c.created_at) AS hour, c.category, c.surface, c.region, c.queue_id,
           c.priority, c.vendor_id, c.account_id
    FROM cases c
    WHERE c.account_id IS NOT NULL
      AND c.created_at >= (SELECT min(hour) FROM summary_hours)
      AND c.created_at < (SELECT max(hour) FROM summary_hours) + INTERVAL 1 HOUR
      AND date_trunc('hour', c.created_at) IN (SELECT hour FROM summary_hours)
),
repeated AS (
    SELECT hour, category, surface, region, account_id
    FROM scoped
    GROUP BY hour, category, surface, region, account_id
    HAVING count(*) > 1
)
SELECT s.hour, s.category, s.surface, s.region, s.queue_id, s.priority, s.vendor_id, s.account_id,
       count(*) AS cases
FROM scoped s
JOIN repeated r
  ON r.hour = s.hour AND r.category = s.category AND r.surface = s.surface AND r.region = s.region
 AND r.account_id = s.account_id
GROUP BY s.hour, s.category, s.surface, s.region, s.queue_id, s.priority, s.vendor_id, s.account_id
ORDER BY s.hour
