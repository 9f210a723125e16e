-- Cases per UTC hour of created_at by the fields the counting queries filter and break down by.
-- case_hours(since, until) is the definition, from the raw cases created in [since, until);
-- summary_case_hours(since, until) gives the same rows (in another order) from the summary
-- (watchfloor/summaries.py; docs/warehouse.md, "Summaries") for the hours wholly inside the range,
-- and from the raw cases for a partial hour at either end. Slots: cases in each ten minutes.
CREATE OR REPLACE TEMP MACRO case_hours(since, until) AS TABLE
SELECT
    date_trunc('hour', c.created_at) AS hour,
    c.category, c.surface, c.region, c.language, c.source, c.queue_id, c.priority, c.vendor_id,
    count(*) AS cases,
    count(c.account_id) AS with_account,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 0) AS slot_0,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 1) AS slot_1,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 2) AS slot_2,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 3) AS slot_3,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 4) AS slot_4,
    count(*) FILTER (WHERE floor(extract(minute FROM c.created_at) / 10) = 5) AS slot_5
FROM cases c
WHERE c.created_at >= since::TIMESTAMP
  AND c.created_at < until::TIMESTAMP
GROUP BY date_trunc('hour', c.created_at), c.category, c.surface, c.region, c.language, c.source, c.queue_id,
         c.priority, c.vendor_id;

CREATE OR REPLACE TEMP MACRO summary_case_hours(since, until) AS TABLE
SELECT hour, category, surface, region, language, source, queue_id, priority, vendor_id,
       cases, with_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM summary_hourly_cases
WHERE hour >= since::TIMESTAMP
  AND hour + INTERVAL 1 HOUR <= until::TIMESTAMP
UNION ALL
-- The partial first hour, then the partial last hour (when it is not the first one).
SELECT hour, category, surface, region, language, source, queue_id, priority, vendor_id,
       cases, with_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM case_hours(since, least(until::TIMESTAMP, date_trunc('hour', since::TIMESTAMP) + INTERVAL 1 HOUR))
WHERE date_trunc('hour', since::TIMESTAMP) < since::TIMESTAMP
UNION ALL
SELECT hour, category, surface, region, language, source, queue_id, priority, vendor_id,
       cases, with_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM case_hours(greatest(since::TIMESTAMP, date_trunc('hour', until::TIMESTAMP)), until)
WHERE date_trunc('hour', until::TIMESTAMP) < until::TIMESTAMP
  AND (date_trunc('hour', until::TIMESTAMP) > date_trunc('hour', since::TIMESTAMP)
       OR date_trunc('hour', since::TIMESTAMP) = since::TIMESTAMP);

-- The accounts with more than one case in an hour and (category, surface, region) cell of
-- [since, until), their cases split by queue, priority and vendor: with case_hours' with_account
-- they give a cell's busiest account within any filter (every other account there has one case).
-- No CTE here: a query that calls the macro twice would name them twice once inlined on a server.
CREATE OR REPLACE TEMP MACRO case_hour_accounts(since, until) AS TABLE
SELECT hour, category, surface, region, queue_id, priority, vendor_id, account_id, count(*) AS cases
FROM (
    SELECT date_trunc('hour', c.created_at) AS hour, c.category, c.surface, c.region, c.queue_id,
           c.priority, c.vendor_id, c.account_id,
           count(*) OVER (PARTITION BY date_trunc('hour', c.created_at), c.category, c.surface, c.region,
                                       c.account_id) AS in_cell
    FROM cases c
    WHERE c.account_id IS NOT NULL
      AND c.created_at >= since::TIMESTAMP
      AND c.created_at < until::TIMESTAMP
) scoped
WHERE in_cell > 1
GROUP BY hour, category, surface, region, queue_id, priority, vendor_id, account_id;

CREATE OR REPLACE TEMP MACRO summary_case_hour_accounts(since, until) AS TABLE
SELECT hour, category, surface, region, queue_id, priority, vendor_id, account_id, cases
FROM summary_hourly_accounts
WHERE hour >= since::TIMESTAMP
  AND hour + INTERVAL 1 HOUR <= until::TIMESTAMP
