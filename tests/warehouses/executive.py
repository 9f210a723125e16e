"""The Executive summary's warehouse (its figures are worked out in
tests/unit/test_executive_queries.py), as of Wednesday 2026-11-18 12:00 UTC; the Incidents page
reads it too."""

from __future__ import annotations

from datetime import date

import polars as pl

from queries import plans
from tests import hand_warehouse as hw
from tests.hand_warehouse import t
from watchfloor import executive as ex
from watchfloor.filters import Filters

AS_OF = hw.AS_OF
H = 3600.0

POLICIES = [
    ("pol_p0", "P0", 30, 240, "24x7", False, "P0 critical"),
    ("pol_p1", "P1", 60, 1440, "24x7", False, "P1 urgent"),
    ("pol_p2", "P2", 480, 4320, "24x7", False, "P2 standard"),
]
QUEUES = [
    ("q_fraud", "Fraud AMER L1", "Fraud & spam", "AMER", "L1", "pol_p2", "America/New_York"),
    ("q_child", "Child safety EMEA L1", "Child safety", "EMEA", "L1", "pol_p1", "Europe/Dublin"),
    ("q_child_l2", "Child safety EMEA L2", "Child safety", "EMEA", "L2", "pol_p1", "Europe/Dublin"),
    ("q_urgent", "Child safety EMEA urgent", "Child safety", "EMEA", "L2", "pol_p0", "Europe/Dublin"),
]
VENDORS = [("v_int", "Internal", "internal", 55.0), ("v_bpo", "Northwind BPO", "bpo", 24.0)]
REVIEWERS = [("r1", "v_int", "AMER"), ("r2", "v_bpo", "EMEA")]

# case, created, source, category, first queue, current queue, priority, region, vendor, first action, resolved,
# decision, action, automated, escalated at, incident
CASES = [
    ("e1", t(12, 10), "user_report", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", "v_int", t(12, 11), t(12, 12),
     "violating", "content_removed", False, None, None),
    ("e2", t(13, 9), "classifier", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", None, t(13, 9, 1), t(13, 9, 1),
     "violating", "account_suspended", True, None, None),
    ("e3", t(14, 8), "trusted_flagger", "child_safety", "q_child", "q_child_l2", "P1", "EMEA", "v_bpo", t(14, 8, 30),
     t(14, 20), "violating", "reported_to_authorities", False, t(14, 8, 30), "INC-1"),
    ("e4", t(15, 10), "user_report", "spam", "q_fraud", "q_fraud", "P2", "AMER", "v_int", t(15, 20), t(15, 20),
     "non_violating", "none", False, t(15, 20), None),
    ("e5", t(16, 6), "proactive", "child_safety", "q_child", "q_urgent", "P0", "EMEA", "v_bpo", t(16, 6, 10), t(16, 8),
     "violating", "account_banned", False, t(16, 6, 10), "INC-1"),
    ("e6", t(17, 10), "user_report", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", None, None, None,
     None, None, False, None, "INC-2"),
    ("e8", t(17, 11), "law_enforcement", "child_safety", "q_child", "q_child", "P1", "EMEA", "v_bpo", t(17, 11, 20),
     t(17, 11, 40), "violating", "reported_to_authorities", False, None, None),
    ("e9", t(11, 12), "user_report", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", None, None, None,
     None, None, False, None, None),
    ("e7", t(10, 20), "user_report", "spam", "q_fraud", "q_fraud", "P2", "AMER", "v_int", t(11, 13), t(11, 13),
     "violating", "warning", False, None, None),
    ("p5", t(4, 12), "user_report", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", "v_int", t(4, 12, 30), t(4, 13),
     "non_violating", "none", False, None, None),
    ("p1", t(5, 10), "user_report", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", "v_int", t(5, 11), t(5, 12),
     "violating", "content_removed", False, None, None),
    ("p2", t(6, 10), "classifier", "spam", "q_fraud", "q_fraud", "P2", "AMER", None, t(6, 10, 1), t(6, 10, 1),
     "violating", "content_removed", True, None, None),
    ("p3", t(7, 10), "user_report", "spam", "q_fraud", "q_fraud", "P2", "AMER", "v_bpo", t(7, 11), t(7, 11),
     "non_violating", "none", False, None, "INC-4"),
    ("p4", t(8, 9), "trusted_flagger", "child_safety", "q_child", "q_child_l2", "P1", "EMEA", "v_bpo", t(8, 10, 30),
     t(9, 12), "violating", "account_banned", False, t(8, 10, 30), None),
    ("p0", t(1, 10), "user_report", "fraud_scams", "q_fraud", "q_fraud", "P2", "AMER", "v_int", t(1, 11), t(1, 12),
     "violating", "content_removed", False, None, None),
]
APPEALS = [
    ("a1", "e1", t(13, 10), t(14, 10), "overturned"),
    ("a2", "p1", t(6, 10), t(12, 10), "upheld"),
    ("a3", "e5", t(17, 9), None, "pending"),
    ("a4", "p2", t(7, 10), t(8, 10), "overturned"),
    ("a5", "p4", t(9, 13), t(10, 10), "upheld"),
    ("a6", "e3", t(15, 10), t(16, 10), "upheld"),
]
# incident, title, severity, category, started, detected, acknowledged, mitigated, resolved, commander, summary
INCIDENTS = [
    ("INC-1", "Child safety wave on image generation", "SEV0", "child_safety", t(16, 5), t(16, 5, 30), t(16, 5, 40),
     t(16, 8), t(16, 14), "a.chen", "Child safety arrivals rose to about 6x. Accounts banned and reported."),
    # mitigated after AS_OF: not known yet at AS_OF, so still 'acknowledged'
    ("INC-2", "Scam wave: fake invoices", "SEV1", "fraud_scams", t(17, 9), t(17, 9, 20), t(17, 10), t(18, 14), None,
     "b.okafor", "Fraud arrivals rose to about 4x on the API. Payment handles being blocked."),
    ("INC-3", "Spam burst on chat", "SEV2", "spam", t(13, 0), t(13, 1), t(13, 1, 10), t(13, 3), t(13, 6),
     "c.dubois", "Spam arrivals doubled for a few hours."),
    ("INC-4", "Spam botnet", "SEV1", "spam", t(8, 0), t(8, 0, 30), t(8, 0, 45), t(8, 2), t(9, 0),
     "a.chen", "Spam sign-up cluster. Blocked."),
    ("INC-5", "Old fraud ring", "SEV3", "fraud_scams", t(2, 0), t(2, 1), t(2, 2), t(2, 3), t(3, 0), None, None),
]
# incident events, deliberately not written in time order (the query orders them)
INCIDENT_EVENTS = [
    ("INC-1", t(16, 7), "update", "Hashes shared with partners.", "a.chen"),
    ("INC-1", t(16, 5), "started", "Child safety volume started rising.", "system"),
    ("INC-1", t(16, 5, 30), "detected", "Spike alert fired.", "system"),
    ("INC-1", t(16, 5, 40), "acknowledged", "a.chen took command.", "a.chen"),
    ("INC-1", t(16, 8), "mitigated", "Accounts banned.", "a.chen"),
    ("INC-1", t(16, 14), "resolved", "Closed.", "a.chen"),
    ("INC-2", t(17, 9), "started", None, "system"),
    ("INC-2", t(17, 9, 20), "detected", "Alert.", "system"),
    ("INC-2", t(17, 10), "acknowledged", None, "b.okafor"),
    ("INC-2", t(18, 14), "mitigated", "In the future of AS_OF: not shown.", "b.okafor"),
    ("INC-4", t(8, 0), "started", None, "system"),
]


