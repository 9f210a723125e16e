-- The case-warehouse contract (DuckDB dialect). Every timestamp is UTC, stored
-- without a time zone. docs/warehouse.md explains each table and column.

CREATE TABLE IF NOT EXISTS watchfloor_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sla_policies (
    sla_policy_id           VARCHAR PRIMARY KEY,
    priority                VARCHAR NOT NULL CHECK (priority IN ('P0', 'P1', 'P2', 'P3')),
    first_action_target_min INTEGER NOT NULL CHECK (first_action_target_min > 0),
    resolution_target_min   INTEGER NOT NULL CHECK (resolution_target_min > 0),
    calendar                VARCHAR NOT NULL CHECK (calendar IN ('24x7', 'business')),
    pause_on_pending        BOOLEAN NOT NULL,
    business_start_hour     INTEGER NOT NULL DEFAULT 9,
    business_end_hour       INTEGER NOT NULL DEFAULT 17,
    name                    VARCHAR
);

CREATE TABLE IF NOT EXISTS queues (
    queue_id      VARCHAR PRIMARY KEY,
    name          VARCHAR NOT NULL,
    vertical      VARCHAR NOT NULL,
    region        VARCHAR NOT NULL CHECK (region IN ('AMER', 'EMEA', 'APAC')),
    tier          VARCHAR NOT NULL CHECK (tier IN ('L1', 'L2', 'SME')),
    sla_policy_id VARCHAR NOT NULL,
    timezone      VARCHAR NOT NULL,
    language      VARCHAR,
    team          VARCHAR
);

CREATE TABLE IF NOT EXISTS vendors (
    vendor_id                  VARCHAR PRIMARY KEY,
    name                       VARCHAR NOT NULL,
    kind                       VARCHAR NOT NULL CHECK (kind IN ('internal', 'bpo')),
    cost_per_hour_usd          DOUBLE NOT NULL,
    target_throughput_per_hour DOUBLE,
    target_accuracy            DOUBLE,
    target_sla_adherence       DOUBLE,
    target_aht_seconds         DOUBLE,
    target_occupancy           DOUBLE,
    target_overturn_rate       DOUBLE,
    contracted_hours_per_week  DOUBLE
);

CREATE TABLE IF NOT EXISTS reviewers (
    reviewer_id VARCHAR PRIMARY KEY,
    vendor_id   VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    languages   VARCHAR[] NOT NULL,
    hired_at    TIMESTAMP NOT NULL,
    active      BOOLEAN NOT NULL,
    site        VARCHAR
);

CREATE TABLE IF NOT EXISTS shifts (
    reviewer_id VARCHAR NOT NULL,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL,
    queue_id    VARCHAR,
    CHECK (ends_at > starts_at)
);

CREATE TABLE IF NOT EXISTS incidents (
    incident_id     VARCHAR PRIMARY KEY,
    title           VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL CHECK (severity IN ('SEV0', 'SEV1', 'SEV2', 'SEV3')),
    category        VARCHAR NOT NULL,
    status          VARCHAR NOT NULL CHECK (status IN ('open', 'acknowledged', 'mitigated', 'resolved')),
    started_at      TIMESTAMP NOT NULL,
    detected_at     TIMESTAMP,
    acknowledged_at TIMESTAMP,
    mitigated_at    TIMESTAMP,
    resolved_at     TIMESTAMP,
    commander       VARCHAR,
    summary         VARCHAR,
    spike_id        VARCHAR
);

CREATE TABLE IF NOT EXISTS incident_events (
    incident_id VARCHAR NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    kind        VARCHAR NOT NULL,
    note        VARCHAR,
    actor       VARCHAR
);

