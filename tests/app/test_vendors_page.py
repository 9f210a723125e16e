"""The Vendors page (AppTest) on the hand-built warehouse of tests/unit/test_vendor_page_queries.py,
whose figures are worked out there."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.app.conftest import app_for, errors, table_with
from tests.warehouses import vendors as hand
from watchfloor import roles

PAGE = "app_pages/vendors.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "vendors")]




def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "vendor_manager"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(vendors_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Vendors"]
    assert [s.value for s in at.subheader] == ["Scorecards", "Week by week", "Side by side",
                                               "Agreement with QA by category", "Export"]


def test_refused_for_ops_lead(vendors_env):
    at = app_for(PAGE, role="ops_lead").run()
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_grades_and_scorecard_show_the_hand_worked_figures(vendors_env):
    at = app_for(PAGE, role="vendor_manager").run()
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {"Acme Review": "Grade C", "Trust Ops": "Grade B"}
    card = table_with(at, "Grade").set_index("Vendor")
    # Each figure after the mark of its contract colour (worked out in test_vendor_page_queries);
    # figures without a target or a value have none.
    assert card.loc["Acme Review", "Cases handled"] == "5"
    assert card.loc["Acme Review", "AHT"] == "🟢 560 s"
    assert card.loc["Acme Review", "QA accuracy"] == "🟠 80.0%"
    assert card.loc["Acme Review", "Golden-set accuracy"] == "🔴 75.0%"
    assert card.loc["Acme Review", "Agreement (κ)"] == "🟠 0.58"
    assert card.loc["Acme Review", "Appeal overturn rate"] == "🟠 33.3%"
    assert card.loc["Acme Review", "Cost per case"] == "$312.00"
    assert card.loc["Trust Ops", "AHT"] == "🔴 30.0 min"
    assert card.loc["Trust Ops", "Golden-set accuracy"] == "–"


def test_show_by_site_and_week(vendors_env):
    at = app_for(PAGE, role="vendor_manager").run()
    at.segmented_control(key="vendors_level").set_value("site").run()
    assert not at.exception
    sites = table_with(at, "Site")
    assert list(sites["Site"]) == ["Bogota", "Manila", "Austin"]
    # Manila: c3 and c8, 600 s each; the Acme sites within its 600 s target, Austin (Trust Ops) not.
    assert list(sites["AHT"]) == ["🟢 540 s", "🟢 10.0 min", "🔴 30.0 min"]
    at.segmented_control(key="vendors_level").set_value("week").run()
    weeks = table_with(at, "Week starting")
    assert list(weeks["Week starting"]) == ["2026-11-09", "2026-11-16", "2026-11-09", "2026-11-16"]
    assert list(weeks["Cases handled"]) == ["2", "3", "1", "1"]


def test_side_by_side_offers_two_different_vendors(vendors_env):
    at = app_for(PAGE, role="vendor_manager").run()
    assert at.selectbox(key="vendors_compare_first").value == "v_a"
    assert at.selectbox(key="vendors_compare_second").options == ["Trust Ops"]
    both = table_with(at, "Figure").set_index("Figure")
    assert list(both.columns) == ["Acme Review", "Acme Review target", "Trust Ops", "Trust Ops target"]
    assert both.loc["Grade", "Acme Review"] == "C" and both.loc["Grade", "Trust Ops"] == "B"
    assert both.loc["Resolution SLA", "Acme Review target"] == "80.0%"
    assert both.loc["Resolution SLA", "Acme Review"] == "🟢 80.0%"  # meets its target: green
    assert both.loc["First-action SLA", "Acme Review"] == "🟢 80.0%"  # both clocks are reported
    at.selectbox(key="vendors_compare_first").set_value("v_b").run()
    assert not at.exception
    assert at.selectbox(key="vendors_compare_second").value == "v_a"


def test_trend_figure_can_be_changed(vendors_env):
    at = app_for(PAGE, role="vendor_manager").run()
    at.selectbox(key="vendors_trend_figure").set_value("aht_seconds").run()
    assert not at.exception and not errors(at)


def test_exports_are_offered(vendors_env):
    at = app_for(PAGE, role="vendor_manager").run()
    assert at.selectbox(key="vendors_export_vendor").options == ["Acme Review", "Trust Ops"]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download scorecard"]


def test_a_quiet_period_says_so(vendors_env):
    at = app_for(PAGE, role="vendor_manager")
    at.session_state["filter_period"] = (hand.t(1, 0).date(), hand.t(3, 0).date())
    at.run()
    assert not at.exception and not errors(at)
    assert any("No vendor work" in i.value for i in at.info)


def test_week_by_week_offers_more_weeks_when_the_range_holds_too_few(vendors_env):
    """The default week is too short for a trend: the chart offers the last 8 weeks, and the button
    sets the sidebar's range to the 56 days ending where it ended."""
    at = app_for(PAGE, role="vendor_manager")
    end = hand.AS_OF.date()
    at.session_state["filter_period"] = (end - timedelta(days=6), end)
    at.run()
    assert not at.exception and not errors(at)
    at.button(key="vendors_trend_chart_widen").click().run()
    assert not at.exception and not errors(at)
    chosen = at.session_state["filters"]
    assert (chosen.start, chosen.end) == (end - timedelta(days=55), end)
    # The page now reads the eight weeks (its caption names the range it shows), and the offer is gone.
    assert any(f"{end - timedelta(days=55):%Y-%m-%d} to {end:%Y-%m-%d}" in c.value for c in at.caption)
    assert not [b for b in at.button if b.key == "vendors_trend_chart_widen"]
