"""The Automation page's warehouse (its figures are worked out in
tests/unit/test_automation_queries.py): the range 2026-11-16..18 as of Wednesday 2026-11-18 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime

from tests import hand_warehouse as hw
from tests.hand_warehouse import t
from watchfloor.filters import Filters

AS_OF = hw.AS_OF
RANGE = Filters(start=date(2026, 11, 16), end=date(2026, 11, 18))
START, END = datetime(2026, 11, 16), datetime(2026, 11, 19)
DAYS = 2.5


# case_id, created, source, category, queue (current), priority, classifier, score, automated, decision,
# action, first_action, resolved
CASES = [
    ("a1", t(16, 10), "classifier", "fraud_scams", "q_fraud", "P2", "clf-a", 0.97, True, "violating",
     "content_removed", t(16, 10, 0, 10), t(16, 10, 0, 36)),
    ("a2", t(16, 8), "user_report", "fraud_scams", "q_fraud", "P2", None, None, False, "non_violating", "none",
     t(16, 10, 30), t(16, 10, 30)),
    ("a3", t(16, 12), "classifier", "fraud_scams", "q_fraud", "P2", "clf-a", 0.80, False, "violating", "warning",
     t(16, 13, 30), t(16, 16)),
    ("a4", t(17, 9), "user_report", "hate", "q_hate", "P1", None, None, False, None, None, None, None),
    ("a5", t(17, 10), "classifier", "fraud_scams", "q_fraud", "P2", "clf-a", 0.90, False, "non_violating", "none",
     t(17, 10, 20), t(17, 15, 30)),
    ("a6", t(18, 11), "classifier", "fraud_scams", "q_fraud", "P2", "clf-a", 0.95, False, None, None, None, None),
    ("p1", t(15, 10), "classifier", "fraud_scams", "q_fraud", "P2", "clf-a", 0.60, False, "violating", "warning",
     t(15, 11), t(15, 11)),
    ("p2", t(15, 20), "user_report", "fraud_scams", "q_fraud", "P2", None, None, False, "violating", "warning",
     t(16, 3), t(16, 3)),
]
# case_id, when, event type, queue
EVENTS = [
    ("a1", t(16, 10, 0, 10), "first_action", None), ("a1", t(16, 10, 0, 10), "decided", None),
    ("a1", t(16, 10, 0, 20), "enforced", None), ("a1", t(16, 10, 0, 36), "resolved", None),
    ("a2", t(16, 8), "routed", "q_hate"), ("a2", t(16, 9), "assigned", "q_hate"),
    ("a2", t(16, 9, 6), "routed", "q_fraud"), ("a2", t(16, 10), "assigned", "q_fraud"),
    ("a2", t(16, 10, 30), "first_action", "q_fraud"), ("a2", t(16, 10, 30), "decided", "q_fraud"),
    ("a2", t(16, 10, 30), "resolved", "q_fraud"),
    ("a3", t(16, 12), "routed", "q_fraud"), ("a3", t(16, 13), "assigned", "q_fraud"),
    ("a3", t(16, 13, 30), "first_action", "q_fraud"), ("a3", t(16, 13, 30), "escalated", "q_fraud_l2"),
    ("a3", t(16, 14), "assigned", "q_fraud_l2"), ("a3", t(16, 14, 30), "routed", "q_fraud"),
    ("a3", t(16, 15), "assigned", "q_fraud"), ("a3", t(16, 16), "decided", "q_fraud"),
    ("a3", t(16, 16), "enforced", "q_fraud"), ("a3", t(16, 16), "resolved", "q_fraud"),
    ("a4", t(17, 9), "routed", "q_hate"),
    ("a5", t(17, 10), "routed", "q_fraud"), ("a5", t(17, 10, 10), "assigned", "q_fraud"),
    ("a5", t(17, 10, 20), "first_action", "q_fraud"), ("a5", t(17, 10, 20), "pending_info", "q_fraud"),
    ("a5", t(17, 14, 20), "info_received", "q_fraud"), ("a5", t(17, 15), "assigned", "q_fraud"),
    ("a5", t(17, 15, 30), "decided", "q_fraud"), ("a5", t(17, 15, 30), "resolved", "q_fraud"),
    ("a6", t(18, 11), "routed", "q_fraud"),
    ("p1", t(15, 10), "routed", "q_fraud"), ("p1", t(15, 10, 30), "assigned", "q_fraud"),
    ("p1", t(15, 11), "first_action", "q_fraud"), ("p1", t(15, 11), "decided", "q_fraud"),
    ("p1", t(15, 11), "resolved", "q_fraud"),
    ("p2", t(15, 20), "routed", "q_fraud"), ("p2", t(16, 2), "assigned", "q_fraud"),
    ("p2", t(16, 3), "first_action", "q_fraud"), ("p2", t(16, 3), "decided", "q_fraud"),
    ("p2", t(16, 3), "resolved", "q_fraud"),
]
CREATED_EVENT = "created"


def _case(case_id, created, source, category, queue, priority, clf, score, automated, decision, action, first,
          resolved) -> hw.Row:
    return hw.case(case_id, created, category, queue, source=source, priority=priority,
                   status="resolved" if resolved else "queued", vendor_id="v1", reviewer_id="r1", first_action_at=first,
                   resolved_at=resolved, decision=decision, enforcement_action=action, classifier_name=clf,
                   classifier_score=score, automated=automated, updated_at=resolved or created, account_id=None)


def _events() -> list[hw.Row]:
    rows = [(case_id, created, CREATED_EVENT, None) for case_id, created, *_ in CASES] + EVENTS
    rows.sort(key=lambda r: r[1])  # stable: the created events first among equal times
    return hw.numbered(hw.event(case_id, when, kind, "r1", queue) for case_id, when, kind, queue in rows)


ROWS = {
    "sla_policies": [hw.policy("p2", "P2", 480, 4320), hw.policy("p1", "P1", 60, 1440)],
    "queues": [hw.queue("q_fraud", "Fraud L1", "Fraud & spam", "AMER", "p2"),
               hw.queue("q_hate", "Hate L1", "Hate & harassment", "AMER", "p1"),
               hw.queue("q_fraud_l2", "Fraud L2", "Fraud & spam", "AMER", "p2", tier="L2")],
    "vendors": [hw.vendor("v1", "In house", "internal", 50)],
    "reviewers": [hw.reviewer("r1", "v1", "AMER")],
    "cases": [_case(*c) for c in CASES],
    "case_events": _events(),
    "qa_reviews": [hw.qa_review("qa1", "a3", "r1", "r1", t(17, 8), "violating", "violating", False),
                   hw.qa_review("qa2", "a5", "r1", "r1", t(18, 8), "non_violating", "non_violating", True)],
    "appeals": [hw.appeal("ap1", "a3", t(16, 20), t(17, 12), "overturned")],
}
