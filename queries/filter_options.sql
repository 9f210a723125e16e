-- Sidebar: the values the shared filters offer.
SELECT 'region' AS filter, region AS value, region AS label FROM (SELECT DISTINCT region FROM queues)
UNION ALL
SELECT 'vertical', vertical, vertical FROM (SELECT DISTINCT vertical FROM queues)
UNION ALL
SELECT 'priority', priority, priority FROM (SELECT DISTINCT priority FROM sla_policies)
UNION ALL
SELECT 'vendor', vendor_id, name FROM vendors
ORDER BY filter, label
