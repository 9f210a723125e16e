"""The Home page's warehouse: every figure worked out in the comments.

AS_OF is Wednesday 2026-11-18 12:00 UTC. The Home page's two windows are
last_24h = [11-17 12:00, 11-18 12:00) and week_before = [11-10 12:00, 11-11 12:00).
"""

from __future__ import annotations

from tests import hand_warehouse as hw
from tests.hand_warehouse import t

AS_OF = hw.AS_OF

POLICIES = [
    # id, priority, first-action min, resolution min, calendar, pause
    ("pol_p1", "P1", 60, 1440, "24x7", True),
    ("pol_p2", "P2", 480, 4320, "24x7", True),
]
QUEUES = [
    ("q_fraud_amer", "Fraud AMER L1", "Fraud & spam", "AMER", "L1", "pol_p2", "America/New_York"),
    ("q_child_emea", "Child safety EMEA L1", "Child safety", "EMEA", "L1", "pol_p1", "Europe/Dublin"),
]
VENDORS = [("v_int", "Internal", "internal", 55.0), ("v_bpo", "Northwind BPO", "bpo", 24.0)]
REVIEWERS = [("r1", "v_int", "AMER"), ("r2", "v_bpo", "EMEA")]

# case_id, created, category, queue, priority, region, status, vendor, first_action, resolved
CASES = [
    # last_24h: first action after 60 min of 480 (met), resolved after 2 h (met)
    ("c1", t(18, 2), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(18, 3), t(18, 4)),
    # last_24h: first action after 540 min of 480: breached at 11-17 21:00; resolution met at 11-18 01:00
    ("c2", t(17, 13), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_bpo", t(17, 22), t(18, 1)),
    # open, no first action after 120 min of 60: breached at 11:00; resolution 120 of 1440 min: on track
    ("c3", t(18, 10), "child_safety", "q_child_emea", "P1", "EMEA", "queued", None, None, None),
    # open, 50 of 60 min used (83 %): at risk; resolution 50 of 1440: on track
    ("c4", t(18, 11, 10), "child_safety", "q_child_emea", "P1", "EMEA", "queued", None, None, None),
    # open, first action after 30 min (met); resolution running, paused 30 min
    ("c5", t(18, 9), "spam", "q_fraud_amer", "P2", "AMER", "in_review", "v_bpo", t(18, 9, 30), None),
    # created before the window, resolved inside it after 26 h of 72 (met)
    ("c6", t(16, 12), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(16, 13), t(17, 14)),
    # week_before: first action met at 15:00, resolved met at 18:00
    ("c7", t(10, 14), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(10, 15), t(10, 18)),
    # week_before: first action after 120 of 60 min: breached at 09:00; resolved met at 11:00
    ("c8", t(11, 8), "child_safety", "q_child_emea", "P1", "EMEA", "resolved", "v_bpo", t(11, 10), t(11, 11)),
    # open across the week_before window's end (resolved 11-12 00:00)
    ("c9", t(9, 12), "fraud_scams", "q_fraud_amer", "P2", "AMER", "resolved", "v_int", t(9, 13), t(12, 0)),
]
PAUSES = {"c5": (t(18, 10), t(18, 10, 30))}
INCIDENTS = [
    ("i1", "Scam wave", "SEV1", "fraud_scams", "acknowledged", t(17, 6), None),  # open
    ("i2", "Spam burst", "SEV2", "spam", "resolved", t(10, 6), t(12, 6)),  # resolved before AS_OF
    ("i3", "Future", "SEV0", "cbrn", "open", t(19, 6), None),  # starts after AS_OF
]

# The figures the Home page must show for this warehouse, worked out from the rows above.
EXPECTED_FLOW = {
    "last_24h": {"inflow": 5, "resolved": 3, "backlog_at_end": 3},  # c1-c5; c1,c2,c6; c3,c4,c5
    "week_before": {"inflow": 2, "resolved": 2, "backlog_at_end": 1},  # c7,c8; c7,c8; c9
}
EXPECTED_ATTAINMENT = {
    ("last_24h", "first_action"): (2, 2),  # met c1,c5; breached c2 (21:00), c3 (11:00)
    ("last_24h", "resolution"): (3, 0),  # met c1, c2, c6
    ("week_before", "first_action"): (1, 1),  # met c7; breached c8 (09:00)
    ("week_before", "resolution"): (2, 0),  # met c7, c8
}
EXPECTED_SLA_NOW = {"first_action": (1, 1), "resolution": (0, 0), "any": (1, 1)}  # (breached, at risk)
EXPECTED_BACKLOG = {"queued": (2, 7200.0), "in_review": (1, 10800.0)}  # cases, oldest age (s)
EXPECTED_OPEN_INCIDENTS = {"SEV0": 0, "SEV1": 1, "SEV2": 0, "SEV3": 0}
# Poisson score (current - previous) / sqrt(previous + 1): spam 1/1, the two others 1/sqrt(2).
EXPECTED_RISING = ["spam", "child_safety", "fraud_scams"]
NEWEST_EVENT = t(18, 11, 10)  # c4's creation


def _events() -> list[hw.Row]:
    history: dict[str, list[tuple]] = {}
    for case_id, created, _category, queue, *_rest, first, resolved in CASES:
        steps = [(created, "created", None, queue)]
        if first:
            steps.append((first, "first_action", None, queue))
        if case_id in PAUSES:
            steps += [(PAUSES[case_id][0], "pending_info", None, queue), (PAUSES[case_id][1], "info_received", None, queue)]
        if resolved:
            steps.append((resolved, "resolved", None, queue))
        history[case_id] = steps
    return hw.histories(history)


ROWS = {
    "sla_policies": [hw.policy(i, prio, first, res, calendar=cal, pause_on_pending=pause)
                     for i, prio, first, res, cal, pause in POLICIES],
    "queues": [hw.queue(i, name, vertical, region, pol, tier=tier, timezone=tz)
               for i, name, vertical, region, tier, pol, tz in QUEUES],
    "vendors": [hw.vendor(*v) for v in VENDORS],
    "reviewers": [hw.reviewer(*r) for r in REVIEWERS],
    "cases": [hw.case(case_id, created, category, queue, priority=priority, region=region, status=status, vendor_id=vendor,
                      first_action_at=first, resolved_at=resolved, decision="violating" if resolved else None)
              for case_id, created, category, queue, priority, region, status, vendor, first, resolved in CASES],
    "case_events": _events(),
    "incidents": [hw.incident(i, title, sev, cat, status, started, resolved_at=resolved)
                  for i, title, sev, cat, status, started, resolved in INCIDENTS],
}
