-- Vendors: SLA adherence on both clocks (first action and resolution) per reviewer unit and UTC
-- week, with the SLA page's clock and attainment rule (docs/metrics.md, "Figures shared across
-- pages"): clocks evaluated as of $as_of (macros/sla.sql); in the period [a, b) (a =
-- $period_start, b = least($period_end, $as_of)) a clock is met if it stopped in it within target
-- and breached if its breach_at lies in it. The vendor is the case's (cases.vendor_id, as the SLA
-- page's vendor breakdown); region and site are those of the reviewer who decided it (the
-- clock's reviewer_id; '–' when no reviewer is named). The week is the one of the stop (met) or
-- breach. The sidebar filters apply to the clock's case, as on the SLA page.
--
-- The met clocks at their final stop, most of the rows, are counted per UTC day of the stop and
-- reviewer in summary_sla_met_reviewer_days: the period's whole days are read from it, and only
-- the days the period cuts (its start unless at midnight, and the day of b) from the clocks
-- themselves. The tests run this query on the raw twins of the macros too and compare.
WITH clocks AS (
    -- the clocks not at their final stop by $as_of, breached or met (a resolution later reopened) in the period
    SELECT k.clock, k.queue_id, k.priority, k.region, k.vendor_id, k.reviewer_id, k.breached,
           CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END AS counted_at, 1 AS clocks
    FROM summary_sla_open_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP, false) k
    WHERE (k.breached OR k.stopped_at IS NOT NULL)
      AND CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END >= $period_start::TIMESTAMP
      AND CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END
          < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
    UNION ALL
    -- the clocks at their final stop that breached in the period (a clock breaches before its stop:
    -- the bound on stopped_at lets the scan skip the clocks stopped before the period)
    SELECT k.clock, k.queue_id, k.priority, k.region, k.vendor_id, k.reviewer_id, true, k.breach_at, 1
    FROM summary_sla_stopped_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    WHERE k.breached
      AND k.stopped_at >= $period_start::TIMESTAMP
      AND k.breach_at >= $period_start::TIMESTAMP
      AND k.breach_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
    UNION ALL
    -- met at their final stop in the cut days: from a to the first midnight, and from the last one to b
    SELECT k.clock, k.queue_id, k.priority, k.region, k.vendor_id, k.reviewer_id, false, k.stopped_at, 1
    FROM summary_sla_stopped_clocks($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    WHERE NOT k.breached
      AND ((k.stopped_at >= $period_start::TIMESTAMP
            AND k.stopped_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP,
                                     date_trunc('day', $period_start::TIMESTAMP) + INTERVAL 1 DAY)
            AND date_trunc('day', $period_start::TIMESTAMP) < $period_start::TIMESTAMP)
        OR (k.stopped_at >= greatest($period_start::TIMESTAMP, date_trunc('day', least($period_end::TIMESTAMP, $as_of::TIMESTAMP)),
                                     CASE WHEN date_trunc('day', $period_start::TIMESTAMP) < $period_start::TIMESTAMP
                                          THEN date_trunc('day', $period_start::TIMESTAMP) + INTERVAL 1 DAY
                                          ELSE $period_start::TIMESTAMP END)
            AND k.stopped_at < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)))
    UNION ALL
    -- met at their final stop in the whole days: [first midnight at or after a, midnight of b)
    SELECT d.clock, d.queue_id, d.priority, d.region, d.vendor_id, d.reviewer_id, false, d.day, d.clocks
    FROM summary_sla_met_day_counts($as_of::TIMESTAMP, $period_start::TIMESTAMP,
        CASE WHEN date_trunc('day', $period_start::TIMESTAMP) < $period_start::TIMESTAMP
             THEN date_trunc('day', $period_start::TIMESTAMP) + INTERVAL 1 DAY
             ELSE $period_start::TIMESTAMP END,
        date_trunc('day', least($period_end::TIMESTAMP, $as_of::TIMESTAMP))) d
),
-- Per vendor, reviewer and week first (narrow keys), then per unit of the reviewer.
counts AS (
    SELECT k.vendor_id, k.reviewer_id, date_trunc('week', k.counted_at) AS week_start,
           coalesce(sum(k.clocks) FILTER (WHERE k.clock = 'first_action' AND NOT k.breached), 0) AS first_action_met,
           coalesce(sum(k.clocks) FILTER (WHERE k.clock = 'first_action' AND k.breached), 0) AS first_action_breached,
           coalesce(sum(k.clocks) FILTER (WHERE k.clock = 'resolution' AND NOT k.breached), 0) AS resolution_met,
           coalesce(sum(k.clocks) FILTER (WHERE k.clock = 'resolution' AND k.breached), 0) AS resolution_breached
    FROM clocks k
    JOIN queues q USING (queue_id)
    WHERE k.vendor_id IS NOT NULL
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, k.region, q.vertical, k.priority, k.vendor_id)
    GROUP BY ALL
)
SELECT k.vendor_id,
       coalesce(r.region, '–') AS region,
       coalesce(r.site, r.region, '–') AS site,
       k.week_start,
       sum(k.first_action_met)::BIGINT AS first_action_met,
       sum(k.first_action_breached)::BIGINT AS first_action_breached,
       sum(k.resolution_met)::BIGINT AS resolution_met,
       sum(k.resolution_breached)::BIGINT AS resolution_breached
FROM counts k
LEFT JOIN reviewers r ON r.reviewer_id = k.reviewer_id
GROUP BY ALL
ORDER BY ALL
