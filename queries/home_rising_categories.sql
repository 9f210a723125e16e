-- Home: categories rising most in the last 24 hours against the same 24 hours a week earlier.
-- Ranked by a Poisson score (current - previous) / sqrt(previous + 1), so that a jump
-- from 2 to 6 cases does not outrank a jump from 400 to 900.
WITH scoped AS (
    SELECT c.category, c.created_at
    FROM cases c
    JOIN queues q USING (queue_id)
    WHERE c.created_at >= $as_of::TIMESTAMP - INTERVAL 192 HOUR
      AND c.created_at < $as_of::TIMESTAMP
      AND wf_in($regions, c.region)
      AND wf_in($verticals, q.vertical)
      AND wf_in($priorities, c.priority)
      AND wf_in($vendors, c.vendor_id)
),
counts AS (
    SELECT
        category,
        count(*) FILTER (WHERE created_at >= $as_of::TIMESTAMP - INTERVAL 24 HOUR) AS current_cases,
        count(*) FILTER (WHERE created_at < $as_of::TIMESTAMP - INTERVAL 168 HOUR) AS previous_cases
    FROM scoped
    GROUP BY category
)
SELECT
    category,
    current_cases,
    previous_cases,
    current_cases - previous_cases AS change,
    CASE WHEN previous_cases > 0 THEN current_cases / previous_cases - 1 END AS change_share,
    (current_cases - previous_cases) / sqrt(previous_cases + 1) AS score
FROM counts
WHERE current_cases > previous_cases
ORDER BY score DESC, category
LIMIT $top_n
