"""Home's worst queues and Queue health's history of one queue, rendered on the hand-built
warehouse (tests/hand_warehouse.py) with the figures worked out there."""

from __future__ import annotations

import pytest

from tests.app.conftest import app_for, table_with


def test_home_names_the_worst_queues_with_queue_healths_figures(hand_env):
    at = app_for("app_pages/home.py", role="ops_lead").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Queues furthest behind" in [h.value for h in at.subheader]
    by_sla = table_with(at, "breached")
    # Only the child-safety queue has a case past (c3) or near (c4) a target.
    assert list(by_sla["label"]) == ["Child safety EMEA L1"]
    assert (list(by_sla["breached"]), list(by_sla["at_risk"]), list(by_sla["backlog"])) == ([1], [1], [2])
    assert list(by_sla["where"]) == ["EMEA · Child safety"]
    assert list(by_sla["link"]) == ["queue_health?queue=q_child_emea"]
    by_age = table_with(at, "of_target")
    # c3 is 2 h old of child safety's 24 h (8 %); c5 3 h of fraud's 72 h (4 %).
    assert list(by_age["label"]) == ["Child safety EMEA L1", "Fraud AMER L1"]
    assert list(by_age["oldest"]) == ["2 h", "3 h"] and list(by_age["target"]) == ["1 d", "3 d"]
    assert list(by_age["of_target"]) == pytest.approx([100 * 2 / 24, 100 * 3 / 72])
    assert "None" not in by_age.to_string() and "nan" not in by_age.to_string()


def test_home_links_the_worst_queues_only_for_roles_that_open_queue_health(hand_env):
    """An executive sees Home but not Queue health: the same queues, no link to a page they cannot open."""
    at = app_for("app_pages/home.py", role="executive").run()
    assert not at.exception
    by_sla = table_with(at, "breached")
    assert list(by_sla["label"]) == ["Child safety EMEA L1"] and "link" not in by_sla.columns
    assert "link" not in table_with(at, "of_target").columns


def test_queue_health_opens_on_the_worst_queues_history(hand_env):
    at = app_for("app_pages/queue_health.py", role="ops_lead").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Queue history" in [h.value for h in at.subheader]
    choose = at.selectbox(key="queue_history_queue_")
    assert choose.value == "q_child_emea"  # the table's first (red) queue
    assert at.segmented_control(key="queue_history_days").value == 30
    assert at.get("plotly_chart") and len(at.get("plotly_chart")) == 2  # the 48-hour chart and the history


def test_a_link_from_home_shows_that_queue_and_its_history(hand_env):
    at = app_for("app_pages/queue_health.py", role="ops_lead")
    at.query_params["queue"] = "q_fraud_amer"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="queue_history_queue_q_fraud_amer").value == "q_fraud_amer"
    table = table_with(at, "backlog")
    assert list(table["label"]) == ["Fraud AMER L1"]  # the table shows that queue
    assert any("Showing one queue, Fraud AMER L1" in c.value for c in at.caption)
    at.button(key="queue_health_show_all").click().run()
    assert not at.exception
    assert list(table_with(at, "backlog")["label"]) == ["Child safety EMEA L1", "Fraud AMER L1"]


def test_a_link_naming_an_unknown_queue_says_so_in_one_line(hand_env):
    at = app_for("app_pages/queue_health.py", role="ops_lead")
    at.query_params["queue"] = "<img src=x onerror=alert(1)>"
    at.run()
    assert not at.exception
    assert any("names a queue that is not in the warehouse" in w.value for w in at.warning)
    assert not any("img" in w.value for w in at.warning)
    assert len(table_with(at, "backlog")) == 2


@pytest.mark.parametrize("days", [7, 14, 90])
def test_queue_history_ranges(hand_env, days):
    at = app_for("app_pages/queue_health.py", role="ops_lead")
    at.session_state["queue_history_days"] = days
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    per = "hour" if days == 7 else "day"
    assert any(f"Per {per} over the last {days} days" in c.value for c in at.caption)
