-- Reviewer sessions (docs/metrics.md, "Vendor scorecards"; the same rules in Python:
-- watchfloor/vendors.py, handlings). A session runs from an 'assigned' event to the case's next
-- 'pending_info', 'escalated', 'decided', 'routed', 'resolved' or 'assigned' event, or to the end
-- of the period if there is none before it (still in hand). A handling is one reviewer's sessions
-- on one case between two outcomes ('decided', 'escalated'): `handling` counts the case's outcomes
-- before the session, so (case_id, reviewer_id, handling) names it. Both macros give, for the
-- sessions that start in [period_from - 1 day, period_to) (a session is never held a day):
--   case_id, reviewer_id (the event's actor), queue_id (the event's queue), handling,
--   alone (no other session of the case shares the handling: the query need not group it),
--   started_at, ended_at (cut at period_to), outcome (the outcome that ended it before period_to).
-- `handling` counts from a different start in the two forms (the window's first event here, the
-- case's first event in the summary) and `alone` may differ for a handling across the window's
-- start; the handlings they name are the same.

-- reviewer_sessions: replayed from the raw events in the window (the definition; the tests and the
-- benchmark compare summary_reviewer_sessions with it).
CREATE OR REPLACE TEMP MACRO reviewer_sessions(period_from, period_to) AS TABLE
WITH ev AS (
    SELECT e.case_id, e.event_id, e.occurred_at, e.event_type, e.actor_id, e.queue_id
    FROM case_events e
    WHERE e.event_type IN ('assigned', 'pending_info', 'escalated', 'decided', 'routed', 'resolved')
      AND e.occurred_at >= period_from - INTERVAL 1 DAY
      AND e.occurred_at < period_to
),
steps AS (
    SELECT
        ev.*,
        lead(ev.occurred_at) OVER w AS next_at,
        lead(ev.event_type) OVER w AS next_type,
        count(*) FILTER (WHERE ev.event_type IN ('decided', 'escalated'))
            OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS outcomes_before,
        count(*) FILTER (WHERE ev.event_type = 'assigned') OVER (PARTITION BY ev.case_id) AS sessions_on_case
    FROM ev
    WINDOW w AS (PARTITION BY ev.case_id ORDER BY ev.occurred_at, ev.event_id)
)
SELECT
    s.case_id,
    s.actor_id AS reviewer_id,
    s.queue_id,
    s.outcomes_before AS handling,
    s.sessions_on_case = 1 AS alone,
    s.occurred_at AS started_at,
    coalesce(s.next_at, period_to) AS ended_at,
    CASE WHEN s.next_type IN ('decided', 'escalated') THEN s.next_type END AS outcome
FROM steps s
WHERE s.event_type = 'assigned';

-- summary_reviewer_sessions: the same sessions read from summary_review_sessions (built by
-- watchfloor/summaries.py), an end at or after period_to read as none yet. Events newer than the
-- summaries' high-water mark are not seen until the summaries are refreshed.
CREATE OR REPLACE TEMP MACRO summary_reviewer_sessions(period_from, period_to) AS TABLE
SELECT
    s.case_id,
    s.reviewer_id,
    s.queue_id,
    s.handling,
    s.handling_sessions = 1 AS alone,
    s.started_at,
    CASE WHEN s.ended_at < period_to THEN s.ended_at ELSE period_to END AS ended_at,
    CASE WHEN s.ended_at < period_to AND s.end_type IN ('decided', 'escalated') THEN s.end_type END AS outcome
FROM summary_review_sessions s
WHERE s.started_at >= period_from - INTERVAL 1 DAY
  AND s.started_at < period_to;

-- Finished handlings whose outcome lies in [period_from, period_to), from the sessions the two
-- macros above give (sessions from a day before period_from; a handling begun earlier counts only
-- those). One row per handling and queue its sessions ran in (the filters apply to that queue):
--   case_id, reviewer_id, handling, queue_id,
--   whole (the handling's only row: the reader need not group it), completed_at (its outcome),
--   handle_seconds (of its sessions in that queue), outcome (on the row holding the session it ended).
-- `whole` may differ between the two forms for a handling across the window's start; the
-- handlings they give, grouped, are the same.

-- period_handlings: from the replayed sessions (the definition).
CREATE OR REPLACE TEMP MACRO period_handlings(period_from, period_to) AS TABLE
SELECT case_id, reviewer_id, handling, queue_id, whole, completed_at, handle_seconds, outcome
FROM (
    SELECT
        case_id, reviewer_id, handling, queue_id,
        count(*) OVER h = 1 AS whole,
        max(max(CASE WHEN outcome IS NOT NULL THEN ended_at END)) OVER h AS completed_at,
        sum(epoch(ended_at) - epoch(started_at)) AS handle_seconds,
        max(outcome) AS outcome
    FROM reviewer_sessions(period_from, period_to)
    GROUP BY case_id, reviewer_id, handling, queue_id
    WINDOW h AS (PARTITION BY case_id, reviewer_id, handling)
)
WHERE completed_at >= period_from;

-- summary_period_handlings: read from summary_handlings (built by watchfloor/summaries.py). The few
-- handlings begun more than a day before period_from are summed from their sessions since then,
-- as the replay sees them.
CREATE OR REPLACE TEMP MACRO summary_period_handlings(period_from, period_to) AS TABLE
SELECT case_id, reviewer_id, handling, queue_id, pieces = 1 AS whole, completed_at, handle_seconds, outcome
FROM summary_handlings
WHERE completed_at >= period_from
  AND completed_at < period_to
  AND first_started_at >= period_from - INTERVAL 1 DAY
UNION ALL
SELECT s.case_id, s.reviewer_id, s.handling, s.queue_id, false AS whole, max(h.completed_at) AS completed_at,
       sum(epoch(s.ended_at) - epoch(s.started_at)) AS handle_seconds, max(s.outcome) AS outcome
FROM summary_reviewer_sessions(period_from, period_to) s
JOIN (
    SELECT DISTINCT case_id, reviewer_id, handling, completed_at
    FROM summary_handlings
    WHERE completed_at >= period_from
      AND completed_at < period_to
      AND first_started_at < period_from - INTERVAL 1 DAY
) h ON h.case_id = s.case_id AND h.reviewer_id = s.reviewer_id AND h.handling = s.handling
WHERE NOT s.alone
GROUP BY s.case_id, s.reviewer_id, s.handling, s.queue_id;
