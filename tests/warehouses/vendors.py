"""The Vendor scorecards' and Quality page's warehouse (their figures are worked out in
tests/unit/test_vendor_page_queries.py): the week 2026-11-12..18 as of Wednesday 2026-11-18 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime

from tests import hand_warehouse as hw
from tests.hand_warehouse import t
from watchfloor.filters import Filters

AS_OF = hw.AS_OF
WEEK = Filters(start=date(2026, 11, 12), end=date(2026, 11, 18))
W09, W16 = datetime(2026, 11, 9), datetime(2026, 11, 16)


VENDORS = [
    # id, name, kind, cost/h, throughput, accuracy, sla, aht, occupancy, overturn
    ("v_a", "Acme Review", "bpo", 30.0, 4.4, 0.81, 0.80, 600.0, None, 0.32),
    ("v_b", "Trust Ops", "internal", 60.0, 3.0, 0.95, 0.95, 1500.0, 0.05, 0.05),
]
REVIEWERS = [("r1", "v_a", "AMER", "Bogota"), ("r2", "v_a", "APAC", "Manila"), ("r3", "v_b", "AMER", "Austin"),
             ("qa1", "v_b", "AMER", "Austin")]
QUEUES = [("q1", "Fraud AMER L1", "Fraud & spam", "AMER", "L1"), ("q2", "Fraud AMER L2", "Fraud & spam", "AMER", "L2")]


def _simple(created, assigned, reviewer, decided, queue="q1"):
    return [(created, "created", None, None), (created, "routed", "system", queue),
            (assigned, "assigned", reviewer, queue), (decided, "first_action", reviewer, queue),
            (decided, "decided", reviewer, queue), (decided, "resolved", reviewer, queue)]


# case_id -> (category, status, final reviewer, events [(when, type, actor, queue)])
CASES = {
    "c1": ("fraud_scams", "resolved", "r1", [
        (t(16, 10), "created", None, None), (t(16, 10), "routed", "system", "q1"),
        (t(16, 10, 10), "assigned", "r1", "q1"), (t(16, 10, 20), "first_action", "r1", "q1"),
        (t(16, 10, 20), "pending_info", "r1", "q1"), (t(16, 11), "info_received", "system", "q1"),
        (t(16, 11, 30), "assigned", "r1", "q1"), (t(16, 11, 36), "decided", "r1", "q1"),
        (t(16, 11, 36), "resolved", "r1", "q1")]),
    "c2": ("fraud_scams", "resolved", "r3", [
        (t(16, 12), "created", None, None), (t(16, 12), "routed", "system", "q1"),
        (t(16, 12), "assigned", "r1", "q1"), (t(16, 12, 5), "first_action", "r1", "q1"),
        (t(16, 12, 5), "escalated", "r1", "q2"), (t(16, 13), "assigned", "r3", "q2"),
        (t(16, 13, 20), "decided", "r3", "q2"), (t(16, 13, 20), "resolved", "r3", "q2")]),
    "c3": ("fraud_scams", "resolved", "r2", _simple(t(13, 23, 50), t(13, 23, 55), "r2", t(14, 0, 5))),
    "c4": ("fraud_scams", "resolved", "r1", [
        (t(17, 8), "created", None, None), (t(17, 8), "routed", "system", "q1"),
        (t(17, 8), "assigned", "r2", "q1"), (t(17, 8, 15), "first_action", "r2", "q1"),
        (t(17, 8, 15), "pending_info", "r2", "q1"), (t(17, 9), "info_received", "system", "q1"),
        (t(17, 9, 30), "assigned", "r1", "q1"), (t(17, 9, 40), "decided", "r1", "q1"),
        (t(17, 9, 40), "resolved", "r1", "q1")]),
    "c5": ("spam", "in_review", "r1", [
        (t(18, 11, 40), "created", None, None), (t(18, 11, 40), "routed", "system", "q1"),
        (t(18, 11, 50), "assigned", "r1", "q1")]),
    "c6": ("spam", "resolved", "r3", _simple(t(11, 23, 30), t(11, 23, 40), "r3", t(12, 0, 20))),
    "c7": ("fraud_scams", "resolved", "r1", _simple(t(15, 10), t(15, 10), "r1", t(15, 10, 5))),
    "c8": ("fraud_scams", "resolved", "r2", _simple(t(15, 0), t(16, 1), "r2", t(16, 1, 10))),
    **{f"x{i}": ("fraud_scams", "resolved", "r1" if i < 4 else "r3",
                 _simple(t(10, 8), t(10, 8, 10), "r1" if i < 4 else "r3", t(10, 8, 20))) for i in range(1, 7)},
}

SHIFTS = [
    ("r1", t(15, 8), t(15, 12), "q1"), ("r1", t(16, 8), t(16, 16), "q1"), ("r1", t(17, 8), t(17, 16), "q1"),
    ("r1", t(18, 8), t(18, 16), "q1"),
    ("r2", t(11, 20), t(12, 4), "q1"), ("r2", t(13, 20), t(14, 4), "q1"), ("r2", t(15, 22), t(16, 6), "q1"),
    ("r2", t(17, 6), t(17, 14), "q1"),
    ("r3", t(11, 20), t(12, 4), "q2"), ("r3", t(16, 12), t(16, 20), "q2"),
    ("qa1", t(16, 9), t(16, 17), None),
]

V, N = "violating", "non_violating"
# (case, reviewer, reviewed_at, original, qa, golden)
QA = (
    [("x1", "r1", t(17, 10), V, V, False)] * 3 + [("x2", "r1", t(17, 10), N, N, False)] * 2
    + [("x3", "r1", t(17, 10), V, N, False)]
    + [("c3", "r2", t(17, 10), V, V, False)] * 2 + [("c8", "r2", t(17, 10), N, N, False)]
    + [("c8", "r2", t(17, 10), N, V, False)]
    + [("c7", "r1", t(13, 10), V, V, True)] * 2
    + [("c3", "r2", t(17, 10), V, V, True), ("c8", "r2", t(17, 10), V, N, True)]
    + [("c6", "r3", t(17, 11), V, V, False)] * 2 + [("x4", "r3", t(17, 11), N, N, False)] * 2
    + [("x5", "r3", t(17, 11), V, V, False), ("x6", "r3", t(10, 11), V, N, False)]
)
CATEGORY_OF_QA_CASE = {"x5": "hate"}  # the other QA cases keep their own category (x4: spam)

APPEALS = [
    ("ap1", "c1", t(16, 20), t(17, 12), "overturned"), ("ap2", "c3", t(14, 9), t(16, 9), "upheld"),
    ("ap3", "c7", t(16, 9), None, "pending"), ("ap4", "c4", t(17, 12), t(18, 11), "upheld"),
    ("ap5", "x1", t(10, 9), t(10, 20), "overturned"),
    ("ap6", "c2", t(16, 20), t(17, 9), "overturned"), ("ap7", "c6", t(13, 9), None, "pending"),
]


def _case(case_id: str, category: str, status: str, reviewer: str, events: list[tuple]) -> hw.Row:
    resolved = events[-1][0] if status == "resolved" else None
    return hw.case(case_id, events[0][0], CATEGORY_OF_QA_CASE.get(case_id, "spam" if case_id == "x4" else category),
                   "q2" if case_id == "c2" else "q1", status=status, vendor_id=VENDOR_OF[reviewer], reviewer_id=reviewer,
                   first_action_at=next((e[0] for e in events if e[1] == "first_action"), None), resolved_at=resolved,
                   decision="violating" if resolved else None, escalated=any(e[1] == "escalated" for e in events),
                   updated_at=events[-1][0], content_excerpt="hand-built")


VENDOR_OF = {r[0]: r[1] for r in REVIEWERS}
ROWS = {
    "sla_policies": [hw.policy("p2", "P2", 480, 1440, name="P2 standard")],
    "queues": [hw.queue(i, name, vertical, region, "p2", tier=tier, timezone="America/New_York")
               for i, name, vertical, region, tier in QUEUES],
    "vendors": [hw.vendor(i, name, kind, cost, target_throughput_per_hour=tp, target_accuracy=acc,
                          target_sla_adherence=sla, target_aht_seconds=aht, target_occupancy=occ,
                          target_overturn_rate=over)
                for i, name, kind, cost, tp, acc, sla, aht, occ, over in VENDORS],
    "reviewers": [hw.reviewer(i, v, region, site=site) for i, v, region, site in REVIEWERS],
    "shifts": [hw.shift(*s) for s in SHIFTS],
    "cases": [_case(case_id, *case) for case_id, case in CASES.items()],
    "case_events": hw.histories({case_id: events for case_id, (_, _, _, events) in CASES.items()}),
    "qa_reviews": [hw.qa_review(f"qa{n}", case_id, reviewer, "qa1", when, original, qa, golden)
                   for n, (case_id, reviewer, when, original, qa, golden) in enumerate(QA)],
    "appeals": [hw.appeal(*a) for a in APPEALS],
}
