"""The Case page (AppTest) on the hand-built warehouse of tests/unit/test_case_view.py, whose figures
are worked out there; every view and reveal must write exactly one audit row."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from tests import hand_warehouse
from tests.app.conftest import app_for, errors, shown
from tests.warehouses import case as hand
from watchfloor import case_figures, roles

PAGE = "app_pages/case.py"
ALLOWED = [role for role in roles.ROLES if roles.can_view(role, "case")]


@pytest.fixture
def audit_log(tmp_path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture
def case_env(monkeypatch, case_warehouse, audit_log):
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", case_warehouse)
    monkeypatch.setenv("WATCHFLOOR_AS_OF", hand.AS_OF.isoformat())
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(audit_log))
    return audit_log


def rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def brief(path: Path) -> list[tuple[str, str, str, str]]:
    return [(r["user"], r["role"], r["action"], r["case_id"]) for r in rows(path)]


def open_case(case_id: str, role: str = "analyst", username: str = "ana"):
    at = app_for(PAGE, role=role, username=username)
    at.query_params["case_id"] = case_id
    return at.run()


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [t.value for t in at.text] + [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def search(at, term: str):
    at.text_input(key="case_search").input(term)
    next(b for b in at.button if b.label == "Find").click()
    return at.run()


def reveal(at, reason: str):
    at.text_input(key="case_reveal_reason").input(reason)
    next(b for b in at.button if b.label == "Reveal content").click()
    return at.run()


def come_back(at, case_id: str, role: str = "analyst", username: str = "ana"):
    """Leave the page and come back to a case: Streamlit drops the state of the widgets a run does
    not draw (the page's), while the page's own session keys stay. A fresh AppTest with those keys."""
    back = app_for(PAGE, role=role, username=username)
    for key in ("case_shown", "case_revealed"):
        back.session_state[key] = at.session_state[key]
    back.query_params["case_id"] = case_id
    return back.run()


def test_allowed_roles_match_the_access_table():
    assert set(ALLOWED) == {"admin", "ops_lead", "analyst"}


@pytest.mark.parametrize("role", ALLOWED)
def test_the_search_page_renders_for_each_allowed_role(case_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception and not errors(at)
    assert [t.value for t in at.title] == ["Case"]
    assert at.text_input(key="case_search").value == ""
    assert brief(case_env) == []  # no case, no view


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r not in ALLOWED])
def test_refused_for_other_roles_and_nothing_logged(case_env, role):
    at = open_case("k1", role=role)
    assert any("does not give access" in e for e in errors(at))
    assert not at.title and brief(case_env) == []


def test_a_deep_link_shows_the_case_and_logs_one_view(case_env):
    at = open_case("k1")
    assert not at.exception and not errors(at), [e.value for e in at.exception]
    assert shown(at.subheader[0].value) == "Case k1 · Fraud & scams"
    text = shown(page_text(at))
    assert "**Queue:** Fraud AMER L1" in text and "**Vendor:** Northwind BPO" in text
    assert "i1 · Scam wave" in text
    assert "Open the incident" in text  # a link to the Incidents page, which analysts may open
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["First action: share of target used"] == "25.0%"  # 2 h of 8 h
    assert metrics["Resolution: share of target used"] == "4.2%"  # 3 h of 72 h
    assert "1 other case(s) of account acct_a, 1 of other accounts in organisation org_x" in text
    assert brief(case_env) == [("ana", "analyst", "view", "k1")]
    # reruns, and using widgets on the page, are the same view
    at.run()
    at.text_input(key="case_reveal_reason").input("typing only")
    at.run()
    assert brief(case_env) == [("ana", "analyst", "view", "k1")]


def test_each_case_opened_is_one_view_and_coming_back_is_another(case_env):
    at = open_case("k1")
    at.query_params["case_id"] = "k3"  # what a related-case row does
    at.run()
    assert at.subheader[0].value.startswith("Case k3")
    at.query_params["case_id"] = "k1"
    at.run()
    at.run()
    assert [r[3] for r in brief(case_env)] == ["k1", "k3", "k1"]
    assert at.session_state["case_shown"] == "k1"
    come_back(at, "k1")
    assert [r[3] for r in brief(case_env)] == ["k1", "k3", "k1", "k1"]


def test_an_unknown_case_id_gets_a_clear_message_and_no_audit_row(case_env):
    for unknown in ("nope", "k4"):  # k4 is created after AS_OF
        at = open_case(unknown)
        assert not at.exception
        assert any(f"no case, account or organisation has the id {unknown}." in shown(w.value) for w in at.warning)
        assert not at.subheader
    assert brief(case_env) == []


@pytest.mark.parametrize("hostile", hand.HOSTILE)
def test_hostile_input_in_the_link_or_the_search_box_is_not_found(case_env, hostile):
    at = open_case(hostile)
    assert not at.exception, [e.value for e in at.exception]
    assert any(w.value.startswith("Not found") for w in at.warning)
    if len(hostile) <= case_figures.SEARCH_MAX_CHARS:  # the box takes no more (the link does: above)
        at = app_for(PAGE, role="analyst").run()
        search(at, hostile)
        assert not at.exception, [e.value for e in at.exception]
        if hostile.strip():
            assert any(w.value.startswith("Not found") for w in at.warning)
    assert brief(case_env) == []


def test_search_by_case_id_opens_the_case(case_env):
    at = app_for(PAGE, role="ops_lead", username="ole").run()
    search(at, " K1 ")
    assert not at.exception
    assert at.query_params["case_id"] == ["k1"] or at.query_params["case_id"] == "k1"
    assert at.subheader[0].value.startswith("Case k1")
    assert brief(case_env) == [("ole", "ops_lead", "view", "k1")]


def test_search_by_account_lists_its_cases(case_env):
    at = app_for(PAGE, role="analyst").run()
    search(at, "acct_a")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["Case"]) == ["k1", "k3"] and set(table["Found by"]) == {"Account"}
    assert any("2 case(s) found" in c.value for c in at.caption)
    assert brief(case_env) == []  # a list of cases is not a view of any


def test_content_is_blurred_until_revealed_with_a_reason(case_env):
    at = open_case("k1")
    assert hand.EXCERPT_K1 not in page_text(at)
    assert hand.EXCERPT_K1 not in "".join(str(h.proto) for h in at.get("html"))
    reveal(at, "short")  # too short a reason: refused
    assert any("at least" in e for e in errors(at))
    assert hand.EXCERPT_K1 not in page_text(at)
    reveal(at, "ticket T-77: check the scam wording")
    assert not errors(at)
    assert [t.value for t in at.text] == [hand.EXCERPT_K1]
    assert brief(case_env) == [("ana", "analyst", "view", "k1"), ("ana", "analyst", "reveal", "k1")]
    assert rows(case_env)[1]["reason"] == "ticket T-77: check the scam wording"
    at.run()  # still revealed on a rerun, and no new row
    assert [t.value for t in at.text] == [hand.EXCERPT_K1] and len(rows(case_env)) == 2
    at.button(key="case_blur_again").click().run()
    assert hand.EXCERPT_K1 not in page_text(at)
    assert len(rows(case_env)) == 2


def test_the_reveal_ends_when_the_user_leaves_the_case(case_env):
    at = open_case("k1")
    reveal(at, "ticket T-77: check the scam wording")
    assert [t.value for t in at.text] == [hand.EXCERPT_K1]
    at.query_params["case_id"] = "k2"
    at.run()
    at.query_params["case_id"] = "k1"
    at.run()
    assert hand.EXCERPT_K1 not in page_text(at)
    reveal(at, "ticket T-78: second look")
    assert at.session_state["case_revealed"] == "k1"
    at = come_back(at, "k1")
    assert hand.EXCERPT_K1 not in page_text(at)
    assert at.session_state["case_revealed"] is None
    assert [r[2:] for r in brief(case_env)] == [
        ("view", "k1"), ("reveal", "k1"), ("view", "k2"), ("view", "k1"), ("reveal", "k1"), ("view", "k1")]


def test_a_role_without_reveal_rights_cannot_reveal(case_env, monkeypatch):
    from components import case_view as draw
    from components.shell import User

    # Every role that may open the Case page may reveal today; take the right away from ops_lead.
    monkeypatch.setattr(roles, "REVEAL_ROLES", frozenset({"admin", "analyst"}))
    at = open_case("k1", role="ops_lead", username="ole")
    assert not at.exception
    assert not [b for b in at.button if b.label == "Reveal content"]
    assert any("may not reveal it" in c.value for c in at.caption)
    # and the reveal itself refuses, whatever the page drew
    draw_state = {draw.REASON_KEY: "a perfectly good reason"}
    monkeypatch.setattr(draw.st, "session_state", draw_state)
    draw._reveal("k1", User(username="ole", name="Ole", role="ops_lead"))
    assert draw_state.get(draw.REVEALED_KEY) is None
    assert draw_state[draw.REVEAL_ERROR_KEY] == "Your role may not reveal case content."
    assert brief(case_env) == [("ole", "ops_lead", "view", "k1")]


def test_a_case_is_not_shown_when_its_view_cannot_be_recorded(case_env, monkeypatch, tmp_path):
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(blocker / "audit.jsonl"))
    at = open_case("k1")
    assert not at.exception
    assert any("could not be recorded" in e for e in errors(at))
    assert not at.subheader


def test_an_open_case_shows_its_overdue_clock(case_env):
    at = open_case("k2")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["First action: share of target used"] == "150.0%"
    assert "overdue 30 min" in page_text(at)
    assert "22 h 30 min left" in page_text(at)


def test_typed_text_is_shown_as_typed(case_env):
    hostile = "k1'; -- [x](http://attacker.invalid) :red[z] a`b"  # under 60: not cut
    at = open_case(hostile)
    warning = next(w.value for w in at.warning if "Not found" in w.value)
    assert "](" not in warning and "http://" not in warning  # escaped, and the URL broken
    assert shown(warning).endswith(f"has the id {hostile}.")


def test_many_reveals_in_an_hour_suggest_a_break(case_env):
    from datetime import datetime

    from watchfloor import audit

    now = datetime.now(UTC).replace(tzinfo=None)
    log = audit.AuditLog(case_env)
    for _ in range(audit.EXPOSURE_BREAK_AFTER - 2):
        log.append(user="ana", role="analyst", action=audit.REVEAL, case_id="k2", reason="earlier review", when=now)
    at = open_case("k1")
    reveal(at, "ticket T-77: check the scam wording")
    # 8 earlier + this one = 9: below the threshold of 10, a plain count
    assert any(c.value == f"Your reveals in the last 60 minutes: {audit.EXPOSURE_BREAK_AFTER - 1}." for c in at.caption)
    assert not at.warning
    at.query_params["case_id"] = "k2"
    at.run()
    reveal(at, "ticket T-78: the child-safety report")
    assert any(f"revealed {audit.EXPOSURE_BREAK_AFTER} content excerpts in the last 60 minutes" in w.value
               for w in at.warning)


@pytest.mark.parametrize("score", ["'nan'", "'inf'", "'-inf'"])
def test_a_score_that_is_not_a_number_does_not_break_the_page(tmp_path, monkeypatch, score):
    import duckdb

    path = hand_warehouse.build(tmp_path / "nan.duckdb", hand.ROWS)
    con = duckdb.connect(str(path))
    con.execute(f"UPDATE cases SET classifier_score = CAST({score} AS DOUBLE) WHERE case_id = 'k1'").fetchall()
    con.close()
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(path))
    monkeypatch.setenv("WATCHFLOOR_AS_OF", hand.AS_OF.isoformat())
    at = open_case("k1")
    assert not at.exception, [e.value for e in at.exception]
    assert "**Score:** not a number" in shown(page_text(at))
    assert not at.get("progress")  # no score bar for a score that is not one
