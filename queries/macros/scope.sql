-- wf_in_scope(id): whether a summary build (watchfloor/summary_sql) takes the case `id`: it is one of
-- the cases of the temp table summary_scope. Used by the builds that also bound their rows by the
-- creation range of the scope; a batch of a full rebuild, whose scope is exactly the cases of its
-- creation range, redefines it as true on its connection (watchfloor/summaries.py), so that those
-- builds skip the semi-join with the million case ids of the batch.
CREATE OR REPLACE TEMP MACRO wf_in_scope(id) AS (id IN (SELECT case_id FROM summary_scope));
