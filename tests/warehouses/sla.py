"""The SLA page's warehouse (its clocks are worked out in tests/unit/test_sla_page_queries.py): the
week 2026-11-12..18 as of Wednesday 2026-11-18 12:00 UTC."""

from __future__ import annotations

from datetime import date

from tests import hand_warehouse as hw
from tests.hand_warehouse import t
from watchfloor.filters import Filters

AS_OF = hw.AS_OF
WEEK = Filters(start=date(2026, 11, 12), end=date(2026, 11, 18))
TWO_DAYS = Filters(start=date(2026, 11, 17), end=date(2026, 11, 18))
H = 3600.0


POLICIES = [
    # id, priority, first-action min, resolution min, calendar, pause, name
    ("pol_p1", "P1", 60, 1440, "24x7", True, "P1 urgent"),
    ("pol_p2", "P2", 480, 4320, "24x7", True, "P2 standard"),
    ("pol_p3", "P3", 480, 2400, "business", True, "P3 low, business hours"),
]
QUEUES = [
    ("q_fraud_amer", "Fraud AMER L1", "Fraud & spam", "AMER", "L1", "pol_p2", "America/New_York"),
    ("q_child_emea", "Child safety EMEA L1", "Child safety", "EMEA", "L1", "pol_p1", "Europe/Dublin"),
    ("q_child_l2", "Child safety EMEA L2", "Child safety", "EMEA", "L2", "pol_p1", "Europe/Dublin"),
    ("q_legal_emea", "Legal EMEA L1", "Legal", "EMEA", "L1", "pol_p3", "Europe/Dublin"),
]
VENDORS = [("v_int", "Internal", "internal", 55.0), ("v_bpo", "Northwind BPO", "bpo", 24.0)]
REVIEWERS = [("r1", "v_int", "AMER"), ("r2", "v_bpo", "EMEA"), ("r3", "v_bpo", "EMEA"), ("r4", "v_int", "EMEA")]

