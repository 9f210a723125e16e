-- Trends: the cases behind one spike: created in [$spike_start, $spike_end) with the spike's
-- value of the breakdown ($dimension, $key), narrowed to one surface and/or region when the
-- spike was seen on a narrower watched series ($surface, $region; NULL: any), within the
-- sidebar filters, newest first, at most $row_limit; `total` counts them all.
WITH matched AS (
    SELECT c.case_id, c.created_at, c.category, c.subcategory, c.surface, c.region, c.language,
           c.source, c.priority, c.status, c.decision, c.org_id, c.classifier_name, c.classifier_score
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $spike_start::TIMESTAMP
      AND c.created_at < $spike_end::TIMESTAMP
      AND coalesce(CASE $dimension
            WHEN 'category' THEN c.category
            WHEN 'surface' THEN c.surface
            WHEN 'region' THEN c.region
            WHEN 'language' THEN c.language
            WHEN 'source' THEN c.source
          END, '(none)') = $key
      AND ($surface::VARCHAR IS NULL OR coalesce(c.surface, '(none)') = $surface::VARCHAR)
      AND ($region::VARCHAR IS NULL OR coalesce(c.region, '(none)') = $region::VARCHAR)
      AND wf_in_case_scope($regions, $verticals, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)
)
SELECT *, count(*) OVER () AS total
FROM matched
ORDER BY created_at DESC, case_id
LIMIT $row_limit
