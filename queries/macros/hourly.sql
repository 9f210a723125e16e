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
WITH edges AS (
    -- The partial first hour, then the partial last hour (when it is not the first one).
    SELECT c.created_at, c.category, c.surface, c.region, c.language, c.source, c.queue_id, c.priority,
           c.vendor_id, c.account_id
    FROM cases c
    WHERE date_trunc('hour', since::TIMESTAMP) < since::TIMESTAMP
      AND c.created_at >= since::TIMESTAMP
      AND c.created_at < least(until::TIMESTAMP, date_trunc('hour', since::TIMESTAMP) + INTERVAL 1 HOUR)
    UNION ALL
    SELECT c.created_at, c.category, c.surface, c.region, c.language, c.source, c.queue_id, c.priority,
           c.vendor_id, c.account_id
    FROM cases c
    WHERE date_trunc('hour', until::TIMESTAMP) < until::TIMESTAMP
      AND (date_trunc('hour', until::TIMESTAMP) > date_trunc('hour', since::TIMESTAMP)
           OR date_trunc('hour', since::TIMESTAMP) = since::TIMESTAMP)
      AND c.created_at >= greatest(since::TIMESTAMP, date_trunc('hour', until::TIMESTAMP))
      AND c.created_at < until::TIMESTAMP
)
SELECT
    s.hour, s.category, s.surface, s.region, s.language, s.source, s.queue_id, s.priority, s.vendor_id,
    s.cases, s.with_account, s.slot_0, s.slot_1, s.slot_2, s.slot_3, s.slot_4, s.slot_5
FROM summary_hourly_cases s
WHERE s.hour >= since::TIMESTAMP
  AND s.hour + INTERVAL 1 HOUR <= until::TIMESTAMP
UNION ALL
SELECT
    date_trunc('hour', e.created_at) AS hour,
    e.category, e.surface, e.region, e.language, e.source, e.queue_id, e.priority, e.vendor_id,
    count(*) AS cases,
    count(e.account_id) AS with_account,
    count(*) FILTER (WHERE floor(extract(minute FROM e.created_at) / 10) = 0) AS slot_0,
    count(*) FILTER (WHERE floor(extract(minute FROM e.created_at) / 10) = 1) AS slot_1,
    count(*) FILTER (WHERE floor(extract(minute FROM e.created_at) / 10) = 2) AS slot_2,
    count(*) FILTER (WHERE floor(extract(minute FROM e.created_at) / 10) = 3) AS slot_3,
    count(*) FILTER (WHERE floor(extract(minute FROM e.created_at) / 10) = 4) AS slot_4,
    count(*) FILTER (WHERE floor(extract(minute FROM e.created_at) / 10) = 5) AS slot_5
FROM edges e
GROUP BY date_trunc('hour', e.created_at), e.category, e.surface, e.region, e.language, e.source, e.queue_id,
         e.priority, e.vendor_id;

-- The accounts with more than one case in an hour and (category, surface, region) cell of
-- [since, until), their cases split by queue, priority and vendor: with case_hours' with_account
-- they give a cell's busiest account within any filter (every other account there has one case).
CREATE OR REPLACE TEMP MACRO case_hour_accounts(since, until) AS TABLE
WITH scoped AS (
    SELECT date_trunc('hour', c.created_at) AS hour, c.category, c.surface, c.region, c.queue_id,
           c.priority, c.vendor_id, c.account_id
    FROM cases c
    WHERE c.account_id IS NOT NULL
      AND c.created_at >= since::TIMESTAMP
      AND c.created_at < until::TIMESTAMP
),
repeated AS (
    SELECT hour, category, surface, region, account_id
    FROM scoped
    GROUP BY hour, category, surface, region, account_id
    HAVING count(*) > 1
)
SELECT s.hour, s.category, s.surface, s.region, s.queue_id, s.priority, s.vendor_id, s.account_id,
       count(*) AS cases
FROM scoped s
JOIN repeated r
  ON r.hour = s.hour AND r.category = s.category AND r.surface = s.surface AND r.region = s.region
 AND r.account_id = s.account_id
GROUP BY s.hour, s.category, s.surface, s.region, s.queue_id, s.priority, s.vendor_id, s.account_id;

CREATE OR REPLACE TEMP MACRO summary_case_hour_accounts(since, until) AS TABLE
WITH scoped AS (
    SELECT date_trunc('hour', c.created_at) AS hour, c.category, c.surface, c.region, c.queue_id,
           c.priority, c.vendor_id, c.account_id
    FROM cases c
    WHERE c.account_id IS NOT NULL
      AND date_trunc('hour', since::TIMESTAMP) < since::TIMESTAMP
      AND c.created_at >= since::TIMESTAMP
      AND c.created_at < least(until::TIMESTAMP, date_trunc('hour', since::TIMESTAMP) + INTERVAL 1 HOUR)
    UNION ALL
    SELECT date_trunc('hour', c.created_at) AS hour, c.category, c.surface, c.region, c.queue_id,
           c.priority, c.vendor_id, c.account_id
    FROM cases c
    WHERE c.account_id IS NOT NULL
      AND date_trunc('hour', until::TIMESTAMP) < until::TIMESTAMP
      AND (date_trunc('hour', until::TIMESTAMP) > date_trunc('hour', since::TIMESTAMP)
           OR date_trunc('hour', since::TIMESTAMP) = since::TIMESTAMP)
      AND c.created_at >= greatest(since::TIMESTAMP, date_trunc('hour', until::TIMESTAMP))
      AND c.created_at < until::TIMESTAMP
),
repeated AS (
    SELECT hour, category, surface, region, account_id
    FROM scoped
    GROUP BY hour, category, surface, region, account_id
    HAVING count(*) > 1
)
SELECT a.hour, a.category, a.surface, a.region, a.queue_id, a.priority, a.vendor_id, a.account_id, a.cases
FROM summary_hourly_accounts a
WHERE a.hour >= since::TIMESTAMP
  AND a.hour + INTERVAL 1 HOUR <= until::TIMESTAMP
UNION ALL
SELECT s.hour, s.category, s.surface, s.region, s.queue_id, s.priority, s.vendor_id, s.account_id,
       count(*) AS cases
FROM scoped s
JOIN repeated r
  ON r.hour = s.hour AND r.category = s.category AND r.surface = s.surface AND r.region = s.region
 AND r.account_id = s.account_id
GROUP BY s.hour, s.category, s.surface, s.region, s.queue_id, s.priority, s.vendor_id, s.account_id;
