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
