-- Alerts page: the values a rule's scope may name (region, vertical, queue, vendor, category), so
-- the rule editor can warn about a value the warehouse does not know.
SELECT 'region' AS scope, region AS value FROM (SELECT DISTINCT region FROM queues)
UNION ALL
SELECT 'vertical', vertical FROM (SELECT DISTINCT vertical FROM queues)
UNION ALL
SELECT 'queue', queue_id FROM queues
UNION ALL
SELECT 'vendor', vendor_id FROM vendors
UNION ALL
SELECT 'category', category FROM (SELECT DISTINCT category FROM cases WHERE category IS NOT NULL)
ORDER BY scope, value
