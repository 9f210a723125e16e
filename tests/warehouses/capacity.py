"""The Capacity page's warehouse (its plan is worked out in tests/unit/test_capacity.py): two teams,
'Team A' working qa1 (P1, 60 min) and qa2 (P2, 240 min), and q_solo (P0, 15 min) with no team;
vendors v1 and v2; reviewers r1 (v1), r2 (v2), r3 (v1)."""

from __future__ import annotations

from datetime import datetime

from tests import hand_warehouse as hw
from tests.hand_warehouse import t

NOW = datetime(2026, 11, 18, 12, 30)   # a Wednesday; the plan starts at 12:00
HOUR = datetime(2026, 11, 18, 12, 0)

# Shifts: r1 on Team A (via qa1) 08:00-16:00 today; r2 on Team A 12:30-20:30 today (half of the
# 12:00 hour); r3 on q_solo 10:00-11:00 a week ago; r1 on Team A 13:00-14:00 a week ago. The last
# shift start is today 12:30.
SHIFTS = [
    ("r1", t(18, 8), t(18, 16), "qa1"), ("r2", t(18, 12, 30), t(18, 20, 30), "qa1"),
    ("r3", t(11, 10), t(11, 11), "q_solo"), ("r1", t(11, 13), t(11, 14), "qa2"),
]
CASES = [
    # waiting now: c1 in qa1 created 11:00 (P1 due 12:00: already late), c2 in qa2 created 12:00
    # (due 16:00), c3 in q_solo created 12:20 (due 12:35); c4 resolved
    ("c1", t(18, 11), "qa1", "queued", None), ("c2", t(18, 12), "qa2", "queued", None),
    ("c3", t(18, 12, 20), "q_solo", "escalated", None), ("c4", t(18, 9), "qa1", "resolved", t(18, 10)),
]
EVENTS = [
    # arrivals in the 10:00 hour: routed into qa1 and qa2, info_received into qa1; escalated
    # into q_solo at 11:15; created/assigned are not arrivals
    ("c4", t(18, 9), "created", None), ("c4", t(18, 10, 5), "routed", "qa1"),
    ("c4", t(18, 10, 10), "assigned", "qa1"), ("c4", t(18, 10, 14), "pending_info", "qa1"),
    ("c4", t(18, 10, 40), "info_received", "qa1"), ("c4", t(18, 10, 45), "assigned", "qa1"),
    ("c4", t(18, 10, 51), "decided", "qa1"),
    ("c2", t(18, 10, 20), "routed", "qa2"), ("c2", t(18, 10, 30), "assigned", "qa2"),
    ("c2", t(18, 10, 40), "escalated", "q_solo"),
    ("c3", t(18, 11, 15), "escalated", "q_solo"), ("c3", t(18, 11, 20), "assigned", "q_solo"),
    # an open session (no next event) is not counted
    ("c1", t(18, 11, 30), "assigned", "qa1"),
]

ROWS = {
    "sla_policies": [hw.policy("p0", "P0", 15, 240, pause_on_pending=False), hw.policy("p1", "P1", 60, 1440),
                     hw.policy("p2", "P2", 240, 2880)],
    "queues": [hw.queue("qa1", "Fraud AMER P1", "Fraud", "AMER", "p1", team="Team A"),
               hw.queue("qa2", "Fraud AMER P2", "Fraud", "AMER", "p2", team="Team A"),
               hw.queue("q_solo", "Child safety EMEA P0", "Child safety", "EMEA", "p0", team=None)],
    "vendors": [hw.vendor("v1", "Vendor One", "internal", 50.0, contracted_hours_per_week=100.0),
                hw.vendor("v2", "=Vendor Two", "bpo", 20.0, contracted_hours_per_week=None)],
    "reviewers": [hw.reviewer("r1", "v1", "AMER"), hw.reviewer("r2", "v2", "AMER"), hw.reviewer("r3", "v1", "EMEA")],
    "shifts": [hw.shift(*s) for s in SHIFTS],
    "cases": [hw.case(case_id, created, "fraud_scams", queue, priority="P1", status=status, resolved_at=resolved,
                      updated_at=created, account_id=None)
              for case_id, created, queue, status, resolved in CASES],
    "case_events": hw.numbered(hw.event(case_id, when, kind, None, queue) for case_id, when, kind, queue in EVENTS),
}
