-- Queue health: one queue's history, per hour ($hourly) or per day, from $history_start (the
-- range's start less the 7 days its trailing averages need; on an hour or a midnight) to now.
-- Each bucket (bucket_start, bucket_end] ends at the next hour or midnight, the last one at now.
-- A case is open at a moment t when created_at <= t and it is not resolved by t (resolved_at null
-- or later), as for the backlog on Home and Queue health; inflow = cases created in the bucket,
-- outflow = cases resolved in it, so backlog_end = backlog_start + inflow - outflow.
-- oldest_age_seconds: the age at bucket_end of the oldest case open then (null with none).
-- Only cases open at some time after $history_start are read: the range bounds the scan.
WITH scoped AS (
    SELECT c.created_at, coalesce(c.resolved_at, $as_of::TIMESTAMP + INTERVAL 1 DAY) AS open_until
    FROM cases c
    WHERE c.queue_id = $queue_id
      AND c.created_at <= $as_of::TIMESTAMP
      AND (c.resolved_at IS NULL OR c.resolved_at > $history_start::TIMESTAMP)
      AND wf_in_vendor_scope($vendors, c.vendor_id)
),
hours AS (
    SELECT unnest(generate_series($history_start::TIMESTAMP, $as_of::TIMESTAMP, INTERVAL 1 HOUR)) AS hour_start
),
buckets AS (
    SELECT
        hour_start AS bucket_start,
        least(CASE WHEN $hourly THEN hour_start + INTERVAL 1 HOUR ELSE hour_start + INTERVAL 1 DAY END,
              $as_of::TIMESTAMP) AS bucket_end
    FROM hours
    WHERE hour_start < $as_of::TIMESTAMP
      AND ($hourly OR hour_start = date_trunc('day', hour_start))
),
opened AS (
    SELECT b.bucket_start, count(*) AS inflow
    FROM buckets b JOIN scoped s ON s.created_at > b.bucket_start AND s.created_at <= b.bucket_end
    GROUP BY b.bucket_start
),
closed AS (
    SELECT b.bucket_start, count(*) AS outflow
    FROM buckets b JOIN scoped s ON s.open_until > b.bucket_start AND s.open_until <= b.bucket_end
    GROUP BY b.bucket_start
),
open_at_start AS (
    SELECT b.bucket_start, count(*) AS backlog_start
    FROM buckets b JOIN scoped s ON s.created_at <= b.bucket_start AND s.open_until > b.bucket_start
    GROUP BY b.bucket_start
),
open_at_end AS (
    SELECT b.bucket_start, count(*) AS backlog_end, min(s.created_at) AS oldest_created_at
    FROM buckets b JOIN scoped s ON s.created_at <= b.bucket_end AND s.open_until > b.bucket_end
    GROUP BY b.bucket_start
)
SELECT
    b.bucket_start,
    b.bucket_end,
    coalesce(st.backlog_start, 0) AS backlog_start,
    coalesce(o.inflow, 0) AS inflow,
    coalesce(c.outflow, 0) AS outflow,
    coalesce(e.backlog_end, 0) AS backlog_end,
    epoch(b.bucket_end) - epoch(e.oldest_created_at) AS oldest_age_seconds
FROM buckets b
LEFT JOIN open_at_start st USING (bucket_start)
LEFT JOIN opened o USING (bucket_start)
LEFT JOIN closed c USING (bucket_start)
LEFT JOIN open_at_end e USING (bucket_start)
ORDER BY b.bucket_start
