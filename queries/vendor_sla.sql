-- Vendors: SLA adherence on both clocks (first action and resolution) per reviewer unit and UTC
-- week, with the SLA page's clock and attainment rule (docs/metrics.md, "Figures shared across
-- pages"): clocks evaluated as of $as_of (macros/sla.sql); in the period [a, b) (a =
-- $period_start, b = least($period_end, $as_of)) a clock is met if it stopped in it within target
-- and breached if its breach_at lies in it. The vendor is the case's (cases.vendor_id, as the SLA
-- page's vendor breakdown); region and site are those of the reviewer who decided it (the
-- clock's reviewer_id; '–' when no reviewer is named). The week is the one of the stop (met) or
-- breach. The sidebar filters apply to the clock's case, as on the SLA page.
WITH clocks AS (
    SELECT k.clock, k.vendor_id, k.reviewer_id, k.breached,
           CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END AS counted_at
    FROM summary_sla_clock_times($as_of::TIMESTAMP, $period_start::TIMESTAMP) k
    JOIN queues q USING (queue_id)
    WHERE k.vendor_id IS NOT NULL
      AND wf_in($regions, k.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, k.priority)
      AND wf_in($vendors, k.vendor_id)
      AND (k.breached OR k.stopped_at IS NOT NULL)
      AND CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END >= $period_start::TIMESTAMP
      AND CASE WHEN k.breached THEN k.breach_at ELSE k.stopped_at END
          < least($period_end::TIMESTAMP, $as_of::TIMESTAMP)
),
-- Per vendor, reviewer and week first (narrow keys), then per unit of the reviewer.
counts AS (
    SELECT k.vendor_id, k.reviewer_id, date_trunc('week', k.counted_at) AS week_start,
           count(*) FILTER (WHERE k.clock = 'first_action' AND NOT k.breached) AS first_action_met,
           count(*) FILTER (WHERE k.clock = 'first_action' AND k.breached) AS first_action_breached,
           count(*) FILTER (WHERE k.clock = 'resolution' AND NOT k.breached) AS resolution_met,
           count(*) FILTER (WHERE k.clock = 'resolution' AND k.breached) AS resolution_breached
    FROM clocks k
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
