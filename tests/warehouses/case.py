"""The Case page's warehouse (its figures are worked out in tests/unit/test_case_view.py), as of
Wednesday 2026-11-18 12:00 UTC."""

from __future__ import annotations

from tests import hand_warehouse as hw
from tests.hand_warehouse import t

AS_OF = hw.AS_OF
EXCERPT_K1 = "Send 2 BTC to this wallet and I will double it, guaranteed."


POLICIES = [
    # id, priority, first-action min, resolution min, calendar, pause, name
    ("pol_p1", "P1", 60, 1440, "24x7", True, "P1 urgent"),
    ("pol_p2", "P2", 480, 4320, "24x7", True, "P2 standard"),
    ("pol_p3", "P3", 480, 2400, "business", False, "P3 business hours"),
]
QUEUES = [
    ("q_fraud", "Fraud AMER L1", "Fraud & spam", "AMER", "L1", "pol_p2", "America/New_York"),
    ("q_child", "Child safety EMEA L1", "Child safety", "EMEA", "L1", "pol_p1", "Europe/Dublin"),
    ("q_legal", "Legal EMEA L1", "Legal", "EMEA", "L1", "pol_p3", "Europe/Dublin"),
]
VENDORS = [("v_int", "Internal", "internal", 55.0), ("v_bpo", "Northwind BPO", "bpo", 24.0)]
INCIDENTS = [("i1", "Scam wave", "SEV1", "fraud_scams", "acknowledged", t(17, 6), t(17, 7), "cmdr_ann",
              "Crypto doubling scam across chat.")]

# case_id, created, category, queue, priority, region, status, account, org, vendor, reviewer,
# first_action, resolved, decision, enforcement, incident, classifier, score, excerpt
CASES = [
    ("k1", t(17, 10), "fraud_scams", "q_fraud", "P2", "AMER", "resolved", "acct_a", "org_x", "v_bpo", "r2",
     t(17, 12), t(17, 15), "violating", "account_suspended", "i1", "scam_detector", 0.91, EXCERPT_K1),
    ("k2", t(18, 10, 30), "child_safety", "q_child", "P1", "EMEA", "queued", "acct_b", "org_x", None, None,
     None, None, None, None, None, None, None, "Hidden child-safety text."),
    ("k3", t(16, 9), "fraud_scams", "q_fraud", "P2", "AMER", "resolved", "acct_a", "org_x", "v_int", "r1",
     t(16, 9, 30), t(16, 10), "non_violating", "none", None, None, None, None),
    ("k4", t(18, 13), "spam", "q_fraud", "P2", "AMER", "queued", "acct_c", "org_y", None, None,
     None, None, None, None, None, None, None, None),
    ("k5", t(19, 8), "fraud_scams", "q_fraud", "P2", "AMER", "queued", "acct_a", "org_x", None, None,
     None, None, None, None, None, None, None, None),
    ("k6", t(13, 16), "privacy", "q_legal", "P3", "EMEA", "queued", "acct_d", "org_y", None, None,
     None, None, None, None, None, None, None, None),
]
# case_id -> [(when, event_type, actor, queue)] in order
EVENTS: dict[str, list[tuple]] = {
    "k1": [(t(17, 10), "created", None, None), (t(17, 10), "routed", "system", "q_fraud"),
           (t(17, 11), "assigned", "r2", "q_fraud"), (t(17, 12), "first_action", "r2", "q_fraud"),
           (t(17, 12), "pending_info", "r2", "q_fraud"), (t(17, 14), "info_received", "system", "q_fraud"),
           (t(17, 15), "decided", "r2", "q_fraud"), (t(17, 15), "enforced", "r2", "q_fraud"),
           (t(17, 15), "resolved", "r2", "q_fraud")],
    "k2": [(t(18, 10, 30), "created", None, None), (t(18, 10, 30), "routed", "system", "q_child")],
    "k3": [(t(16, 9), "created", None, None), (t(16, 9), "routed", "system", "q_fraud"),
           (t(16, 9, 10), "assigned", "r1", "q_fraud"), (t(16, 9, 30), "first_action", "r1", "q_fraud"),
           (t(16, 10), "decided", "r1", "q_fraud"), (t(16, 10), "resolved", "r1", "q_fraud")],
    "k4": [(t(18, 13), "created", None, None)],
    "k5": [(t(19, 8), "created", None, None)],
    "k6": [(t(13, 16), "created", None, None), (t(13, 16), "routed", "system", "q_legal")],
}
QA = [
    ("qa1", "k1", "r2", "qa9", t(17, 18), "violating", "violating", False),
    ("qa2", "k1", "r2", "qa9", t(18, 9), "violating", "non_violating", True),
    ("qa3", "k1", "r2", "qa9", t(18, 13), "violating", "violating", False),
]
APPEALS = [
    ("ap1", "k1", t(17, 20), t(18, 10), "overturned"),
    ("ap2", "k1", t(18, 11), t(18, 13), "upheld"),
    ("ap3", "k1", t(18, 14), None, "pending"),
]
HOSTILE = [
    "' OR '1'='1",
    "k1'; DROP TABLE cases; --",
    "k1\" OR \"\"=\"",
    "$term",
    "%",
    "_",
    "k%",
    "x" * 5000,
    "k1" + " " * 200 + "x",
    "ǩ1 🚨 مرحبا",
    "k1\x00",
    "\n\t",
    "[click](javascript:alert(1))",
    "<script>alert(1)</script>",
]


def _case(case_id, created, category, queue, priority, region, status, account, org, vendor, reviewer, first, resolved,
          decision, enforcement, incident, classifier, score, excerpt) -> hw.Row:
    return hw.case(case_id, created, category, queue, source="classifier" if classifier else "user_report",
                   priority=priority, region=region, status=status, account_id=account, org_id=org, vendor_id=vendor,
                   reviewer_id=reviewer, first_action_at=first, resolved_at=resolved, decision=decision,
                   enforcement_action=enforcement, escalated=False, incident_id=incident, classifier_name=classifier,
                   classifier_score=score, content_excerpt=excerpt, updated_at=EVENTS[case_id][-1][0])


ROWS = {
    "sla_policies": [hw.policy(i, prio, first, res, calendar=cal, pause_on_pending=pause, name=name)
                     for i, prio, first, res, cal, pause, name in POLICIES],
    "queues": [hw.queue(i, name, vertical, region, pol, tier=tier, timezone=tz)
               for i, name, vertical, region, tier, pol, tz in QUEUES],
    "vendors": [hw.vendor(*v) for v in VENDORS],
    "reviewers": [hw.reviewer("r1", "v_int", "AMER"), hw.reviewer("r2", "v_bpo", "AMER")],
    "incidents": [hw.incident(i, title, sev, cat, status, started, detected_at=detected, commander=cmd, summary=summary)
                  for i, title, sev, cat, status, started, detected, cmd, summary in INCIDENTS],
    "cases": [_case(*c) for c in CASES],
    "case_events": hw.histories(EVENTS),
    "qa_reviews": [hw.qa_review(*q) for q in QA],
    "appeals": [hw.appeal(*a) for a in APPEALS],
}
