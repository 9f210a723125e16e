"""Rule evaluation against hand-built warehouses, every expectation worked out by hand.

The hand warehouse (tests/warehouses/home.py), as of Wednesday 2026-11-18 12:00 UTC:
  q_child_emea "Child safety EMEA L1" (P1: first action 60 min, resolution 1440 min), open:
     c3 queued since 10:00, no first action: 120 of 60 min, breached (at 11:00);
     c4 queued since 11:10: 50 of 60 min = 83 %, at risk.
     Oldest open case c3, 2 h = 7,200 s: 200 % of the first-action target, 8.3 % of resolution.
  q_fraud_amer "Fraud AMER L1" (P2: first action 480 min, resolution 4320 min), open:
     c5 in review since 09:00, first action met at 09:30, resolution on track.
     Oldest open case c5, 3 h = 10,800 s: 37.5 % of 480 min, 4.2 % of 4,320 min.
  Nobody is on shift (no shifts): capacity 0, so neither backlog shrinks (projected time: none).
  First-action clocks counted in the last 24 h: met c1 (fraud), c5 (fraud); breached c2 (fraud,
     21:00), c3 (child, 11:00): 2 of 4 = 50 % overall (Home's tile: home.EXPECTED_ATTAINMENT),
     fraud 2 of 3 = 66.7 %, child 0 of 1 = 0 %. Resolution: met c1, c2, c6, none breached: 100 %.
  Incidents: i1 SEV1 'Scam wave' started 11-17 06:00, not resolved, no detection or acknowledgement
     recorded (the acknowledgement clock runs from its start: 30 h); i2 resolved; i3 starts later.
  Newest event: c4's creation at 11:10, 50 minutes before now.
The vendor warehouse of tests/unit/test_vendor_page_queries.py (its docstring works out every
figure) over 2026-11-12..18: v_a Acme Review misses golden-set accuracy (0.75 against 0.81, red)
and is amber on QA accuracy and appeal overturns; v_b Trust Ops is red on AHT and overturns.
The spike warehouse of tests/unit/test_watched_spikes_queries.py: +25 cases an hour on image_gen
x APAC at 06:00-08:00 on 11-18, one 'high' alert 'Impersonation · Image gen · APAC' (105 cases
against 30 expected), still ongoing at 09:30 and ended by 12:30.
"""

from __future__ import annotations

from datetime import datetime

from tests.warehouses import home, vendors
from watchfloor.alerting import kinds, rules
from watchfloor.alerting.findings import Context, Finding


def rule(kind: str, **settings) -> rules.Rule:
    body = ", ".join(f"{k}: {v}" for k, v in settings.items())
    return rules.parse(f"rules:\n  - {{id: r, kind: {kind}{', ' + body if body else ''}}}\n").rules[0]


def evaluate(warehouse: str, as_of: datetime, kind: str, **settings) -> list[Finding]:
    return kinds.evaluate(rule(kind, **settings), Context(as_of=as_of, warehouse=warehouse))


def keys(findings) -> list[str]:
    return sorted(f.key for f in findings)