CREATE TABLE IF NOT EXISTS cases (
    case_id            VARCHAR PRIMARY KEY,
    created_at         TIMESTAMP NOT NULL,
    source             VARCHAR NOT NULL CHECK (source IN ('user_report', 'classifier', 'proactive', 'trusted_flagger', 'law_enforcement', 'internal_escalation')),
    surface            VARCHAR NOT NULL,
    category           VARCHAR NOT NULL,
    subcategory        VARCHAR,
    priority           VARCHAR NOT NULL CHECK (priority IN ('P0', 'P1', 'P2', 'P3')),
    region             VARCHAR NOT NULL CHECK (region IN ('AMER', 'EMEA', 'APAC')),
    language           VARCHAR NOT NULL,
    queue_id           VARCHAR NOT NULL,
    status             VARCHAR NOT NULL CHECK (status IN ('new', 'queued', 'in_review', 'pending_info', 'escalated', 'resolved')),
    account_id         VARCHAR,
    org_id             VARCHAR,
    vendor_id          VARCHAR,
    reviewer_id        VARCHAR,
    first_action_at    TIMESTAMP,
    resolved_at        TIMESTAMP,
    decision           VARCHAR CHECK (decision IN ('violating', 'non_violating', 'insufficient_info')),
    enforcement_action VARCHAR CHECK (enforcement_action IN ('none', 'warning', 'content_removed', 'feature_restricted', 'account_suspended', 'account_banned', 'reported_to_authorities')),
    escalated          BOOLEAN NOT NULL DEFAULT false,
    incident_id        VARCHAR,
    classifier_name    VARCHAR,
    classifier_score   DOUBLE,
    content_excerpt    VARCHAR,
    updated_at         TIMESTAMP NOT NULL,
    automated          BOOLEAN NOT NULL DEFAULT false
);

CREATE TABLE IF NOT EXISTS case_events (
    event_id    BIGINT PRIMARY KEY,
    case_id     VARCHAR NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    event_type  VARCHAR NOT NULL CHECK (event_type IN ('created', 'routed', 'assigned', 'first_action', 'pending_info', 'info_received', 'escalated', 'decided', 'enforced', 'reopened', 'resolved')),
    actor_id    VARCHAR,
    queue_id    VARCHAR,
    detail      VARCHAR
);

