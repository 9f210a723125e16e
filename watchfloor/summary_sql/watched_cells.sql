-- summary_watched_cells for the hours in the temp table summary_hours: watched_hours
-- (queries/macros/hourly.sql), the spike record's cells over every case, summed from the hourly
-- counts of those hours, rebuilt just before in the same refresh. $first and $until bound the hours.
INSERT INTO summary_watched_cells
SELECT hour, category, surface, region, cases, top_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM watched_hours($first, $until)
WHERE hour IN (SELECT hour FROM summary_hours)
ORDER BY hour
