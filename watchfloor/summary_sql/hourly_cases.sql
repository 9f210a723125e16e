-- summary_hourly_cases for the hours in the temp table summary_hours, from their definition,
-- case_hours (queries/macros/hourly.sql). $first and $until bound the hours (the scan skips the
-- rest). The whole hour is rebuilt, so a case that moved (another vendor, queue or priority)
-- leaves its old row.
INSERT INTO summary_hourly_cases
SELECT hour, category, surface, region, language, source, queue_id, priority, vendor_id,
       cases, with_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM case_hours($first, $until)
WHERE hour IN (SELECT hour FROM summary_hours)
ORDER BY hour
