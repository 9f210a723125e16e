"""The SLA page (AppTest) on the hand-built warehouse of tests/unit/test_sla_page_queries.py,
whose figures are worked out there."""

from __future__ import annotations

import pytest

from tests.app.conftest import app_for, errors, shown, table_with
from tests.warehouses import sla as hand
from watchfloor import roles

PAGE = "app_pages/sla.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "sla")]


def table(at, key: str):
    """A selectable table by its widget key."""
    for df in at.dataframe:
        if (df.proto.id or "").endswith(f"-{key}"):
            return df.value
    raise AssertionError(f"no table {key!r}; ids: {[df.proto.id for df in at.dataframe]}")




def breakdown_tables(at):
    """The whole-period breakdown tables: first action, then resolution."""
    found = [df.value for df in at.dataframe if list(df.value.columns) == ["label", "met", "breached", "attainment"]]
    assert len(found) == 2, [list(df.value.columns) for df in at.dataframe]
    return found


def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "ops_lead", "executive", "vendor_manager"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(sla_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["SLA"]


def test_refused_for_analyst(sla_env):
    at = app_for(PAGE, role="analyst").run()
    assert not at.exception
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_shows_the_hand_worked_figures(sla_env):
    at = app_for(PAGE, role="ops_lead").run()
    metrics = {shown(m.label): m.value for m in at.metric}
    # The window is named beside the figure; "now" figures are open cases, as on Home and Queue health.
    assert metrics["First-action SLA · selected period"] == "62.5%"  # 5 met, 3 breached
    assert metrics["Resolution SLA · selected period"] == "50.0%"  # 3 met, 3 breached
    assert metrics["Breaches · selected period"] == "6"
    assert metrics["Breached now"] == "1"  # c4, by its first action
    assert metrics["At risk now"] == "1"  # c5, by its first action
    captions = " ".join(c.value for c in at.caption)
    assert "first action 1 · resolution 0" in captions
    # breach causes, first-action clock by default: queue 66600 of 81000 s
    assert metrics["Waiting in queue"] == f"{66600 / 81000:.1%}"
    assert metrics["Closed, later reopened"] == "0.0%"

    # About to breach: the clocks at risk or warning (c5 at risk, c6 warning), as the tile's note counts them.
    upcoming = table(at, "sla_next_table_upcoming")
    assert list(upcoming["Case"]) == ["c5", "c6"]
    assert list(upcoming["Time left"]) == ["10 min", "3 h"]
    assert at.segmented_control(key="sla_next_view").options == ["About to breach (2)", "Overdue (1)"]
    at.segmented_control(key="sla_next_view").set_value("overdue").run()
    overdue = table(at, "sla_next_table_overdue")
    assert list(overdue["Case"]) == ["c4"] and list(overdue["Time left"]) == ["overdue 1 h 30 min"]

    breaches = table(at, "sla_breach_table_both")
    assert list(breaches["Case"]) == ["c4", "c3", "c11", "c2", "c8", "c10"]
    assert list(breaches["Still open"]) == [True, False, False, False, False, False]
    assert "6 breaches, newest first" in captions

    policies = table_with(at, "Calendar")
    assert list(policies["First action"]) == ["1 h", "8 h", "8 h"]


def test_breakdown_selectbox_changes_the_table(sla_env):
    at = app_for(PAGE, role="ops_lead").run()
    assert at.selectbox(key="sla_breakdown").value == "queue"
    first_action, resolution = breakdown_tables(at)
    # first action: Fraud 2 breached, Child L1 1 breached, Child L2 none
    assert list(first_action["label"]) == ["Fraud AMER L1", "Child safety EMEA L1", "Child safety EMEA L2"]
    assert list(resolution["label"]) == ["Child safety EMEA L2", "Fraud AMER L1"]
    assert list(resolution["attainment"]) == [0.0, 75.0]
    at.selectbox(key="sla_breakdown").set_value("vendor").run()
    assert not at.exception
    first_action, resolution = breakdown_tables(at)
    assert list(first_action["label"]) == ["Internal", "Northwind BPO", "No vendor"]
    assert list(first_action["met"]) == [3, 2, 0] and list(resolution["breached"]) == [2, 1]
    at.selectbox(key="sla_breakdown").set_value("priority").run()
    assert list(breakdown_tables(at)[0]["label"]) == ["P2", "P1"]  # first-action breaches 2 and 1


def test_breach_clock_filter(sla_env):
    at = app_for(PAGE, role="ops_lead").run()
    at.session_state["sla_breach_clock"] = "resolution"
    at.run()
    assert not at.exception
    assert list(table(at, "sla_breach_table_resolution")["Case"]) == ["c3", "c11", "c8"]


def test_a_quiet_period_shows_notices_not_errors(sla_env):
    at = app_for(PAGE, role="ops_lead")
    at.session_state["filter_period"] = (hand.t(15, 0).date(), hand.t(15, 0).date())
    at.run()
    assert not at.exception and not errors(at)
    infos = " ".join(i.value for i in at.info)
    assert "No SLA clock stopped or breached" in infos
    assert "No SLA breach in this period" in infos


def test_hourly_when_two_days_or_less(sla_env):
    at = app_for(PAGE, role="ops_lead")
    at.session_state["filter_period"] = (hand.t(17, 0).date(), hand.t(18, 0).date())
    at.run()
    assert not at.exception
    assert any("per hour" in c.value for c in at.caption)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["First-action SLA · selected period"] == "50.0%"  # c3, c7 met; c2, c4 breached


def test_selected_breach_shows_the_case_on_the_page_to_a_role_without_the_case_page(sla_env):
    # Vendor managers see the SLA page but not the Case page: the breach's facts open in place.
    at = app_for(PAGE, role="vendor_manager").run()
    at.session_state["sla_breach_table_both"] = {"selection": {"rows": [1], "columns": [], "cells": []}}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    expanders = [e for e in at.expander if shown(e.label) == "Case c3"]
    assert expanders, [e.label for e in at.expander]
    facts = " ".join(shown(m.value) for m in expanders[0].markdown)
    assert "**Queue:** Child safety EMEA L2" in facts and "**Breached at:** 2026-11-18 10:00 UTC" in facts
    timeline = table_with(at, "Then")
    assert list(timeline["Event"])[:3] == ["Created", "Routed", "Assigned"]


def test_open_case_switches_only_when_the_role_may_open_the_case_page(monkeypatch):
    from components import case_link

    switched = []
    monkeypatch.setattr(case_link.st, "switch_page", lambda page, query_params=None: switched.append((page, query_params)))
    assert case_link.open_case("c3", "executive") is False  # executives may not open cases
    assert case_link.open_case(None, "ops_lead") is False
    assert case_link.open_case("c3", "ops_lead") is True
    assert switched == [("app_pages/case.py", {"case_id": "c3"})]
