"""The Executive summary page (AppTest) on the hand-built warehouse of tests/unit/test_executive_queries.py,
whose figures are worked out there."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.app.conftest import app_for, errors, shown
from watchfloor import executive as ex
from watchfloor import roles

PAGE = "app_pages/executive.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "executive")]



def links(at) -> list[str]:
    """Page links drawn as plain links (a single-page AppTest has no navigation to resolve st.page_link)."""
    return [m.value for m in at.markdown if m.value.startswith("[") and "](/" in m.value]


def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "executive"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(exec_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Executive summary"]


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r not in ALLOWED])
def test_refused_for_other_roles(exec_env, role):
    at = app_for(PAGE, role=role).run()
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_shows_the_hand_worked_figures_and_changes(exec_env):
    at = app_for(PAGE, role="executive").run()
    values = {m.label: m.value for m in at.metric}
    deltas = {m.label: m.delta for m in at.metric}
    assert values == {
        "Volume": "8",                       # 8 against 6
        "Actioned share": "85.7%",           # 6 / 7
        "Proactive rate": "33.3%",           # 2 / 6
        "Median time to action": "2.0 h",    # 7200 s
        "First-action SLA": "62.5%",         # 5 / 8
        "P0 + P1 escalations": "2",          # e5, e3
        "SEV0 + SEV1 incidents": "2",        # INC-1, INC-2
        "Appeals overturned": "33.3%",       # 1 / 3
        "Automated decisions": "14.3%",      # 1 / 7
    }
    assert deltas["Volume"] == "+2 (+33%)"
    assert deltas["Actioned share"] == "+25.7 pp"      # 85.7 % - 60 %
    assert deltas["Proactive rate"] == "no change"     # 1/3 both
    assert deltas["First-action SLA"] == "-4.2 pp"     # 62.5 % - 66.7 %
    assert deltas["P0 + P1 escalations"] == "+1 (+100%)"
    assert deltas["Appeals overturned"] == "-16.7 pp"
    captions = " ".join(c.value for c in at.caption)
    assert "resolution 87.5%" in captions and "1 of 3 · 3 filed" in captions
    assert "The spike detector found no spike in the period" in captions  # so the largest rises stand in
    tables = [df.value for df in at.dataframe]
    enforcement = next(t for t in tables if "Action" in t.columns)
    assert list(enforcement["Action"]) == ["Reported to authorities", "Account banned", "Account suspended",
                                           "Content removed", "Warning"]
    notices = next(t for t in tables if "Notices" in t.columns)
    assert list(notices["Category"]) == ["Fraud & scams", "Child safety", "Spam"]
    assert list(notices["Notices"]) == [3, 1, 1] and list(notices["Change"]) == ["+50%", "0%", "-50%"]
    rising = next(t for t in tables if "Before" in t.columns)
    assert list(rising["Category"]) == ["Child safety", "Fraud & scams"]
    severe = [shown(m.value) for m in at.markdown if "linked case" in m.value]
    assert [line.split("\n")[0] for line in severe] == ["**SEV0** · INC-1 · 2 linked cases  ",
                                                         "**SEV1** · INC-2 · 1 linked case  "]
    assert severe[0].split("\n")[1] == ":gray[Child safety wave on image generation — Child safety arrivals rose to about 6x]"


def test_figures_link_to_the_pages_the_role_may_open(exec_env):
    executive = links(app_for(PAGE, role="executive").run())
    # the executive may open SLA and Incidents, not Trends, Quality or Queue health
    assert any("/sla" in link for link in executive) and any("/incidents" in link for link in executive)
    assert not any("/queue_health" in link or "/trends" in link or "/quality" in link for link in executive)
    admin = links(app_for(PAGE, role="admin").run())
    assert any("/trends" in link for link in admin)  # built and allowed for admins


def test_period_choices(exec_env):
    at = app_for(PAGE, role="executive").run()
    at.segmented_control(key="executive_period_kind").set_value("month").run()
    assert not at.exception
    assert at.selectbox(key="executive_period_month").value.isoformat() == "2026-11-01"
    assert {m.label: m.value for m in at.metric}["Volume"] == "15"  # every case, November to date
    assert "November 2026 to date" in " ".join(c.value for c in at.caption)
    at.selectbox(key="executive_period_month").set_value(at.selectbox(key="executive_period_month").options[1]).run()
    # October 2026: no cases; nothing before it either
    assert {m.label: m.value for m in at.metric}["Volume"] == "0"
    assert "no cases in the period before" in " ".join(c.value for c in at.caption)
    assert all(m.delta in (None, "") for m in at.metric)  # no changes against nothing


def test_custom_period_bad_input_gets_a_message(exec_env):
    from datetime import date

    at = app_for(PAGE, role="executive").run()
    at.segmented_control(key="executive_period_kind").set_value("custom").run()
    assert not at.exception and {m.label: m.value for m in at.metric}["Volume"] == "15"  # 11-01 .. 11-18
    at.date_input(key="executive_custom_days").set_value((date(2026, 11, 12), date(2026, 11, 12))).run()
    # one day, 11-12: e1 created
    assert {m.label: m.value for m in at.metric}["Volume"] == "1"
    at.date_input(key="executive_custom_days").set_value((date(2024, 1, 1), date(2026, 11, 12))).run()
    assert not at.exception
    assert any("at most 400 days" in i.value for i in at.info)
    assert not at.metric


def test_filters_are_named_in_the_caption(exec_env):
    at = app_for(PAGE, role="executive")
    at.session_state["filter_regions"] = ["EMEA"]
    at.run()
    assert "Filtered to region EMEA." in " ".join(c.value for c in at.caption)
    assert {m.label: m.value for m in at.metric}["Volume"] == "3"  # e3, e5, e8


def test_exports(exec_env):
    at = app_for(PAGE, role="executive").run()
    buttons = [b for b in at.get("download_button")]
    assert len(buttons) == 2


def test_every_tile_says_its_window_beside_the_number(exec_env):
    """The last 7 days to 11-18 12:00 (the default): each of the nine tiles says 'selected period' with
    its first and last day right under its number (watchfloor.metrics.PERIOD)."""
    at = app_for(PAGE, role="executive").run()
    assert not at.exception
    window = "selected period: 11-11 – 11-18"
    shown = [c.value.replace("\u2011", "-").replace("\u2060", "").replace("\u00a0", " ")  # kept on one line
             for c in at.caption]
    assert [c.split("  \n")[0] for c in shown].count(window) == len(at.metric) == 9  # the note follows on its line


def test_window_label():
    from dataclasses import replace

    from watchfloor import metrics

    figure = ex.Figure("volume", "Volume", ex.Change(1, 2), "count", "trends", "")
    week = ex.custom_period(date(2026, 11, 9), date(2026, 11, 15), datetime(2026, 11, 18, 12))
    assert ex.window_label(figure, week) == "selected period: 11-09 – 11-15"
    assert ex.window_label(figure, ex.last_7_days(datetime(2026, 11, 18, 12, 30))) == "selected period: 11-11 – 11-18"
    one_day = ex.custom_period(date(2026, 11, 9), date(2026, 11, 9), datetime(2026, 11, 18, 12))
    assert ex.window_label(figure, one_day) == "selected period: 11-09"
    assert ex.window_label(replace(figure, window=metrics.LAST_24H), week) == "last 24 h"
