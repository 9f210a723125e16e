"""The Quality page (AppTest) on the hand-built warehouse of tests/unit/test_vendor_page_queries.py,
whose QA checks are worked out there."""

from __future__ import annotations

import pytest

from tests.app.conftest import app_for, errors, table_with
from tests.warehouses import vendors as hand
from watchfloor import roles

PAGE = "app_pages/quality.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "quality")]




def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "analyst", "vendor_manager"}


@pytest.mark.parametrize("role", ALLOWED)
def test_renders_for_each_allowed_role(vendors_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    assert [t.value for t in at.title] == ["Quality"]


def test_refused_for_executive(vendors_env):
    at = app_for(PAGE, role="executive").run()
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_shows_the_hand_worked_figures(vendors_env):
    at = app_for(PAGE, role="vendor_manager").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["QA accuracy"] == f"{13 / 15:.1%}"  # 13 of 15 QA checks agreed
    assert metrics["Golden-set accuracy"] == "75.0%"  # 3 of 4
    assert metrics["Agreement (κ)"] == f"{(13 / 15 - 0.52) / 0.48:.2f}"
    assert metrics["Reviewers checked"] == "3"
    agreement = table_with(at, "Band").set_index("Category")
    assert agreement.loc["Fraud & scams", "Band"] == "🟡 moderate"
    assert agreement.loc["Spam", "Band"] == "🟢 almost perfect"
    assert agreement.loc["Hate", "Band"] == "undefined"  # one decision throughout: no mark
    infos = " ".join(i.value for i in at.info)
    assert "No reviewer has 10 or more checks" in infos  # nobody has enough checks to rank
    assert "No reviewer with 10 or more checks made an error" in infos


def test_confusion_category_can_be_chosen(vendors_env):
    at = app_for(PAGE, role="analyst").run()
    box = at.selectbox(key="quality_confusion_category")
    assert box.options == ["All categories", "Fraud & scams", "Hate", "Spam"]
    box.set_value("hate").run()
    assert not at.exception and not errors(at)


def test_a_quiet_period_says_so(vendors_env):
    at = app_for(PAGE, role="analyst")
    at.session_state["filter_period"] = (hand.t(1, 0).date(), hand.t(3, 0).date())
    at.run()
    assert not at.exception and not errors(at)
    assert any("No QA checks" in i.value for i in at.info)


def test_calibration_list_by_reviewer_id(vendors_env, monkeypatch):
    from watchfloor import quality

    # With 5 checks enough to be ranked: r2 (2 errors in 6) before r1 (1 in 8); r3 made none.
    monkeypatch.setattr(quality, "MIN_CHECKS_FOR_RANKING", 5)
    at = app_for(PAGE, role="vendor_manager").run()
    assert not at.exception
    ranked = table_with(at, "worst_category")
    assert list(ranked["reviewer_id"]) == ["r2", "r1"]
    assert list(ranked["errors"]) == [2, 1] and list(ranked["worst_category"]) == ["Fraud & scams"] * 2
