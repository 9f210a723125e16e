-- Case page: other cases (created by $as_of) of the same account, and of the same organisation
-- from other accounts. relation: 'account' or 'organisation'. account_total / org_total count
-- all of them; the rows are the newest $row_limit, the account's first.
WITH this AS (
    SELECT account_id, org_id FROM cases WHERE case_id = $case_id
),
related AS (
    SELECT
        c.case_id, c.created_at, c.category, c.priority, c.status, c.decision, c.enforcement_action,
        c.account_id, c.org_id,
        CASE WHEN c.account_id = t.account_id THEN 'account' ELSE 'organisation' END AS relation
    FROM cases c, this t
    WHERE c.case_id <> $case_id
      AND c.created_at <= $as_of::TIMESTAMP
      AND (c.account_id = t.account_id OR c.org_id = t.org_id)
)
SELECT
    *,
    count(*) FILTER (WHERE relation = 'account') OVER () AS account_total,
    count(*) FILTER (WHERE relation = 'organisation') OVER () AS org_total
FROM related
ORDER BY relation = 'account' DESC, created_at DESC, case_id
LIMIT $row_limit
