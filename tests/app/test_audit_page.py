"""The Audit page (AppTest): admins only; filters, counts worked out by hand, export, tampering shown."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.app.conftest import app_for, errors, shown
from watchfloor import audit, roles
from watchfloor.config import load_settings

PAGE = "app_pages/audit.py"

def tiles(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def shown_seqs(at) -> list[int]:
    return list(at.dataframe[0].value["seq"])


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r != "admin"])
def test_only_admins(filled, role):
    at = app_for(PAGE, role=role).run()
    assert any("does not give access" in e for e in errors(at))
    assert not at.title


def test_an_empty_log_says_so(audit_env):
    at = app_for(PAGE, role="admin").run()
    assert not at.exception and not errors(at)
    assert any("Nothing has been recorded yet" in i.value for i in at.info)
    assert any("intact: 0 entries" in s.value for s in at.success)
    # The server's file system is nobody's business on the page: no path of the log is shown.
    shown_text = " ".join(e.value for e in [*at.info, *at.caption, *at.markdown, *at.success])
    assert load_settings().audit_log.name not in shown_text and "/" not in "".join(i.value for i in at.info)


def test_all_entries_newest_first_with_hand_counted_tiles(filled):
    at = app_for(PAGE, role="admin").run()
    assert not at.exception and not errors(at)
    assert tiles(at) == {"Entries": "4", "Case views": "3", "Reveals": "1", "People / cases": "2 / 3",
                         "Failed sign-ins": "0"}
    assert shown_seqs(at) == [4, 3, 2, 1]
    assert list(at.dataframe[0].value["reason"])[2] == "ticket T-1 check wording"
    assert any("intact: 4 entries" in s.value for s in at.success)
    assert at.date_input(key="audit_period").value == (date(2026, 11, 18), date(2026, 11, 20))


def test_filters(filled):
    at = app_for(PAGE, role="admin").run()
    at.multiselect(key="audit_users").set_value(["ana"]).run()
    assert shown_seqs(at) == [4, 2, 1]
    assert tiles(at)["Case views"] == "2" and tiles(at)["Reveals"] == "1"
    at.multiselect(key="audit_actions").set_value([audit.REVEAL]).run()
    assert shown_seqs(at) == [2]
    at.multiselect(key="audit_users").set_value([]).run()
    at.multiselect(key="audit_actions").set_value([]).run()
    at.date_input(key="audit_period").set_value((date(2026, 11, 18), date(2026, 11, 18))).run()
    assert shown_seqs(at) == [2, 1]
    at.text_input(key="audit_case").input("k9").run()
    assert not at.exception
    assert any("No entry matches" in i.value for i in at.info)
    at.text_input(key="audit_case").input("'; DROP TABLE x; --").run()
    assert not at.exception and not errors(at)


def test_the_export_is_the_entries_shown(filled):
    at = app_for(PAGE, role="admin").run()
    at.multiselect(key="audit_users").set_value(["ole"]).run()
    shown = audit.filter_entries(audit.to_frame(audit.AuditLog(filled).entries()), audit.AuditFilter(users=("ole",)))
    exported = audit.to_csv(shown).decode("utf-8").splitlines()
    assert len(exported) == 2 and ",ole,ops_lead,view,k2," in exported[1]
    buttons = at.get("download_button")
    assert len(buttons) == 1


def test_tampering_is_shown(filled):
    stored = [json.loads(line) for line in filled.read_text(encoding="utf-8").splitlines()]
    stored[1]["reason"] = "edited afterwards"
    filled.write_text("".join(json.dumps(e) + "\n" for e in stored), encoding="utf-8")
    at = app_for(PAGE, role="admin").run()
    assert not at.exception
    assert any("tampered with" in e for e in errors(at))
    assert any("line 2: its content does not match its hash" in shown(m.value) for m in at.markdown)
    assert tiles(at)["Entries"] == "4"  # still shown, so the admin can see what is there


def test_sign_ins_are_listed_and_counted_apart_from_people(filled):
    log = audit.AuditLog(filled)
    log.append(user="![x](http://attacker.invalid/p.png)", role="", action=audit.LOGIN_FAILED, reason="client 10.0.0.7")
    log.append(user="ana", role="analyst", action=audit.LOGIN, reason="with a password; client 10.0.0.8")
    at = app_for(PAGE, role="admin").run()
    assert not at.exception and not errors(at)
    assert tiles(at)["Failed sign-ins"] == "1" and tiles(at)["People / cases"] == "2 / 3"
    assert shown_seqs(at) == [6, 5, 4, 3, 2, 1]
    at.multiselect(key="audit_actions").set_value([audit.LOGIN_FAILED]).run()
    assert list(at.dataframe[0].value["user"]) == ["![x](http://attacker.invalid/p.png)"]  # a table: plain text


def test_a_cut_off_end_is_shown(filled):
    kept = filled.read_text(encoding="utf-8").splitlines(keepends=True)
    filled.write_text("".join(kept[:2]), encoding="utf-8")
    at = app_for(PAGE, role="admin").run()
    assert any("tampered with" in e for e in errors(at))
    assert any("entries 3-4 were cut off the end" in shown(m.value) for m in at.markdown)
