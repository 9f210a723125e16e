-- Automation & routing, the cases behind the figures: one row per case created in [$period_start,
-- least($period_end, $as_of)), within the sidebar filters, with its path and where its time went
-- (macros/routing.sql: routing_period_cases; docs/metrics.md, "Automation & routing"). The page
-- reads it only to list the cases behind one band of the flow; routing_figures.sql aggregates the
-- same rows for everything else (watchfloor/automation.py works the figures out from either).
SELECT
    case_id, created_at, source, category, priority, automated, decision, enforcement_action,
    classifier_name, classifier_score, current_vertical, awaiting_first_action, first_queue_id, first_vertical,
    reroutes, returns, escalations, waiting_s, review_s, pending_s, escalated_s, rerouted_s, breached
FROM routing_period_cases($period_start, $period_end, $as_of)
WHERE wf_in($regions, region)
  AND wf_in($verticals, current_vertical)
  AND wf_in($priorities, priority)
  AND wf_in($vendors, vendor_id)
ORDER BY created_at, case_id
