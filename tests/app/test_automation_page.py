"""The Automation & routing page (AppTest) on the hand-built warehouse of
tests/unit/test_automation_queries.py, whose figures are worked out there."""

from __future__ import annotations

import pytest

from tests.app.conftest import app_for, errors, table_with
from tests.warehouses import automation as hand
from watchfloor import roles

PAGE = "app_pages/automation.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "automation")]


def page(role: str = "analyst"):
    at = app_for(PAGE, role=role)
    at.session_state["filter_period"] = (hand.RANGE.start, hand.RANGE.end)
    return at


def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "ops_lead", "analyst"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(automation_env, role):
    at = page(role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Automation & routing"]
    assert [s.value for s in at.subheader] == ["Routing flow", "Bottlenecks over time", "Classifier feedback",
                                              "Threshold what-if", "Automation candidates"]


@pytest.mark.parametrize("role", ["executive", "vendor_manager"])
def test_refused_for_other_roles(automation_env, role):
    at = page(role).run()
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_shows_the_hand_worked_figures(automation_env):
    at = page().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cases"] == "6"
    assert metrics["Automated"] == f"{1 / 6:.1%}"
    assert metrics["Re-route rate"] == "20.0%"  # a2 of five routed cases
    assert metrics["Escalation rate"] == "20.0%"  # a3
    assert metrics["Escalation loop rate"] == "100.0%"  # a3 came back down
    # the what-if starts three steps below today's automation (0.97): 0.94, where a6 (0.95) moves
    assert at.select_slider(key="automation_threshold_clf-a").value == 0.94
    assert metrics["Would automate"] == "50.0%"  # a1, a6 of four flags
    assert metrics["Precision"] == "–"  # a6 is not decided yet
    assert metrics["Backlog cleared"] == "1"
    stages = table_with(at, "Median time (h)").set_index("Stage")
    assert stages.loc["Pending the user", "Cases in it"] == 1
    assert stages.loc["Waiting to be picked", "Median time (h)"] == pytest.approx(1.0)
    breaches = table_with(at, "Stage contributing most").set_index("Queue group")
    assert breaches.loc["Hate & harassment", "Stage contributing most"] == "Waiting to be picked (100 %)"
    assert breaches.loc["Fraud & spam", "Stage contributing most"] == "no breach"
    classifiers = table_with(at, "Recall (95 % CI)")
    assert classifiers.loc[0, "Precision (95 % CI)"].startswith("50.0% (")
    assert classifiers.loc[0, "Recall (95 % CI)"].startswith("100.0% (")
    bands = table_with(at, "Median case-time (h)")
    # a routed case crosses three bands (source -> queue -> path -> outcome), a1 (automated) two
    assert bands["Cases"].sum() == 5 * 3 + 2


def test_moving_the_threshold_changes_the_what_if(automation_env):
    at = page().run()
    at.select_slider(key="automation_threshold_clf-a").set_value(0.8).run()
    assert not at.exception and not errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Would automate"] == "100.0%"
    assert metrics["Precision"] == "50.0%"  # a3 violating, a5 not
    assert metrics["Wrong a day"] == f"{3 / hand.DAYS * 0.5:,.1f}"
    assert metrics["Hours saved a day"] == f"{(7200 + 2400) / 3600 / hand.DAYS:,.1f} h"


def test_a_quiet_period_says_so(automation_env):
    at = app_for(PAGE, role="analyst")
    at.session_state["filter_period"] = (hand.t(1, 0).date(), hand.t(3, 0).date())
    at.run()
    assert not at.exception and not errors(at)
    assert any("No case in this period" in i.value for i in at.info)
