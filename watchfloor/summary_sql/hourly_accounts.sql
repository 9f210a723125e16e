-- summary_hourly_accounts for the hours in summary_hours, from their definition,
-- case_hour_accounts (queries/macros/hourly.sql): the accounts with more than one case in an hour
-- and (category, surface, region) cell, with their cases split by the filter fields.
INSERT INTO summary_hourly_accounts
SELECT hour, category, surface, region, queue_id, priority, vendor_id, account_id, cases
FROM case_hour_accounts($first, $until)
WHERE hour IN (SELECT hour FROM summary_hours)
ORDER BY hour