def test_breached_and_at_risk_cases_per_queue(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    breached = evaluate(w, t, "sla_cases", state="breached", at_least=1)
    assert [(f.key, f.title) for f in breached] == [("q_child_emea", "1 breached case in Child safety EMEA L1")]
    assert breached[0].page == "queue_health"
    assert breached[0].link == {"from": ["2026-11-18"], "to": ["2026-11-18"], "region": ["EMEA"],
                                "vertical": ["Child safety"], "priority": ["P1"]}
    assert keys(evaluate(w, t, "sla_cases", state="at_risk", at_least=1)) == ["q_child_emea"]
    both = evaluate(w, t, "sla_cases", state="breached_or_at_risk", at_least=2)
    assert keys(both) == ["q_child_emea"] and both[0].title.startswith("2 breached or at-risk cases")
    assert evaluate(w, t, "sla_cases", state="breached_or_at_risk", at_least=3) == []


def test_the_scope_narrows_what_a_rule_watches(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    assert evaluate(w, t, "sla_cases", scope="{region: AMER}") == []
    assert evaluate(w, t, "sla_cases", scope="{queue: q_fraud_amer}") == []
    assert keys(evaluate(w, t, "sla_cases", scope="{vertical: 'Child safety'}")) == ["q_child_emea"]
    assert keys(evaluate(w, t, "sla_cases", scope="{queue: [q_child_emea, q_fraud_amer]}")) == ["q_child_emea"]


def test_oldest_case_against_a_share_of_its_target(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    # first action: child 200 %, fraud 37.5 %
    found = evaluate(w, t, "oldest_case", target="first_action", share=2.0)
    assert keys(found) == ["q_child_emea"]
    assert found[0].since == home.t(18, 10)  # c3's creation
    assert "case c3: 200% of the 1 h first-action target" in found[0].measure
    assert evaluate(w, t, "oldest_case", target="first_action", share=2.01) == []
    assert keys(evaluate(w, t, "oldest_case", target="first_action", share=0.375)) == ["q_child_emea", "q_fraud_amer"]
    # resolution: child 8.3 %, fraud 4.2 %
    assert keys(evaluate(w, t, "oldest_case", target="resolution", share=0.05)) == ["q_child_emea"]
    assert keys(evaluate(w, t, "oldest_case", target="resolution", share=0.04)) == ["q_child_emea", "q_fraud_amer"]


def test_a_backlog_nobody_works_does_not_clear(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    found = evaluate(w, t, "time_to_clear")
    assert keys(found) == ["q_child_emea", "q_fraud_amer"]
    assert all("not clearing: 0 out against 0 in over the last hour" in f.measure for f in found)
    assert keys(evaluate(w, t, "time_to_clear", min_backlog=2)) == ["q_child_emea"]  # child 2 open, fraud 1


def test_attainment_over_the_last_hours(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    met, breached = home.EXPECTED_ATTAINMENT[("last_24h", "first_action")]
    overall = evaluate(w, t, "attainment", clock="first_action", below=0.9, min_clocks=4)
    assert [f.key for f in overall] == ["all"] and met / (met + breached) == 0.5
    assert overall[0].title == "First action SLA at 50.0% over the last 24 h"
    assert overall[0].page == "home"  # 24 hours overall: Home's first-action tile shows the same 50.0 %
    assert evaluate(w, t, "attainment", clock="first_action", below=0.9, min_clocks=5) == []
    assert evaluate(w, t, "attainment", clock="first_action", below=0.5, min_clocks=1) == []  # 50 % is not below 50 %
    assert evaluate(w, t, "attainment", clock="resolution", below=0.99, min_clocks=1) == []  # 3 of 3
    by_queue = evaluate(w, t, "attainment", clock="first_action", below=0.7, min_clocks=1, by="queue")
    assert [(f.key, f.page) for f in sorted(by_queue, key=lambda f: f.key)] == [("q_child_emea", "sla"),
                                                                                ("q_fraud_amer", "sla")]
    assert keys(evaluate(w, t, "attainment", clock="first_action", below=0.5, min_clocks=1, by="queue")) == ["q_child_emea"]
    # the last 12 hours (from 00:00): met c5, breached c3 -> 50 %; c1's first action at 03:00 met too -> 2 of 3
    twelve = evaluate(w, t, "attainment", clock="first_action", below=0.9, min_clocks=1, hours=12)
    assert twelve[0].page == "sla" and "2 met, 1 breached" in twelve[0].measure


def test_incidents_open_and_unacknowledged(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    opened = evaluate(w, t, "incident")
    assert [f.key for f in opened] == ["i1"]
    assert opened[0].link == {"from": ["2026-11-17"], "to": ["2026-11-18"], "incident": ["i1"]}
    waiting = evaluate(w, t, "incident", unacknowledged_minutes=15)
    assert [f.key for f in waiting] == ["i1"] and "not acknowledged for 1 d 6 h" in waiting[0].title
    assert evaluate(w, t, "incident", unacknowledged_minutes=1801) == []  # 30 h = 1,800 min
    assert evaluate(w, t, "incident", severities="[SEV0]") == []  # i3 has not started yet


def test_freshness(hand_warehouse_path):
    w, t = hand_warehouse_path, home.AS_OF
    stale = evaluate(w, t, "freshness", older_than_minutes=50)
    assert [f.key for f in stale] == ["warehouse"] and stale[0].since == home.NEWEST_EVENT
    assert evaluate(w, t, "freshness", older_than_minutes=51) == []


def test_vendors_below_their_contract(vendors_warehouse):
    w, t = vendors_warehouse, vendors.AS_OF
    red = {f.key: f for f in evaluate(w, t, "vendor")}
    assert set(red) == {"v_a", "v_b"}
    assert red["v_a"].title == "Acme Review below its contract on 1 figure"
    assert "Golden-set accuracy 75.0% against 81.0% (red)" in red["v_a"].measure
    assert red["v_b"].title == "Trust Ops below its contract on 2 figures"
    assert red["v_a"].link == {"from": ["2026-11-12"], "to": ["2026-11-18"], "vendor": ["v_a"]}
    amber = {f.key: f.title for f in evaluate(w, t, "vendor", level="amber")}
    assert amber["v_a"] == "Acme Review below its contract on 3 figures"  # QA and overturns amber, golden red
    assert {f.key for f in evaluate(w, t, "vendor", figures="[sla_adherence, throughput_per_hour]", level="amber")} == set()
    assert {f.key for f in evaluate(w, t, "vendor", scope="{vendor: v_b}")} == {"v_b"}


def test_a_spike_alert_lasts_while_the_spike_is_ongoing(watched_warehouse):
    during = evaluate(watched_warehouse, datetime(2026, 11, 18, 9, 30), "spike", min_severity="medium")
    assert [(f.key, f.title) for f in during] == [("impersonation", "High spike in Impersonation · Image gen · APAC")]
    assert during[0].since == datetime(2026, 11, 18, 6) and during[0].measure.startswith("105 cases against 30 expected")
    assert during[0].link == {"from": ["2026-11-18"], "to": ["2026-11-18"], "region": ["APAC"]}
    assert evaluate(watched_warehouse, datetime(2026, 11, 18, 9, 30), "spike", min_severity="critical") == []
    assert evaluate(watched_warehouse, datetime(2026, 11, 18, 9, 30), "spike", scope="{category: spam}") == []
    assert evaluate(watched_warehouse, datetime(2026, 11, 18, 12, 30), "spike", min_severity="low") == []  # ended
