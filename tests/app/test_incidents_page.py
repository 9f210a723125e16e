"""The Incidents page (AppTest) on the hand-built warehouse of tests/unit/test_executive_queries.py; the
incident figures are worked out in tests/unit/test_incidents.py."""

from __future__ import annotations

from datetime import date

import pytest

from tests.app.conftest import app_for, errors, table_with
from watchfloor import roles
from watchfloor.filters import Filters

PAGE = "app_pages/incidents.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "incidents")]





def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "ops_lead", "executive", "analyst"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(exec_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Incidents"]


def test_refused_for_vendor_managers(exec_env):
    at = app_for(PAGE, role="vendor_manager").run()
    assert any("does not give access" in e for e in errors(at)) and not at.title


def test_shows_the_hand_worked_figures(exec_env):
    at = app_for(PAGE, role="ops_lead").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Incidents"] == "3"
    # Medians over the two resolved incidents (INC-1, INC-3), every one over the same two.
    assert metrics["Time to detect"] == "45 min"
    assert metrics["Time to acknowledge"] == "10 min"
    assert metrics["Time to mitigate"] == "3.0 h"
    assert metrics["Time to resolve"] == "7.5 h"
    listed = table_with(at, "To detect")
    assert list(listed["Incident"]) == ["INC-2", "INC-1", "INC-3"]
    assert list(listed["Linked cases"]) == [1, 2, 0]
    assert list(listed["To mitigate"]) == ["–", "3.0 h", "3.0 h"]
    # the most recent incident is shown first: INC-2, its story up to now
    assert at.selectbox(key="incidents_selected").value == "INC-2"
    assert list(table_with(at, "Since start")["What"]) == ["Started", "Detected", "Acknowledged"]


def test_choosing_an_incident_shows_its_story_and_spike(exec_env):
    at = app_for(PAGE, role="ops_lead").run()
    at.selectbox(key="incidents_selected").set_value("INC-1").run()
    assert not at.exception
    story = table_with(at, "Since start")
    assert list(story["What"]) == ["Started", "Detected", "Acknowledged", "Update", "Mitigated", "Resolved"]
    assert list(story["Since start"]) == ["0 min", "30 min", "40 min", "2.0 h", "3.0 h", "9.0 h"]
    # A single case is no spike: the spike record holds none for INC-1's category (the spike's own
    # figures are tested in tests/unit/test_incidents.py and tests/unit/test_consistency.py).
    assert "× expected" not in {m.label for m in at.metric}
    assert any("found no spike in this category" in i.value for i in at.info)
    assert "1 case linked to the incident in the charted hours." in [c.value for c in at.caption]


def test_a_link_can_name_the_incident(exec_env):
    at = app_for(PAGE, role="executive")
    at.query_params["incident"] = "INC-3"
    at.run()
    assert at.selectbox(key="incidents_selected").value == "INC-3"
    unknown = app_for(PAGE, role="executive")
    unknown.query_params["incident"] = "INC-99'; DROP TABLE incidents;--"
    unknown.run()
    assert not unknown.exception
    assert any("is not in this list" in w.value for w in unknown.warning)
    assert unknown.selectbox(key="incidents_selected").value == "INC-2"


def test_severity_filter_and_empty_state(exec_env):
    at = app_for(PAGE, role="ops_lead").run()
    at.multiselect(key="incidents_severity").set_value(["SEV2"]).run()
    assert list(table_with(at, "To detect")["Incident"]) == ["INC-3"]
    at.multiselect(key="incidents_status").set_value(["open"]).run()
    assert not at.exception and not at.metric
    assert any("No incidents" in i.value for i in at.info)


def test_a_quiet_date_range_says_so(exec_env):
    at = app_for(PAGE, role="ops_lead")
    at.session_state["filters"] = Filters(start=date(2026, 11, 10), end=date(2026, 11, 12))
    at.run()
    assert not at.exception and not errors(at)
    assert any("No incidents in this date range" in i.value for i in at.info)


def test_linked_cases_of_the_chosen_incident(exec_env):
    # The most recent incident, INC-2, has one linked case (e6); INC-1 has e5 and e3, newest first.
    at = app_for(PAGE, role="analyst").run()
    assert list(table_with(at, "Enforcement")["Case"]) == ["e6"]
    at.selectbox(key="incidents_selected").set_value("INC-1").run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(table_with(at, "Enforcement")["Case"]) == ["e5", "e3"]


def test_a_role_without_the_case_page_is_not_told_to_select_a_case(exec_env):
    """Executives see Incidents but not the Case page: the linked cases are a plain table, with no
    'Select a row to open the case' that would tick a row and do nothing."""
    at = app_for(PAGE, role="executive").run()
    assert not at.exception
    captions = [c.value for c in at.caption if "Cases linked to" in c.value]
    assert captions and not any("Select a row" in c for c in captions)
    lead = app_for(PAGE, role="ops_lead").run()
    assert any("Select a row to open the case" in c.value for c in lead.caption if "Cases linked to" in c.value)
