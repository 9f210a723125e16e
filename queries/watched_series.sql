-- The spike record's series (watchfloor.spike_record): hourly cases per category, surface and region
-- from $history_start to $until (the record's fixed window before 'now' snapped to the hour: only
-- complete hours), within the sidebar filters. The detector watches every category on its category,
-- category x surface, category x region and category x surface x region series, all summed from
-- these cells (watchfloor.watched_scopes.watched_series). Hours without cases are absent; they count as
-- zero. top_account: the cases of the cell-hour's busiest account; slot_0 .. slot_5: its cases in
-- each ten minutes (:00-:09, :10-:19, ...). They tell bursts (one account, a batch landing at once)
-- from spikes (watchfloor.watched_scopes.burst_kind).
-- With no filter, the cells are read as they are kept (summary_watched_hours, queries/macros/hourly.sql).
-- Within filters, from the hourly counts (summary_case_hours). The busiest account: the largest of the
-- accounts with more than one case in the cell-hour (summary_case_hour_accounts, summed within the
-- filters), or 1 when some other account has a case there within the filters (0: none has).
-- The rows come in no set order: the record and every figure made from them do not depend on it
-- (tests/unit/test_spike_record_kept.py), and sorting them was most of the unfiltered query's time.
SELECT
    w.category, w.surface, w.region, w.hour AS bucket, w.cases, w.top_account,
    w.slot_0, w.slot_1, w.slot_2, w.slot_3, w.slot_4, w.slot_5
FROM summary_watched_hours($history_start::TIMESTAMP, $until::TIMESTAMP) w
WHERE wf_scope_is_all($regions, $verticals, $priorities, $vendors)
UNION ALL
SELECT * FROM (
WITH cells AS (
    SELECT
        h.category,
        coalesce(h.surface, '(none)') AS surface,
        coalesce(h.region, '(none)') AS region,
        h.hour AS bucket,
        sum(h.cases)::BIGINT AS cases,
        sum(h.with_account)::BIGINT AS with_account,
        sum(h.slot_0)::BIGINT AS slot_0,
        sum(h.slot_1)::BIGINT AS slot_1,
        sum(h.slot_2)::BIGINT AS slot_2,
        sum(h.slot_3)::BIGINT AS slot_3,
        sum(h.slot_4)::BIGINT AS slot_4,
        sum(h.slot_5)::BIGINT AS slot_5
    FROM summary_case_hours($history_start::TIMESTAMP, $until::TIMESTAMP) h
    JOIN queues q ON q.queue_id = h.queue_id
    WHERE wf_in_case_scope($regions, $verticals, $priorities, $vendors, h.region, q.vertical, h.priority, h.vendor_id)
    GROUP BY h.category, coalesce(h.surface, '(none)'), coalesce(h.region, '(none)'), h.hour
),
accounts AS (
    SELECT
        a.category,
        coalesce(a.surface, '(none)') AS surface,
        coalesce(a.region, '(none)') AS region,
        a.hour AS bucket,
        a.account_id,
        sum(a.cases) AS n
    FROM summary_case_hour_accounts($history_start::TIMESTAMP, $until::TIMESTAMP) a
    JOIN queues q ON q.queue_id = a.queue_id
    WHERE wf_in_case_scope($regions, $verticals, $priorities, $vendors, a.region, q.vertical, a.priority, a.vendor_id)
    GROUP BY a.category, coalesce(a.surface, '(none)'), coalesce(a.region, '(none)'), a.hour, a.account_id
),
busiest AS (
    SELECT category, surface, region, bucket, max(n) AS top_n, sum(n) AS in_repeated
    FROM accounts
    GROUP BY category, surface, region, bucket
)
SELECT
    cells.category, cells.surface, cells.region, cells.bucket, cells.cases,
    greatest(coalesce(b.top_n, 0),
             CASE WHEN cells.with_account > coalesce(b.in_repeated, 0) THEN 1 ELSE 0 END)::BIGINT AS top_account,
    cells.slot_0, cells.slot_1, cells.slot_2, cells.slot_3, cells.slot_4, cells.slot_5
FROM cells
LEFT JOIN busiest b
  ON b.category = cells.category AND b.surface = cells.surface AND b.region = cells.region AND b.bucket = cells.bucket
) filtered
WHERE NOT (wf_scope_is_all($regions, $verticals, $priorities, $vendors))