# case_id, created, category, current queue, priority, region, status, vendor, first_action_at, resolved_at
CASES = [
    ("c1", t(16, 10), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(16, 12), t(16, 12)),
    ("c2", t(16, 20), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_bpo", t(17, 6), t(17, 6)),
    ("c3", t(17, 8), "child_safety", "q_child_l2", "P1", "EMEA", "resolved", "v_bpo", t(17, 9), t(18, 11)),
    ("c4", t(18, 9, 30), "child_safety", "q_child_emea", "P1", "EMEA", "queued", None, None, None),
    ("c5", t(18, 11, 10), "child_safety", "q_child_emea", "P1", "EMEA", "queued", None, None, None),
    ("c6", t(18, 7), "spam", "q_fraud_amer", "P2", "AMER", "in_review", "v_int", None, None),
    ("c7", t(18, 9), "fraud_scams", "q_fraud_amer", "P2", "AMER", "in_review", "v_bpo", t(18, 9, 30), None),
    ("c8", t(13, 10), "child_safety", "q_child_l2", "P1", "EMEA", "resolved", "v_int", t(13, 10, 40), t(14, 13)),
    ("c9", t(10, 10), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(10, 11), t(10, 12)),
    ("c10", t(11, 20), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(12, 6), t(12, 6)),
    ("c11", t(14, 0), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(14, 2), t(18, 1)),
]
# case_id -> [(when, event_type, actor, queue)] in order ('created' has no actor and no queue)
EVENTS: dict[str, list[tuple]] = {
    "c1": [(t(16, 10), "created", None, None), (t(16, 10), "routed", "system", "q_fraud_amer"),
           (t(16, 11), "assigned", "r1", "q_fraud_amer"), (t(16, 12), "first_action", "r1", "q_fraud_amer"),
           (t(16, 12), "decided", "r1", "q_fraud_amer"), (t(16, 12), "resolved", "r1", "q_fraud_amer")],
    "c2": [(t(16, 20), "created", None, None), (t(16, 20), "routed", "system", "q_fraud_amer"),
           (t(17, 5), "assigned", "r2", "q_fraud_amer"), (t(17, 6), "first_action", "r2", "q_fraud_amer"),
           (t(17, 6), "decided", "r2", "q_fraud_amer"), (t(17, 6), "resolved", "r2", "q_fraud_amer")],
    "c3": [(t(17, 8), "created", None, None), (t(17, 8), "routed", "system", "q_child_emea"),
           (t(17, 8, 30), "assigned", "r2", "q_child_emea"), (t(17, 9), "first_action", "r2", "q_child_emea"),
           (t(17, 9), "pending_info", "r2", "q_child_emea"), (t(17, 11), "info_received", "system", "q_child_emea"),
           (t(17, 12), "assigned", "r2", "q_child_emea"), (t(17, 13), "escalated", "r2", "q_child_l2"),
           (t(17, 16), "assigned", "r3", "q_child_l2"), (t(18, 11), "decided", "r3", "q_child_l2"),
           (t(18, 11), "resolved", "r3", "q_child_l2")],
    "c4": [(t(18, 9, 30), "created", None, None), (t(18, 9, 30), "routed", "system", "q_child_emea")],
    "c5": [(t(18, 11, 10), "created", None, None), (t(18, 11, 10), "routed", "system", "q_child_emea")],
    "c6": [(t(18, 7), "created", None, None), (t(18, 7), "routed", "system", "q_fraud_amer"),
           (t(18, 8), "assigned", "r1", "q_fraud_amer")],
    "c7": [(t(18, 9), "created", None, None), (t(18, 9), "routed", "system", "q_fraud_amer"),
           (t(18, 9, 15), "assigned", "r2", "q_fraud_amer"), (t(18, 9, 30), "first_action", "r2", "q_fraud_amer"),
           (t(18, 9, 30), "pending_info", "r2", "q_fraud_amer"), (t(18, 10), "info_received", "system", "q_fraud_amer"),
           (t(18, 10, 30), "assigned", "r2", "q_fraud_amer")],
    "c8": [(t(13, 10), "created", None, None), (t(13, 10), "routed", "system", "q_child_emea"),
           (t(13, 10, 20), "assigned", "r4", "q_child_emea"), (t(13, 10, 40), "first_action", "r4", "q_child_emea"),
           (t(13, 10, 40), "escalated", "r4", "q_child_l2"), (t(14, 12), "assigned", "r4", "q_child_l2"),
           (t(14, 13), "decided", "r4", "q_child_l2"), (t(14, 13), "resolved", "r4", "q_child_l2")],
    "c9": [(t(10, 10), "created", None, None), (t(10, 10), "routed", "system", "q_fraud_amer"),
           (t(10, 10, 30), "assigned", "r1", "q_fraud_amer"), (t(10, 11), "first_action", "r1", "q_fraud_amer"),
           (t(10, 11), "decided", "r1", "q_fraud_amer"), (t(10, 12), "resolved", "r1", "q_fraud_amer")],
    "c10": [(t(11, 20), "created", None, None), (t(11, 20), "routed", "system", "q_fraud_amer"),
            (t(12, 3), "assigned", "r1", "q_fraud_amer"), (t(12, 6), "first_action", "r1", "q_fraud_amer"),
            (t(12, 6), "decided", "r1", "q_fraud_amer"), (t(12, 6), "resolved", "r1", "q_fraud_amer")],
    "c11": [(t(14, 0), "created", None, None), (t(14, 0), "routed", "system", "q_fraud_amer"),
            (t(14, 1), "assigned", "r1", "q_fraud_amer"), (t(14, 2), "first_action", "r1", "q_fraud_amer"),
            (t(14, 2), "decided", "r1", "q_fraud_amer"), (t(14, 2), "resolved", "r1", "q_fraud_amer"),
            (t(15, 2), "reopened", "system", "q_fraud_amer"), (t(17, 0), "assigned", "r1", "q_fraud_amer"),
            (t(18, 1), "decided", "r1", "q_fraud_amer"), (t(18, 1), "resolved", "r1", "q_fraud_amer")],
}


def _case(case_id, created, category, queue, priority, region, status, vendor, first, resolved) -> hw.Row:
    events = EVENTS[case_id]
    return hw.case(case_id, created, category, queue, priority=priority, region=region, status=status, vendor_id=vendor,
                   reviewer_id=next((e[2] for e in reversed(events) if e[1] == "assigned"), None),
                   first_action_at=first, resolved_at=resolved, decision="violating" if resolved else None,
                   escalated=any(e[1] == "escalated" for e in events), updated_at=events[-1][0],
                   content_excerpt="hand-built")


ROWS = {
    "sla_policies": [hw.policy(i, prio, first, res, calendar=cal, pause_on_pending=pause, name=name)
                     for i, prio, first, res, cal, pause, name in POLICIES],
    "queues": [hw.queue(i, name, vertical, region, pol, tier=tier, timezone=tz)
               for i, name, vertical, region, tier, pol, tz in QUEUES],
    "vendors": [hw.vendor(*v) for v in VENDORS],
    "reviewers": [hw.reviewer(*r) for r in REVIEWERS],
    "cases": [_case(*c) for c in CASES],
    "case_events": hw.histories(EVENTS),
}
