-- The shared sidebar filters. An empty list means "all".
CREATE OR REPLACE TEMP MACRO wf_in(selected, value) AS (len(selected) = 0 OR list_contains(selected, value));
