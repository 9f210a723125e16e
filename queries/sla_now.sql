-- Home and SLA: the open cases breached and at risk now, and the running clocks per state, counted
-- once here for both pages (same parameters: one run serves both). The sidebar filters apply to
-- the clock's case (the current queue gives the vertical); the date range does not.
-- One row per clock ('first_action', 'resolution'): its running clocks (running) and those past
-- their target (breached), at 75-100 % of it (at_risk) and at 50-75 % (warning); then one row with
-- clock 'any' over the open cases (each has a running resolution clock): running = open cases,
-- breached = cases with a running clock past its target, at_risk = cases with one at 75 % or more
-- and none past it (warning NULL). docs/metrics.md, "SLA"; watchfloor.metrics.now_counts is the
-- same count over the running clocks listed one by one, which the tests compare with this.
WITH running AS MATERIALIZED (
    SELECT k.case_id, k.clock, k.state
    -- since = as_of: a clock running at as_of belongs to a case not resolved by then
    FROM summary_sla_clock_times($as_of::TIMESTAMP, $as_of::TIMESTAMP) k
    SEMI JOIN (SELECT queue_id FROM queues WHERE wf_in_vertical_scope($verticals, vertical)) q ON q.queue_id = k.queue_id
    WHERE k.stopped_at IS NULL
      AND wf_in_case_scope_but_vertical($regions, $priorities, $vendors, k.region, k.priority, k.vendor_id)
),
per_case AS (
    SELECT case_id, bool_or(state = 'breached') AS breached, bool_or(state = 'at_risk') AS at_risk
    FROM running
    GROUP BY case_id
)
SELECT c.clock,
       count(r.case_id) AS running,
       count(r.case_id) FILTER (WHERE r.state = 'breached') AS breached,
       count(r.case_id) FILTER (WHERE r.state = 'at_risk') AS at_risk,
       count(r.case_id) FILTER (WHERE r.state = 'warning') AS warning
FROM (VALUES ('first_action'), ('resolution')) c(clock)
LEFT JOIN running r ON r.clock = c.clock
GROUP BY c.clock
UNION ALL
SELECT 'any' AS clock,
       count(*) AS running,
       count(*) FILTER (WHERE breached) AS breached,
       count(*) FILTER (WHERE at_risk AND NOT breached) AS at_risk,
       NULL::BIGINT AS warning
FROM per_case
ORDER BY clock
