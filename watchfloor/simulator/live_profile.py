"""The warehouse's own pace, which the live feed keeps to: read once, when the feed starts, from
the last week the warehouse holds (of the day, when it holds less than a week)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass
class Profile:
    """The warehouse's own pace, read once at start."""
    period: timedelta
    hourly: dict[int, int]               # hour of the week (or day) -> cases created in it
    templates: list[dict]                # recent cases to copy attributes from
    outcomes: dict[str, list[tuple]]     # category -> [(decision, enforcement_action)]
    handle_seconds: float
    pending_seconds: float
    p_escalate: float
    p_pending: float
    incidents_per_second: float
    severities: list[str]
    escalation_target: dict[str, str]    # queue -> the queue an escalation sends it to
    team_of: dict[str, str]              # queue -> staffing pool
    vendor_of: dict[str, str]            # reviewer -> vendor


def rows_of(con, sql: str, params: dict | None = None) -> list[dict]:
    return con.sql(sql, params=params).pl().to_dicts()


def read_profile(con, newest: datetime) -> Profile:
    span = con.sql("SELECT min(created_at), max(created_at) FROM cases").fetchall()[0]
    period = timedelta(days=7) if span[0] is not None and span[1] - span[0] >= timedelta(days=7) else timedelta(days=1)
    since = newest - period
    # Cases per hour of the week (or of the day) over the last period the warehouse holds.
    slot = "isodow(created_at) * 24 + hour(created_at)" if period.days == 7 else "hour(created_at)"
    hourly = {r["slot"]: r["n"] for r in rows_of(con, f"""
        SELECT {slot} AS slot, count(*) AS n FROM cases
        WHERE created_at >= $since AND created_at < $newest GROUP BY 1""", {"since": since, "newest": newest})}
    templates = rows_of(con, """
        SELECT source, surface, category, subcategory, priority, region, language, queue_id, account_id, org_id,
               classifier_name, classifier_score, content_excerpt, automated, decision, enforcement_action
        FROM cases WHERE created_at >= $since AND NOT escalated
        USING SAMPLE reservoir(5000 ROWS) REPEATABLE (7)""", {"since": since})
    if not templates:
        templates = rows_of(con, """
            SELECT source, surface, category, subcategory, priority, region, language, queue_id, account_id, org_id,
                   classifier_name, classifier_score, content_excerpt, automated, decision, enforcement_action
            FROM cases USING SAMPLE reservoir(5000 ROWS) REPEATABLE (7)""")
    outcomes: dict[str, list[tuple]] = defaultdict(list)
    for t in templates:
        if t["decision"] is not None and not t["automated"]:
            outcomes[t["category"]].append((t["decision"], t["enforcement_action"]))
    stats = con.sql("""
        WITH ev AS (
            SELECT case_id, event_type, occurred_at, actor_id,
                   lag(occurred_at) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS prev_at,
                   lag(event_type) OVER (PARTITION BY case_id ORDER BY occurred_at, event_id) AS prev_type
            FROM case_events WHERE occurred_at >= $since)
        SELECT
            avg(epoch(occurred_at) - epoch(prev_at)) FILTER (WHERE event_type = 'first_action' AND prev_type = 'assigned'),
            avg(epoch(occurred_at) - epoch(prev_at)) FILTER (WHERE event_type = 'info_received' AND prev_type = 'pending_info'),
            count(*) FILTER (WHERE event_type = 'escalated'),
            count(*) FILTER (WHERE event_type = 'pending_info'),
            count(*) FILTER (WHERE event_type = 'decided' AND actor_id NOT LIKE 'auto:%')
        FROM ev""", params={"since": since}).fetchall()[0]
    handle, pending, n_esc, n_pend, n_dec = stats
    actions = (n_esc or 0) + (n_pend or 0) + (n_dec or 0)
    inc = con.sql("SELECT count(*), min(started_at), max(started_at) FROM incidents").fetchall()[0]
    days = max(1.0, (newest - inc[1]).total_seconds() / 86400) if inc[1] else 1.0
    severities = [r[0] for r in con.sql("SELECT severity FROM incidents").fetchall()] or ["SEV2", "SEV3"]
    queues = rows_of(con, """SELECT q.queue_id, q.vertical, q.region, q.tier, q.sla_policy_id, q.team FROM queues q""")
    target: dict[str, str] = {}
    nxt = {"L1": "L2", "L2": "SME"}
    for q in queues:
        if q["tier"] not in nxt:
            continue
        same = [r for r in queues if r["tier"] == nxt[q["tier"]] and r["vertical"] == q["vertical"]
                and r["sla_policy_id"] == q["sla_policy_id"]]
        local = [r for r in same if r["region"] == q["region"]] or same
        if local:
            target[q["queue_id"]] = sorted(r["queue_id"] for r in local)[0]
    return Profile(
        period=period,
        hourly=hourly,
        templates=templates,
        outcomes=dict(outcomes),
        handle_seconds=float(handle or 600.0),
        pending_seconds=float(pending or 3600.0),
        p_escalate=(n_esc or 0) / actions if actions else 0.05,
        p_pending=(n_pend or 0) / actions if actions else 0.03,
        incidents_per_second=(inc[0] or 0) / (days * 86400) if inc[0] else 1 / (3 * 86400),
        severities=severities,
        escalation_target=target,
        team_of={q["queue_id"]: q["team"] or q["queue_id"] for q in queues},
        vendor_of={r[0]: r[1] for r in con.sql("SELECT reviewer_id, vendor_id FROM reviewers").fetchall()},
    )

