-- summary_stage_days for the cases in the temp table summary_scope, from their steps
-- (summary_case_stages, built just before): each step with a next step cut at midnights into pieces,
-- one a day, with its microseconds; and the case's step still open (no next step), if any, as one
-- row on the day it began with no end and no time, since it runs to whatever end a reader asks for. The stage 'closed' is not case-time and has no rows. The case's
-- filter columns and dates are copied in (as summary_sla_cases does) so that routing_stage_hours
-- reads days without a join. Each step is cut at midnights: the day it starts on by an equality,
-- the later days it runs into by a range join of the steps longer than that day.
INSERT INTO summary_stage_days
WITH steps AS MATERIALIZED (
    SELECT s.case_id, s.stage, s.started_at, s.ended_at
    FROM summary_case_stages s
    WHERE wf_in_scope(s.case_id) AND s.created_at >= $created_from AND s.created_at < $created_to
      AND s.stage <> 'closed'
),
ended AS (
    SELECT case_id, stage, started_at, ended_at FROM steps WHERE ended_at IS NOT NULL
),
days AS (
    SELECT day
    FROM range((SELECT coalesce(date_trunc('day', min(started_at)), TIMESTAMP '2000-01-01') FROM ended),
               (SELECT coalesce(max(ended_at), TIMESTAMP '2000-01-01') FROM ended), INTERVAL 1 DAY) r(day)
),
pieces AS (
    SELECT s.case_id, s.stage, s.started_at, s.ended_at, d.day
    FROM ended s
    JOIN days d ON d.day = date_trunc('day', s.started_at)
    UNION ALL
    SELECT s.case_id, s.stage, s.started_at, s.ended_at, d.day
    FROM ended s
    JOIN days d ON d.day > s.started_at AND d.day < s.ended_at
    WHERE s.ended_at > date_trunc('day', s.started_at) + INTERVAL 1 DAY
),
timed AS (
    SELECT case_id, day, stage, greatest(started_at, day) AS started_at,
           least(ended_at, day + INTERVAL 1 DAY) AS ended_at,
           wf_span_us(greatest(started_at, day), least(ended_at, day + INTERVAL 1 DAY)) AS stage_us
    FROM pieces
    WHERE least(ended_at, day + INTERVAL 1 DAY) > greatest(started_at, day)
),
-- A case's open step is its last: its earlier pieces end by its start, so only on the day it began
-- can the case have a piece with an end in the same stage (then counted in that day's totals).
rows AS (
    SELECT case_id, day, stage, started_at, ended_at, stage_us, NULL::BOOLEAN AS shares_day
    FROM timed
    UNION ALL
    SELECT s.case_id, date_trunc('day', s.started_at) AS day, s.stage, s.started_at, NULL::TIMESTAMP AS ended_at,
           NULL::BIGINT AS stage_us, t.case_id IS NOT NULL AS shares_day
    FROM steps s
    -- the pieces of the cases with an open step only (a few of the batch), not every piece
    LEFT JOIN (SELECT DISTINCT case_id, day, stage FROM timed
               WHERE case_id IN (SELECT case_id FROM steps WHERE ended_at IS NULL)) t
           ON t.case_id = s.case_id AND t.day = date_trunc('day', s.started_at) AND t.stage = s.stage
    WHERE s.ended_at IS NULL
)
SELECT r.case_id, r.day, r.stage, r.started_at, r.ended_at, r.stage_us, r.shares_day,
       c.queue_id, c.priority, c.region, c.vendor_id, c.created_at, c.resolved_at
FROM rows r
JOIN cases c ON c.case_id = r.case_id AND c.created_at >= $created_from AND c.created_at < $created_to
-- in the order of days, so that a reader's range of days skips the other row groups
ORDER BY r.day, r.case_id, r.started_at, r.stage
