-- The spike record's series (watchfloor.spike_record): hourly cases per category, surface and region
-- from $history_start to $until (the record's fixed window before 'now' snapped to the hour: only
-- complete hours), within the sidebar filters. The detector watches every category on its category,
-- category x surface, category x region and category x surface x region series, all summed from
-- these cells (watchfloor.spikes.watched_series). Hours without cases are absent; they count as
-- zero. top_account: the cases of the cell-hour's busiest account; slot_0 .. slot_5: its cases in
-- each ten minutes (:00-:09, :10-:19, ...). They tell bursts (one account, a batch landing at once)
-- from spikes (watchfloor.spikes.burst_kind).
WITH scoped AS (
    SELECT
        c.category,
        coalesce(c.surface, '(none)') AS surface,
        coalesce(c.region, '(none)') AS region,
        date_trunc('hour', c.created_at) AS bucket,
        c.account_id,
        floor(extract(minute FROM c.created_at) / 10) AS slot
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $history_start::TIMESTAMP
      AND c.created_at < $until::TIMESTAMP
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
cells AS (
    SELECT
        category, surface, region, bucket, count(*) AS cases,
        count(*) FILTER (WHERE slot = 0) AS slot_0,
        count(*) FILTER (WHERE slot = 1) AS slot_1,
        count(*) FILTER (WHERE slot = 2) AS slot_2,
        count(*) FILTER (WHERE slot = 3) AS slot_3,
        count(*) FILTER (WHERE slot = 4) AS slot_4,
        count(*) FILTER (WHERE slot = 5) AS slot_5
    FROM scoped
    GROUP BY category, surface, region, bucket
),
by_account AS (
    SELECT category, surface, region, bucket, count(account_id) AS n
    FROM scoped
    GROUP BY category, surface, region, bucket, account_id
),
top_account AS (
    SELECT category, surface, region, bucket, max(n) AS top_account
    FROM by_account
    GROUP BY category, surface, region, bucket
)
SELECT
    cells.category, cells.surface, cells.region, cells.bucket, cells.cases, a.top_account,
    cells.slot_0, cells.slot_1, cells.slot_2, cells.slot_3, cells.slot_4, cells.slot_5
FROM cells
JOIN top_account a
  ON a.category = cells.category AND a.surface = cells.surface AND a.region = cells.region AND a.bucket = cells.bucket
ORDER BY cells.category, cells.surface, cells.region, cells.bucket