def _events(case: tuple) -> list[tuple]:
    """A consistent event history for a case row: (when, type, actor, queue, detail)."""
    (cid, created, source, _cat, first_q, cur_q, _prio, _reg, vendor, first, resolved, decision, action, automated,
     escalated_at, _inc) = case
    reviewer = {"v_int": "r1", "v_bpo": "r2"}.get(vendor)
    if automated:
        return [(created, "created", None, None, source), (first, "first_action", f"auto:{source}", None, None),
                (first, "decided", f"auto:{source}", None, decision), (first, "enforced", "system", None, action),
                (resolved, "resolved", f"auto:{source}", None, None)]
    ev = [(created, "created", None, None, source), (created, "routed", "system", first_q, None)]
    if first is None:
        return ev
    ev.append((created, "assigned", reviewer, first_q, None))
    ev.append((first, "first_action", reviewer, first_q, None))
    queue = first_q
    if escalated_at is not None:
        ev.append((escalated_at, "escalated", reviewer, cur_q, "needs a specialist"))
        ev.append((escalated_at, "assigned", reviewer, cur_q, None))
        queue = cur_q
    if resolved is not None:
        ev.append((resolved, "decided", reviewer, queue, decision))
        if action and action != "none":
            ev.append((resolved, "enforced", "system", queue, action))
        ev.append((resolved, "resolved", reviewer, queue, None))
    return ev


def _case(case: tuple) -> hw.Row:
    (cid, created, source, category, _fq, cur_q, prio, region, vendor, first, resolved, decision, action,
     automated, escalated_at, incident) = case
    return hw.case(cid, created, category, cur_q, source=source, priority=prio, region=region,
                   status="resolved" if resolved else ("queued" if first is None else "in_review"),
                   vendor_id=None if automated else vendor,
                   reviewer_id=None if automated else {"v_int": "r1", "v_bpo": "r2"}.get(vendor),
                   first_action_at=first, resolved_at=resolved, decision=decision, enforcement_action=action,
                   escalated=escalated_at is not None, incident_id=incident, updated_at=_events(case)[-1][0],
                   automated=automated, content_excerpt="hand-built")


ROWS = {
    "sla_policies": [hw.policy(i, prio, first, res, calendar=cal, pause_on_pending=pause, name=name)
                     for i, prio, first, res, cal, pause, name in POLICIES],
    "queues": [hw.queue(i, name, vertical, region, pol, tier=tier, timezone=tz)
               for i, name, vertical, region, tier, pol, tz in QUEUES],
    "vendors": [hw.vendor(*v) for v in VENDORS],
    "reviewers": [hw.reviewer(*r) for r in REVIEWERS],
    "incidents": [hw.incident(i, title, sev, cat, "resolved" if res else "mitigated" if mit else "acknowledged", st,
                              detected_at=det, acknowledged_at=ack, mitigated_at=mit, resolved_at=res, commander=cmd,
                              summary=summ)
                  for i, title, sev, cat, st, det, ack, mit, res, cmd, summ in INCIDENTS],
    "incident_events": [hw.incident_event(*e) for e in INCIDENT_EVENTS],
    "cases": [_case(c) for c in CASES],
    "case_events": hw.histories({c[0]: _events(c) for c in CASES}),
    "appeals": [hw.appeal(*a) for a in APPEALS],
}


def fetch(period: ex.Period | None = None, **scope) -> dict[str, pl.DataFrame]:
    """The Executive page's data for 2026-11-12..18 (and `scope`) from the warehouse the settings name."""
    filters = Filters(start=date(2026, 11, 12), end=date(2026, 11, 18), **{k: tuple(v) for k, v in scope.items()})
    return plans.fetch(plans.executive(AS_OF, filters, period))
