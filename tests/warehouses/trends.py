"""The Trends page's warehouse (its figures are worked out in tests/unit/test_trends_queries.py):
the range 2026-11-16..18 as of Wednesday 2026-11-18 12:00 UTC."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from tests import hand_warehouse as hw
from tests.hand_warehouse import t
from watchfloor.filters import Filters

AS_OF = hw.AS_OF
RANGE = Filters(start=date(2026, 11, 16), end=date(2026, 11, 18))
START, END = datetime(2026, 11, 16), datetime(2026, 11, 19)

# case_id, created, category, subcategory, surface, region, language, source, org, queue, classifier, score,
# automated, decision
CASES = [
    ("t1", t(16, 10, 15), "fraud_scams", "phishing", "api", "AMER", "en", "classifier", "org_a", "q_fraud", "clf-a", 0.55, False, "violating"),
    ("t2", t(16, 10, 40), "fraud_scams", "phishing", "api", "AMER", "en", "classifier", "org_a", "q_fraud", "clf-a", 0.95, True, "violating"),
    ("t3", t(17, 9, 0), "fraud_scams", "phishing", "chat", "AMER", "es", "user_report", None, "q_fraud", None, None, False, "non_violating"),
    ("t4", t(17, 9, 30), "spam", "seo_spam", "chat", "AMER", "en", "classifier", "org_b", "q_fraud", "clf-a", 0.58, False, "non_violating"),
    ("t7", t(17, 11, 0), "spam", "seo_spam", "chat", "AMER", "en", "classifier", "org_b", "q_fraud", "clf-b", 1.0, False, "violating"),
    ("t5", t(18, 8, 0), "hate", "slurs", "chat", "EMEA", "de", "user_report", None, "q_hate", None, None, False, None),
    ("p3", t(13, 23, 59), "hate", "slurs", "chat", "EMEA", "fr", "user_report", None, "q_hate", None, None, False, None),
    ("p1", t(14, 10, 0), "fraud_scams", "phishing", "chat", "AMER", "en", "user_report", None, "q_fraud", None, None, False, "violating"),
    ("p2", t(15, 10, 0), "hate", "slurs", "chat", "EMEA", "de", "user_report", None, "q_hate", None, None, False, None),
    ("h1", t(10, 10, 0), "spam", "seo_spam", "chat", "AMER", "en", "user_report", None, "q_fraud", None, None, False, None),
    ("h2", t(12, 23, 59), "fraud_scams", "phishing", "chat", "AMER", "en", "user_report", None, "q_fraud", None, None, False, None),
]


def _case(case_id, created, category, sub, surface, region, language, source, org, queue, clf, score, automated,
          decision) -> hw.Row:
    resolved = created + timedelta(hours=1) if decision else None
    return hw.case(case_id, created, category, queue, source=source, surface=surface, subcategory=sub, region=region,
                   language=language, status="resolved" if decision else "queued", org_id=org, resolved_at=resolved,
                   decision=decision, classifier_name=clf, classifier_score=score, automated=automated,
                   updated_at=resolved or created, content_excerpt="hand-built")


ROWS = {
    "sla_policies": [hw.policy("p2", "P2", 480, 4320, name="P2")],
    "queues": [hw.queue("q_fraud", "L1 fraud AMER", "fraud_spam", "AMER", "p2"),
               hw.queue("q_hate", "L1 hate EMEA", "hate_harassment", "EMEA", "p2")],
    "cases": [_case(*row) for row in CASES],
}