UNION ALL
SELECT hour, category, surface, region, queue_id, priority, vendor_id, account_id, cases
FROM case_hour_accounts(since, least(until::TIMESTAMP, date_trunc('hour', since::TIMESTAMP) + INTERVAL 1 HOUR))
WHERE date_trunc('hour', since::TIMESTAMP) < since::TIMESTAMP
UNION ALL
SELECT hour, category, surface, region, queue_id, priority, vendor_id, account_id, cases
FROM case_hour_accounts(greatest(since::TIMESTAMP, date_trunc('hour', until::TIMESTAMP)), until)
WHERE date_trunc('hour', until::TIMESTAMP) < until::TIMESTAMP
  AND (date_trunc('hour', until::TIMESTAMP) > date_trunc('hour', since::TIMESTAMP)
       OR date_trunc('hour', since::TIMESTAMP) = since::TIMESTAMP);

-- The spike record's cells (queries/watched_series.sql) over every case, from the hourly counts: per
-- category, surface and region ('(none)' for a missing one) and hour of [since, until), the cases,
-- the busiest account's cases (the largest of the accounts with more than one case in the
-- cell-hour, or 1 when some other account has a case there, 0 when none has) and the cases of
-- each ten minutes. What summary_watched_cells keeps (watchfloor/summaries.py builds it from the
-- hourly counts just rebuilt); the tests hold the hourly counts to the raw cases.
CREATE OR REPLACE TEMP MACRO watched_hours(since, until) AS TABLE
SELECT
    cells.hour, cells.category, cells.surface, cells.region, cells.cases,
    greatest(coalesce(b.top_n, 0),
             CASE WHEN cells.with_account > coalesce(b.in_repeated, 0) THEN 1 ELSE 0 END)::BIGINT AS top_account,
    cells.slot_0, cells.slot_1, cells.slot_2, cells.slot_3, cells.slot_4, cells.slot_5
FROM (
    SELECT hour, category, coalesce(surface, '(none)') AS surface, coalesce(region, '(none)') AS region,
           sum(cases)::BIGINT AS cases, sum(with_account)::BIGINT AS with_account,
           sum(slot_0)::BIGINT AS slot_0, sum(slot_1)::BIGINT AS slot_1, sum(slot_2)::BIGINT AS slot_2,
           sum(slot_3)::BIGINT AS slot_3, sum(slot_4)::BIGINT AS slot_4, sum(slot_5)::BIGINT AS slot_5
    FROM summary_case_hours(since, until)
    GROUP BY hour, category, coalesce(surface, '(none)'), coalesce(region, '(none)')
) cells
LEFT JOIN (
    SELECT hour, category, surface, region, max(n) AS top_n, sum(n) AS in_repeated
    FROM (
        SELECT hour, category, coalesce(surface, '(none)') AS surface, coalesce(region, '(none)') AS region,
               account_id, sum(cases) AS n
        FROM summary_case_hour_accounts(since, until)
        GROUP BY hour, category, coalesce(surface, '(none)'), coalesce(region, '(none)'), account_id
    ) accounts
    GROUP BY hour, category, surface, region
) b
  ON b.category = cells.category AND b.surface = cells.surface AND b.region = cells.region AND b.hour = cells.hour;

-- watched_hours' rows from summary_watched_cells for the hours wholly inside [since, until), from
-- the hourly counts (and the raw cases) for a partial hour at either end.
CREATE OR REPLACE TEMP MACRO summary_watched_hours(since, until) AS TABLE
SELECT hour, category, surface, region, cases, top_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM summary_watched_cells
WHERE hour >= since::TIMESTAMP
  AND hour + INTERVAL 1 HOUR <= until::TIMESTAMP
UNION ALL
SELECT hour, category, surface, region, cases, top_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM watched_hours(since, least(until::TIMESTAMP, date_trunc('hour', since::TIMESTAMP) + INTERVAL 1 HOUR))
WHERE date_trunc('hour', since::TIMESTAMP) < since::TIMESTAMP
UNION ALL
SELECT hour, category, surface, region, cases, top_account, slot_0, slot_1, slot_2, slot_3, slot_4, slot_5
FROM watched_hours(greatest(since::TIMESTAMP, date_trunc('hour', until::TIMESTAMP)), until)
WHERE date_trunc('hour', until::TIMESTAMP) < until::TIMESTAMP
  AND (date_trunc('hour', until::TIMESTAMP) > date_trunc('hour', since::TIMESTAMP)
       OR date_trunc('hour', since::TIMESTAMP) = since::TIMESTAMP);
