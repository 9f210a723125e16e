-- Every page: the newest event in the warehouse, to tell how far behind now the data is.
SELECT
    (SELECT max(occurred_at) FROM case_events) AS newest_event_at,
    (SELECT max(created_at) FROM cases) AS newest_case_at,
    (SELECT count(*) FROM cases) AS cases
