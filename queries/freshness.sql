-- Every page: the newest event in the warehouse, to tell how far behind now the data is, and the
-- newest event the summaries have taken in (NULL: never built), to tell whether they lag it.
SELECT
    (SELECT max(occurred_at) FROM case_events) AS newest_event_at,
    (SELECT max(created_at) FROM cases) AS newest_case_at,
    (SELECT count(*) FROM cases) AS cases,
    (SELECT max(high_water_mark) FROM summary_state) AS summaries_through,
    (SELECT count(*) FROM summary_state) > 0 AS summaries_built
