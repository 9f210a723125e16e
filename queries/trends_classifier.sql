-- Trends, classifier signal: cases flagged by each classifier in [$period_start, $period_end),
-- per score band of width 0.1 (a score of exactly 1 falls in the 0.9 band), with the human
-- decisions on them. Precision against human decisions = violating / (violating + non-violating)
-- among cases a person decided (watchfloor.trends.classifier_table).
SELECT
    c.classifier_name AS classifier,
    least(floor(c.classifier_score * 10), 9) / 10 AS band,
    count(*) AS cases,
    count(*) FILTER (WHERE c.automated) AS automated,
    count(*) FILTER (WHERE NOT c.automated AND c.decision = 'violating') AS human_violating,
    count(*) FILTER (WHERE NOT c.automated AND c.decision = 'non_violating') AS human_non_violating
FROM cases c
JOIN queues q USING (queue_id)
WHERE c.classifier_name IS NOT NULL
  AND c.classifier_score IS NOT NULL
  AND c.created_at >= $period_start::TIMESTAMP
  AND c.created_at < $period_end::TIMESTAMP
  AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
GROUP BY ALL
ORDER BY classifier, band