CREATE TABLE IF NOT EXISTS qa_reviews (
    qa_id             VARCHAR PRIMARY KEY,
    case_id           VARCHAR NOT NULL,
    reviewer_id       VARCHAR NOT NULL,
    qa_reviewer_id    VARCHAR NOT NULL,
    reviewed_at       TIMESTAMP NOT NULL,
    original_decision VARCHAR NOT NULL,
    qa_decision       VARCHAR NOT NULL,
    is_golden         BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS appeals (
    appeal_id   VARCHAR PRIMARY KEY,
    case_id     VARCHAR NOT NULL,
    filed_at    TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    outcome     VARCHAR NOT NULL CHECK (outcome IN ('upheld', 'overturned', 'pending'))
);

CREATE TABLE IF NOT EXISTS sim_spikes (
    spike_id    VARCHAR PRIMARY KEY,
    category    VARCHAR NOT NULL,
    surface     VARCHAR,
    region      VARCHAR,
    starts_at   TIMESTAMP NOT NULL,
    ends_at     TIMESTAMP NOT NULL,
    multiplier  DOUBLE NOT NULL,
    incident_id VARCHAR
);

-- Summaries: derived from the tables above by watchfloor/summaries.py (docs/warehouse.md,
-- "Summaries"), never written by hand. Rebuilt whole or per touched case; safe to drop and rebuild.
CREATE TABLE IF NOT EXISTS summary_state (
    summary         VARCHAR PRIMARY KEY,
    version         INTEGER NOT NULL,      -- the summaries' layout; a refresh rebuilds an older one
    high_water_mark TIMESTAMP,             -- newest case event the summary has taken in
    refreshed_at    TIMESTAMP NOT NULL,    -- wall time (UTC) of the last refresh
    generation      BIGINT NOT NULL        -- bumped by every refresh: a cache key for derived results
);

-- Per case: the SLA clocks' fixed parts (docs/metrics.md, "SLA clocks"), in the calendar position
-- of the case's policy (24x7: epoch seconds; business: working seconds since Monday 1970-01-05).
CREATE TABLE IF NOT EXISTS summary_sla_cases (
    case_id     VARCHAR PRIMARY KEY,
    queue_id    VARCHAR NOT NULL,
    priority    VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    vendor_id   VARCHAR,
    category    VARCHAR NOT NULL,
    reviewer_id VARCHAR,              -- the case's reviewer (who decided it)
    created_at  TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP,
    biz         BOOLEAN NOT NULL,     -- business-hours calendar
    fa_target   DOUBLE NOT NULL,      -- seconds
    res_target  DOUBLE NOT NULL,
    p_created   DOUBLE NOT NULL,      -- calendar position of created_at
    fa_stop     TIMESTAMP,            -- where the first-action clock stops (NULL: not yet)
    p_fa_stop   DOUBLE,
    res_stop    TIMESTAMP,            -- the final resolution, not before created_at
    p_res_stop  DOUBLE,
    fa_due_unpaused     TIMESTAMP,            -- target reached with no pause
    res_due_unpaused    TIMESTAMP
);

-- Per pause/reopen event of a case (and per resolution of a reopened case): the clock state from
-- it to the next one, with the paused time summed over the events before it, so that a clock as
-- of any instant needs only its case's last event before that instant.
CREATE TABLE IF NOT EXISTS summary_sla_stretches (
    case_id           VARCHAR NOT NULL,
    event_id          BIGINT NOT NULL,
    t                 TIMESTAMP NOT NULL,   -- the event's time
    t_next            TIMESTAMP,            -- the next such event of the case (NULL: none yet)
    state             VARCHAR NOT NULL,     -- running | paused | stopped, from t to t_next
    p_t               DOUBLE NOT NULL,
    stop_start        TIMESTAMP,            -- start of the stop this event is in (state stopped)
    p_stop_start      DOUBLE,
    fa_paused_before  DOUBLE NOT NULL,      -- not-counting seconds before t
    fa_ext_before     DOUBLE NOT NULL,      -- the part of it that pushed the deadline out
    fa_counted        DOUBLE NOT NULL,      -- counted seconds at t
    res_paused_before DOUBLE NOT NULL,
    res_ext_before    DOUBLE NOT NULL,
    res_counted       DOUBLE NOT NULL,
    run_paused_before DOUBLE,               -- res_paused_before at the start of this stop
    run_ext_before    DOUBLE
);

-- Per case and clock that has reached its final stop (summary_sla_cases' fa_stop / res_stop): the
-- clock as sla_clocks gives it as of any instant at or after that stop, which no later instant
-- changes, with the breach causes of a breached one (docs/metrics.md, "Breach causes").
CREATE TABLE IF NOT EXISTS summary_sla_stopped (
    case_id         VARCHAR NOT NULL,
    clock           VARCHAR NOT NULL,     -- first_action | resolution
    queue_id        VARCHAR NOT NULL,
    priority        VARCHAR NOT NULL,
    region          VARCHAR NOT NULL,
    vendor_id       VARCHAR,
    category        VARCHAR NOT NULL,
    reviewer_id     VARCHAR,
    created_at      TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    target_seconds  DOUBLE NOT NULL,
    elapsed_seconds DOUBLE NOT NULL,
    paused_seconds  DOUBLE NOT NULL,
    stopped_at      TIMESTAMP NOT NULL,
    due_at          TIMESTAMP,            -- the breach instant when breached, else NULL
    breach_at       TIMESTAMP,
    used_share      DOUBLE NOT NULL,
    breached        BOOLEAN NOT NULL,
    state           VARCHAR NOT NULL,     -- met | breached
    queue_s         DOUBLE,               -- breach causes: breached clocks only
    review_s        DOUBLE,
    pending_s       DOUBLE,
    escalation_s    DOUBLE,
    closed_s        DOUBLE
);

-- Per UTC hour of created_at and combination of the case fields the counting queries filter and
-- break down by: the number of cases, those with an account, and their cases in each ten minutes
-- (slot_0: minutes 0-9 of the hour, ... slot_5: minutes 50-59). Rebuilt whole hours at a time.
CREATE TABLE IF NOT EXISTS summary_hourly_cases (
    hour         TIMESTAMP NOT NULL,    -- date_trunc('hour', created_at)
    category     VARCHAR NOT NULL,
    surface      VARCHAR NOT NULL,
    region       VARCHAR NOT NULL,
    language     VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    queue_id     VARCHAR NOT NULL,
    priority     VARCHAR NOT NULL,
    vendor_id    VARCHAR,
    cases        BIGINT NOT NULL,
    with_account BIGINT NOT NULL,       -- cases with an account_id
    slot_0       BIGINT NOT NULL,
    slot_1       BIGINT NOT NULL,
    slot_2       BIGINT NOT NULL,
    slot_3       BIGINT NOT NULL,
    slot_4       BIGINT NOT NULL,
    slot_5       BIGINT NOT NULL
);

-- The accounts with more than one case in an hour and (category, surface, region) cell, split by
-- the filter fields: with summary_hourly_cases.with_account they give the cell's busiest account
-- within any filter (every other account of the cell has one case there).
CREATE TABLE IF NOT EXISTS summary_hourly_accounts (
    hour       TIMESTAMP NOT NULL,
    category   VARCHAR NOT NULL,
    surface    VARCHAR NOT NULL,
    region     VARCHAR NOT NULL,
    queue_id   VARCHAR NOT NULL,
    priority   VARCHAR NOT NULL,
    vendor_id  VARCHAR,
    account_id VARCHAR NOT NULL,
    cases      BIGINT NOT NULL
);

-- Per reviewer session (an 'assigned' event) of a case, over all of the case's events: from the
-- assignment to the case's next pending_info, escalated, decided, routed, resolved or assigned
-- event (docs/metrics.md, "Vendor scorecards"), and the handling it belongs to.
CREATE TABLE IF NOT EXISTS summary_review_sessions (
    case_id               VARCHAR NOT NULL,
    event_id              BIGINT NOT NULL,      -- the 'assigned' event
    reviewer_id           VARCHAR,              -- its actor
    queue_id              VARCHAR,              -- its queue
    started_at            TIMESTAMP NOT NULL,
    ended_at              TIMESTAMP,            -- the case's next event ending it (NULL: none yet)
    end_type              VARCHAR,              -- that event's type
    handling              BIGINT NOT NULL,      -- the case's outcomes before it: with case and reviewer, its handling
    handling_sessions     BIGINT NOT NULL,      -- the sessions of that handling
    handling_outcome      VARCHAR,              -- decided | escalated: how the handling completed (NULL: not yet)
    handling_completed_at TIMESTAMP             -- when
);

-- Per finished handling (one reviewer's sessions on a case up to its outcome, docs/metrics.md,
-- "Vendor scorecards") and queue its sessions ran in, from summary_review_sessions: what the
-- Vendors page's work figures and handle-time quantiles aggregate, one narrow row per handling
-- (a handling whose sessions ran in several queues has a row per queue).
CREATE TABLE IF NOT EXISTS summary_handlings (
    case_id          VARCHAR NOT NULL,
    reviewer_id      VARCHAR,
    handling         BIGINT NOT NULL,      -- as in summary_review_sessions
    queue_id         VARCHAR,
    pieces           BIGINT NOT NULL,      -- rows of the handling (1: it ran in one queue)
    first_started_at TIMESTAMP NOT NULL,   -- the handling's first session's start
    completed_at     TIMESTAMP NOT NULL,   -- its outcome
    handle_seconds   DOUBLE NOT NULL,      -- the seconds of its sessions in this queue
    outcome          VARCHAR               -- decided | escalated on the row whose sessions include the outcome
);

-- Per step of a case through the Automation page's stages (docs/metrics.md, "Automation &
-- routing"): its creation and each routing event, over all of the case's events, with the stage
-- it starts and what the page counts from it; to the case's next step.
CREATE TABLE IF NOT EXISTS summary_case_stages (
    case_id     VARCHAR NOT NULL,
    event_id    BIGINT NOT NULL,      -- -1: the creation
    event_type  VARCHAR NOT NULL,     -- 'created' or the event's type
    queue_id    VARCHAR,              -- the event's queue
    tier        VARCHAR,              -- that queue's tier
    tier_before VARCHAR,              -- the tier of the last earlier step naming a known queue
    nth_routed  BIGINT NOT NULL,      -- 'routed' steps so far, this one included
    stage       VARCHAR NOT NULL,     -- waiting | review | pending | escalated | rerouted | closed
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,            -- the next step (NULL: none yet)
    first_queue_id   VARCHAR,         -- the case's path so far: its first 'routed' step's queue,
    reroutes         BIGINT NOT NULL, -- re-routes, returns and escalations up to this step,
    returns          BIGINT NOT NULL,
    escalations      BIGINT NOT NULL,
    waiting_before   DOUBLE NOT NULL, -- and seconds per stage over the steps before it
    review_before    DOUBLE NOT NULL,
    pending_before   DOUBLE NOT NULL,
    escalated_before DOUBLE NOT NULL,
    rerouted_before  DOUBLE NOT NULL,
    created_at  TIMESTAMP NOT NULL,   -- the case's, to select cases without a join
    resolved_at TIMESTAMP
);

-- Per case, UTC day and stage: the pieces of its steps with a next step, cut at midnights, and its
-- step still open (if any) on the day it began, with the case's filter columns and dates.
CREATE TABLE IF NOT EXISTS summary_stage_days (
    case_id     VARCHAR NOT NULL,
    day         TIMESTAMP NOT NULL,   -- UTC midnight
    stage       VARCHAR NOT NULL,     -- waiting | review | pending | escalated | rerouted
    started_at  TIMESTAMP NOT NULL,   -- the piece's start: its step's, or the day's midnight
    ended_at    TIMESTAMP,            -- its end: its step's, or the next midnight (NULL: the step is open)
    stage_us    BIGINT,               -- microseconds from start to end (> 0; NULL when open)
    shares_day  BOOLEAN,              -- open row: the case has a piece with an end that day in that stage
    queue_id    VARCHAR,              -- the case's current queue, priority, region and vendor
    priority    VARCHAR,
    region      VARCHAR,
    vendor_id   VARCHAR,
    created_at  TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);

-- summary_stage_days' timed rows summed per day, stage and the filter columns: what
-- routing_stage_hours reads for the whole days of a range. Rebuilt per day, like the hourly counts.
CREATE TABLE IF NOT EXISTS summary_stage_day_totals (
    day         TIMESTAMP NOT NULL,
    stage       VARCHAR NOT NULL,
    queue_id    VARCHAR,
    priority    VARCHAR,
    region      VARCHAR,
    vendor_id   VARCHAR,
    early_resolved_at TIMESTAMP,      -- the cases' resolved_at when before the day (else NULL)
    stage_us    BIGINT NOT NULL,
    cases       BIGINT NOT NULL       -- distinct cases (one with two pieces in a day counts once)
);

-- The spike record's cells over every case (queries/watched_series.sql without filters), per UTC hour
-- of created_at: the hourly counts summed over every field but category, surface and region.
CREATE TABLE IF NOT EXISTS summary_watched_cells (
    hour        TIMESTAMP NOT NULL,
    category    VARCHAR NOT NULL,
    surface     VARCHAR NOT NULL,     -- '(none)' for a case without one
    region      VARCHAR NOT NULL,     -- '(none)' for a case without one
    cases       BIGINT NOT NULL,
    top_account BIGINT NOT NULL,      -- the cell-hour's busiest account's cases (1: none repeats; 0: no account)
    slot_0      BIGINT NOT NULL,
    slot_1      BIGINT NOT NULL,
    slot_2      BIGINT NOT NULL,
    slot_3      BIGINT NOT NULL,
    slot_4      BIGINT NOT NULL,
    slot_5      BIGINT NOT NULL
);

-- The spike record kept by the writers (watchfloor/spike_record_summary.py): the unfiltered
-- record at the default sensitivity for the hours a dashboard is about to ask for, with a key of
-- the watched series it was judged on. A page whose series have that key reads it instead of
-- judging them again; any other page judges its own.
CREATE TABLE IF NOT EXISTS summary_spike_records (
    hour        TIMESTAMP NOT NULL,   -- the record's hour: it judges the complete hours before it
    sensitivity VARCHAR NOT NULL,
    series_key  VARCHAR NOT NULL,     -- what the watched series held (spike_record.series_key)
    first_hour  TIMESTAMP,            -- the judged grid (both NULL: nothing judged)
    last_hour   TIMESTAMP,
    PRIMARY KEY (hour, sensitivity)
);

-- The spikes of each kept record (spike_record.RECORD_SCHEMA; its `end` is end_hour here).
CREATE TABLE IF NOT EXISTS summary_spikes (
    hour          TIMESTAMP NOT NULL,
    sensitivity   VARCHAR NOT NULL,
    spike_id      VARCHAR NOT NULL,
    category      VARCHAR NOT NULL,
    surface       VARCHAR,
    region        VARCHAR,
    level         VARCHAR,
    label         VARCHAR,
    onset         TIMESTAMP,
    detected_at   TIMESTAMP,
    peak          TIMESTAMP,
    end_hour      TIMESTAMP,
    until         TIMESTAMP,
    hours         BIGINT,
    observed      DOUBLE,
    expected      DOUBLE,
    excess        DOUBLE,
    multiplier    DOUBLE,
    peak_observed DOUBLE,
    peak_expected DOUBLE,
    score         DOUBLE,
    severity      VARCHAR,
    ongoing       BOOLEAN,
    state         VARCHAR,
    kind          VARCHAR,
    burst_cases   DOUBLE
);

-- The met SLA clocks at their final stop (summary_sla_stopped) counted per UTC hour of the stop and
-- the filter columns: what sla_period_clocks reads for the whole hours of a period. Rebuilt per hour.
CREATE TABLE IF NOT EXISTS summary_sla_met_hours (
    hour        TIMESTAMP NOT NULL,
    clock       VARCHAR NOT NULL,
    queue_id    VARCHAR NOT NULL,
    priority    VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    vendor_id   VARCHAR,
    early_resolved_at TIMESTAMP,      -- the case's resolved_at when before the hour (else NULL)
    clocks      BIGINT NOT NULL
);

-- Per case: what the Automation page's figures read of it (routing_figures), from its last step in
-- summary_case_stages (its path and stage seconds once no step follows) and its SLA clocks'
-- final stops in summary_sla_stopped, with the case's columns the figures and filters use. Exact
-- as of any instant after its last step began; a clock not at its final stop by then is read as
-- the open clocks are (queries/macros/sla.sql).
CREATE TABLE IF NOT EXISTS summary_case_routes (
    case_id            VARCHAR NOT NULL,
    created_at         TIMESTAMP NOT NULL,
    first_action_at    TIMESTAMP,
    resolved_at        TIMESTAMP,
    queue_id           VARCHAR NOT NULL,     -- the case's current queue, priority, region and vendor
    priority           VARCHAR NOT NULL,
    region             VARCHAR NOT NULL,
    vendor_id          VARCHAR,
    source_no          INTEGER NOT NULL,     -- the case's source, category and classifier as their
    category_no        INTEGER NOT NULL,     -- codes in summary_names (the figures group on these)
    automated          BOOLEAN NOT NULL,
    classifier_no      INTEGER,
    classifier_score   DOUBLE,
    outcome_no         INTEGER,              -- the outcome once resolved_at is reached: the code of
                                             -- 'violating:<enforcement>' or 'decision:<decision>'
                                             -- (NULL: no decision)
    decision_no        INTEGER,              -- 1 violating, 2 non_violating, NULL any other or none
    last_stage         VARCHAR NOT NULL,     -- the case's last step: its stage and start
    last_started_at    TIMESTAMP NOT NULL,
    first_queue_id     VARCHAR,              -- the case's path up to and including that step
    reroutes           BIGINT NOT NULL,
    returns            BIGINT NOT NULL,
    escalations        BIGINT NOT NULL,
    waiting_s          DOUBLE NOT NULL,      -- seconds per stage over the steps before it
    review_s           DOUBLE NOT NULL,
    pending_s          DOUBLE NOT NULL,
    escalated_s        DOUBLE NOT NULL,
    rerouted_s         DOUBLE NOT NULL,
    fa_stopped_at      TIMESTAMP,            -- the first-action clock's final stop (NULL: none yet) and
    fa_breached        BOOLEAN,              -- whether it breached by then
    res_stopped_at     TIMESTAMP,            -- the same for the resolution clock
    res_breached       BOOLEAN,
    -- The case's QA reviews (qa_reviews) and decided appeals (appeals: upheld or overturned, with
    -- resolved_at) counted whole, and the instant the last of them was made (NULL: none), so that a
    -- reader as of that instant or later takes the counts and an earlier one counts the raw rows.
    evidence_until     TIMESTAMP,
    qa_checked         INTEGER NOT NULL,     -- QA reviews not golden, and of them qa_decision violating
    qa_violating       INTEGER NOT NULL,
    golden_checked     INTEGER NOT NULL,     -- golden QA reviews, and of them violating
    golden_violating   INTEGER NOT NULL,
    qa_agreed          INTEGER NOT NULL,     -- QA reviews (golden or not) with qa_decision = original_decision
    appeals_decided    INTEGER NOT NULL,
    appeals_overturned INTEGER NOT NULL,
    -- The instant from which nothing the Automation page reads of the case changes as of any later
    -- instant (its last step closed, its clocks stopped, decided, its QA reviews and appeals in), or
    -- NULL when it is not settled: what summary_settled_routes and summary_settled_scores group by.
    settled_at         TIMESTAMP
);

-- The names summary_case_routes stores as integer codes, per kind ('source', 'category',
-- 'classifier', 'outcome'): a name gets the next code of its kind when a refresh first meets it
-- and keeps it (a full rebuild numbers them anew).
CREATE TABLE IF NOT EXISTS summary_names (
    kind VARCHAR NOT NULL,
    code INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    PRIMARY KEY (kind, name)
);

-- Per QA review (qa_reviews), with its case's category and current queue: what vendor_quality
-- counts and filters by, so that it reads no case. Rebuilt with its case.
CREATE TABLE IF NOT EXISTS summary_qa_checks (
    case_id           VARCHAR NOT NULL,
    qa_id             VARCHAR NOT NULL,
    reviewer_id       VARCHAR NOT NULL,     -- the reviewer whose decision was checked
    reviewed_at       TIMESTAMP NOT NULL,
    is_golden         BOOLEAN NOT NULL,
    original_decision VARCHAR NOT NULL,
    qa_decision       VARCHAR NOT NULL,
    category          VARCHAR NOT NULL,     -- the case's category and current queue
    queue_id          VARCHAR NOT NULL
);

-- Per appeal (appeals), with the reviewer who decided its case and the case's current queue: what
-- vendor_outcomes counts and filters by, so that it reads no case. Rebuilt with its case.
CREATE TABLE IF NOT EXISTS summary_appeal_outcomes (
    case_id     VARCHAR NOT NULL,
    appeal_id   VARCHAR NOT NULL,
    resolved_at TIMESTAMP,
    outcome     VARCHAR NOT NULL,
    reviewer_id VARCHAR,                  -- the case's reviewer_id (NULL: none named)
    queue_id    VARCHAR NOT NULL          -- the case's current queue
);

-- The met SLA clocks at their final stop (summary_sla_stopped) of the cases with a vendor, counted
-- per UTC day of the stop, the filter columns and the reviewer who decided the case: what
-- vendor_sla reads for the whole days of a period. Rebuilt per day.
CREATE TABLE IF NOT EXISTS summary_sla_met_reviewer_days (
    day         TIMESTAMP NOT NULL,
    clock       VARCHAR NOT NULL,
    queue_id    VARCHAR NOT NULL,
    priority    VARCHAR NOT NULL,
    region      VARCHAR NOT NULL,
    vendor_id   VARCHAR NOT NULL,
    reviewer_id VARCHAR,                  -- the clock's reviewer_id (NULL: none named)
    early_resolved_at TIMESTAMP,          -- the case's resolved_at when before the day (else NULL)
    clocks      BIGINT NOT NULL
);

-- The settled cases of summary_case_routes (settled_at) counted and summed per UTC day of creation,
-- UTC day they settled, their filter columns, source and category: the Automation page's additive
-- figures (rates, breaches, review time, automation candidates). A reader as
-- of an instant takes the rows settled before that instant's day and reads the other cases one by
-- one. Rebuilt per (creation day, settle day).
CREATE TABLE IF NOT EXISTS summary_settled_routes (
    created_day         TIMESTAMP NOT NULL,
    settled_day         TIMESTAMP NOT NULL,
    queue_id            VARCHAR NOT NULL,
    priority            VARCHAR NOT NULL,
    region              VARCHAR NOT NULL,
    vendor_id           VARCHAR,
    source_no           INTEGER NOT NULL,
    category_no         INTEGER NOT NULL,
    cases               BIGINT NOT NULL,
    automated           BIGINT NOT NULL,
    routed              BIGINT NOT NULL,     -- the rates' path flags (routing_figures)
    rerouted            BIGINT NOT NULL,
    escalated           BIGINT NOT NULL,
    looped              BIGINT NOT NULL,
    breached            BIGINT NOT NULL,
    human_violating     BIGINT NOT NULL,     -- decided by a person, violating or not
    human_non_violating BIGINT NOT NULL,
    breached_waiting_s      DOUBLE NOT NULL,   -- time in each stage of the breached cases
    breached_review_s       DOUBLE NOT NULL,
    breached_pending_s      DOUBLE NOT NULL,
    breached_escalated_s    DOUBLE NOT NULL,
    breached_rerouted_s     DOUBLE NOT NULL,
    human_review_s      DOUBLE NOT NULL,     -- review time of the cases not decided automatically
    qa_checked          BIGINT NOT NULL,     -- QA reviews (golden or not), agreeing; decided appeals, overturned
    qa_agreed           BIGINT NOT NULL,
    appeals_decided     BIGINT NOT NULL,
    appeals_overturned  BIGINT NOT NULL
);

-- The settled cases flagged by a classifier, counted the same way per classifier, category, score
-- bands (the threshold's 0.01 band, the drift's 0.05 band: NULL for no score), and the case's
-- automation, decision, awaiting-first-action and breach: the threshold figures, the lowest score
-- decided automatically and the classifier feedback. Rebuilt per (creation day, settle day).
CREATE TABLE IF NOT EXISTS summary_settled_scores (
    created_day       TIMESTAMP NOT NULL,
    settled_day       TIMESTAMP NOT NULL,
    queue_id          VARCHAR NOT NULL,
    priority          VARCHAR NOT NULL,
    region            VARCHAR NOT NULL,
    vendor_id         VARCHAR,
    classifier_no     INTEGER NOT NULL,
    category_no       INTEGER NOT NULL,
    score_band        DOUBLE NOT NULL,
    drift_band        DOUBLE,
    automated         BOOLEAN NOT NULL,
    decision_no       INTEGER,
    awaiting_first_action BOOLEAN NOT NULL,
    breached          BOOLEAN NOT NULL,
    cases             BIGINT NOT NULL,
    review_s          DOUBLE NOT NULL,      -- their seconds in review, and their lowest score
    lowest_score      DOUBLE,
    qa_checked        BIGINT NOT NULL,
    qa_violating      BIGINT NOT NULL,
    golden_checked    BIGINT NOT NULL,
    golden_violating  BIGINT NOT NULL
);
