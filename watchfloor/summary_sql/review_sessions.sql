-- summary_review_sessions for the cases in the temp table summary_scope: every reviewer session of
-- the case (an 'assigned' event to the case's next session end), over all of its events, with the
-- handling it belongs to. queries/macros/sessions.sql defines the session (reviewer_sessions, which
-- replays the raw events of a window) and reads these rows (summary_reviewer_sessions): a session's
-- end and its handling do not depend on the instant they are read at, except that an end at or
-- after that instant is not there yet, which the reader takes care of. Only cases in `cases`
-- count (the contract's events all have one), so a full rebuild and a rebuild of a deleted case agree.
INSERT INTO summary_review_sessions
WITH ev AS (
    SELECT e.case_id, e.event_id, e.occurred_at, e.event_type, e.actor_id, e.queue_id
    FROM case_events e
    -- the cases of the scope (one row each), read within its creation range (a batch of a full build
    -- reads its own); a join, not an IN list, so that a server binds the range inside it too. The
    -- list is tested here even for a whole range (not wf_in_scope): without it DuckDB builds the join
    -- on the events instead (a batch at 10M cases: 3.8 s of CPU against 2.9 s)
    JOIN (SELECT case_id FROM cases
          WHERE created_at >= $created_from AND created_at < $created_to
            AND case_id IN (SELECT case_id FROM summary_scope)) c
      ON c.case_id = e.case_id
    WHERE e.event_type IN ('assigned', 'pending_info', 'escalated', 'decided', 'routed', 'resolved')
),
steps AS (
    SELECT
        ev.*,
        lead(ev.occurred_at) OVER w AS next_at,
        lead(ev.event_type) OVER w AS next_type,
        count(*) FILTER (WHERE ev.event_type IN ('decided', 'escalated'))
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS handling
    FROM ev
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.occurred_at, ev.event_id)
),
sessions AS MATERIALIZED (
    SELECT case_id, event_id, actor_id AS reviewer_id, queue_id, occurred_at AS started_at,
           next_at AS ended_at, next_type AS end_type, handling
    FROM steps
    WHERE event_type = 'assigned'
),
-- per handling (case, reviewer, handling) by a GROUP BY joined back rather than a window over the
-- whole partition: the same values, without sorting the sessions by three keys
handlings AS (
    SELECT
        case_id, reviewer_id, handling,
        count(*) AS handling_sessions,
        -- the outcome ends the handling's last session (a later session is in the next handling)
        max(CASE WHEN end_type IN ('decided', 'escalated') THEN end_type END) AS handling_outcome,
        max(CASE WHEN end_type IN ('decided', 'escalated') THEN ended_at END) AS handling_completed_at
    FROM sessions
    GROUP BY case_id, reviewer_id, handling
)
SELECT
    s.case_id, s.event_id, s.reviewer_id, s.queue_id, s.started_at, s.ended_at, s.end_type, s.handling,
    h.handling_sessions, h.handling_outcome, h.handling_completed_at
FROM sessions s
JOIN handlings h
  ON h.case_id = s.case_id AND h.reviewer_id IS NOT DISTINCT FROM s.reviewer_id AND h.handling = s.handling
-- in time order, so that a reader's range on started_at skips the other row groups
ORDER BY s.started_at, s.case_id, s.event_id
