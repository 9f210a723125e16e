-- SLA page: attainment of the first-action and resolution clocks over the period
-- [$period_start, min($period_end, $as_of)), per time bucket (UTC hours if $hourly, else UTC
-- days) and over the whole period (bucket NULL), overall (dimension 'all') and per queue,
-- priority, vendor and region. A clock counts once: met in the bucket where it stopped within
-- target, breached in the bucket where it crossed its target (docs/metrics.md, "Attainment").
-- Clocks are evaluated as of $as_of. The 'all' series has a row for every bucket, also empty ones
-- (attainment NULL), so a line chart shows gaps where nothing stopped or breached.
WITH bounds AS (
    SELECT
        $period_start::TIMESTAMP AS a,
        least($period_end::TIMESTAMP, $as_of::TIMESTAMP) AS b,
        CASE WHEN $hourly THEN INTERVAL 1 HOUR ELSE INTERVAL 1 DAY END AS step
),
-- Clocks counted in the period, pre-aggregated to the finest grain the page needs (a few thousand
-- rows on a million cases); the sidebar filters apply to that grain (the queue gives the vertical).
counted_all AS (
    SELECT
        k.clock, k.queue_id, k.priority, k.vendor_id, k.region,
        date_trunc(CASE WHEN $hourly THEN 'hour' ELSE 'day' END,
                   CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END) AS bucket,
        count(*) FILTER (WHERE NOT k.breached) AS met,
        count(*) FILTER (WHERE k.breached) AS breached
    FROM sla_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    CROSS JOIN bounds
    WHERE CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END >= bounds.a
      AND CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END < bounds.b
    GROUP BY ALL
),
counted AS (
    SELECT c.*
    FROM counted_all c
    JOIN queues q USING (queue_id)
    WHERE wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
grouped AS MATERIALIZED (
    SELECT
        clock,
        bucket,
        CASE WHEN grouping(queue_id) = 0 THEN 'queue'
             WHEN grouping(priority) = 0 THEN 'priority'
             WHEN grouping(vendor_id) = 0 THEN 'vendor'
             WHEN grouping(region) = 0 THEN 'region'
             ELSE 'all' END AS dimension,
        CASE WHEN grouping(queue_id) = 0 THEN queue_id
             WHEN grouping(priority) = 0 THEN priority
             WHEN grouping(vendor_id) = 0 THEN vendor_id
             WHEN grouping(region) = 0 THEN region END AS value,
        sum(met)::BIGINT AS met,
        sum(breached)::BIGINT AS breached
    FROM counted
    GROUP BY GROUPING SETS (
        (clock), (clock, bucket),
        (clock, queue_id), (clock, bucket, queue_id),
        (clock, priority), (clock, bucket, priority),
        (clock, vendor_id), (clock, bucket, vendor_id),
        (clock, region), (clock, bucket, region)
    )
),
buckets AS (
    SELECT s.bucket
    FROM bounds,
         generate_series(date_trunc(CASE WHEN $hourly THEN 'hour' ELSE 'day' END, bounds.a),
                         bounds.b - INTERVAL 1 MICROSECOND, bounds.step) s(bucket)
),
all_series AS (
    SELECT k.clock, b.bucket, 'all' AS dimension, NULL::VARCHAR AS value,
           coalesce(g.met, 0) AS met, coalesce(g.breached, 0) AS breached
    FROM buckets b
    CROSS JOIN (VALUES ('first_action'), ('resolution')) k(clock)
    LEFT JOIN grouped g ON g.dimension = 'all' AND g.bucket = b.bucket AND g.clock = k.clock
),
rows AS (
    SELECT clock, bucket, dimension, value, met, breached
    FROM grouped
    WHERE NOT (dimension = 'all' AND bucket IS NOT NULL)
    UNION ALL
    SELECT clock, bucket, dimension, value, met, breached FROM all_series
)
SELECT
    r.clock,
    r.bucket,
    r.dimension,
    r.value,
    CASE r.dimension
        WHEN 'all' THEN 'All'
        WHEN 'queue' THEN coalesce(q.name, r.value)
        WHEN 'vendor' THEN coalesce(v.name, r.value, 'No vendor')
        ELSE r.value END AS label,
    r.met,
    r.breached,
    CASE WHEN r.met + r.breached > 0 THEN r.met / (r.met + r.breached) END AS attainment
FROM rows r
LEFT JOIN queues q ON r.dimension = 'queue' AND q.queue_id = r.value
LEFT JOIN vendors v ON r.dimension = 'vendor' AND v.vendor_id = r.value
ORDER BY r.dimension, r.clock, r.bucket NULLS FIRST, label
