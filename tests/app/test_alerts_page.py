"""The Alerts page (AppTest): open alerts from a real worker run on the hand warehouse, acknowledge
and snooze recorded with who and when, a link to one alert, the history with time to acknowledge,
text from data kept plain, and the rules editor (validated before saving, every save audited) for
operations leads and administrators only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.app.conftest import app_for, table_with
from tests.warehouses import home
from watchfloor.alerting.store import AlertStore
from watchfloor.cli import main as cli_main

PAGE = "app_pages/alerts.py"
RULES = """
rules:
  - {id: breached, kind: sla_cases, severity: high, channels: [ops]}
  - {id: unacknowledged, kind: incident, unacknowledged_minutes: 15, severity: critical, channels: [oncall]}
  - {id: stale, kind: freshness, older_than_minutes: 30, severity: medium}
"""


@pytest.fixture
def alerts_env(hand_env, tmp_path, monkeypatch):
    """The hand warehouse, a rules file, and a store the worker filled once at AS_OF (no channel has
    a URL: every notice is recorded as skipped); the page looks at it ten minutes later."""
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES)
    monkeypatch.setenv("WATCHFLOOR_ALERT_RULES", str(rules))
    monkeypatch.setenv("WATCHFLOOR_ALERT_STORE", str(tmp_path / "alerts.sqlite"))
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.delenv("WATCHFLOOR_ALERT_URLS", raising=False)
    assert cli_main(["alerts", "run", "--once"]) == 0
    monkeypatch.setenv("WATCHFLOOR_AS_OF", (home.AS_OF + timedelta(minutes=10)).isoformat())
    return {"rules": rules, "store": AlertStore(tmp_path / "alerts.sqlite"), "audit": tmp_path / "audit.jsonl"}


def open_alert_ids(store: AlertStore) -> dict[str, int]:
    return {a.rule_id: a.id for a in store.open_alerts()}


def test_open_alerts_and_their_figures(alerts_env):
    at = app_for(PAGE, role="executive").run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Open alerts"] == "3" and metrics["Not acknowledged"] == "3"
    table = table_with(at, "Alert")
    assert table["Alert"].tolist() == [  # most severe first
        "SEV1 incident i1 not acknowledged for 1 d 6 h: Scam wave",
        "1 breached case in Child safety EMEA L1",
        "Warehouse stale: the newest event is 50 min old",
    ]
    assert set(table["Status"]) == {"New, not acknowledged"}
    assert table["See it"].tolist()[1] == ("queue_health?from=2026-11-18&to=2026-11-18&region=EMEA"
                                             "&vertical=Child+safety&priority=P1")
    # the worker ran at 12:00 and the page looks at 12:10: ten intervals without a run, it has stopped
    assert any("last ran 10 min ago (2026-11-18 12:00 UTC): it seems to have stopped" in w.value for w in at.warning)
    # channels without URLs: recorded as skipped, shown per channel
    channels = table_with(at, "Waiting to retry")
    assert set(channels["Channel"]) == {"ops", "oncall"} and set(channels["Failed"]) == {1}
    # an executive sees alerts but does not act on them
    assert not [b for b in at.button if b.key == "alerts_acknowledge"]
    assert not [t for t in at.text_area]  # nor edits the rules


def test_a_running_worker_is_a_quiet_line(alerts_env, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_AS_OF", (home.AS_OF + timedelta(minutes=2)).isoformat())
    at = app_for(PAGE, role="ops_lead").run()
    assert any("The alert worker checks every rule every 1 min; last run 12:00:00 UTC." == c.value for c in at.caption)
    assert not at.warning


def test_acknowledge_and_snooze_record_who_and_when(alerts_env):
    store, ids = alerts_env["store"], open_alert_ids(alerts_env["store"])
    at = app_for(PAGE, role="ops_lead", username="olivia").run()
    assert at.selectbox(key="alerts_choice_None").value == ids["unacknowledged"]  # the most severe first
    at.button(key="alerts_acknowledge").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [f"Alert {ids['unacknowledged']} acknowledged by olivia."]
    alert = store.alert(ids["unacknowledged"])
    assert (alert.acknowledged_by, alert.acknowledged_at) == ("olivia", home.AS_OF + timedelta(minutes=10))
    assert "Acknowledged by olivia at 11-18 12:10 UTC" in table_with(at, "Alert")["Status"].tolist()
    history = table_with(at, "To acknowledge")
    assert history[history["No."] == ids["unacknowledged"]]["To acknowledge"].tolist() == ["10 min"]
    assert {m.label: m.value for m in at.metric}["Median time to acknowledge"] == "10 min"

    analyst = app_for(PAGE, role="analyst", username="ana").run()
    analyst.selectbox(key="alerts_choice_None").select(ids["stale"]).run()
    analyst.selectbox(key="alerts_snooze_for").select("4 hours").run()
    analyst.button(key="alerts_snooze").click().run()
    snoozed = store.alert(ids["stale"])
    assert (snoozed.snoozed_by, snoozed.snoozed_until) == ("ana", home.AS_OF + timedelta(minutes=10, hours=4))
    assert "Snoozed by ana until 11-18 16:10 UTC" in table_with(analyst, "Alert")["Status"].tolist()


def test_a_link_to_an_alert_opens_it(alerts_env):
    ids = open_alert_ids(alerts_env["store"])
    at = app_for(PAGE, role="ops_lead")
    at.query_params["alert"] = str(ids["stale"])
    at.run()
    assert at.selectbox(key=f"alerts_choice_{ids['stale']}").value == ids["stale"]
    facts = table_with(at, "Value")
    assert facts["Value"].tolist()[0] == "Warehouse stale: the newest event is 50 min old"
    # a resolved or unknown alert says so
    at = app_for(PAGE, role="ops_lead")
    at.query_params["alert"] = "999"
    at.run()
    assert any("There is no alert No. 999" in i.value for i in at.info)


def test_text_from_data_stays_plain(alerts_env):
    store = alerts_env["store"]
    hostile = "**Bold** <img src=x onerror=alert(1)> [click](https://evil.example)"
    store.record_findings("breached", "high", [{"scope_key": "qx", "title": hostile, "where_text": hostile,
                                                 "measure": hostile, "page": "queue_health", "link_query": "",
                                                 "since": None}], home.AS_OF)
    at = app_for(PAGE, role="ops_lead").run()
    assert not at.exception
    assert hostile in table_with(at, "Alert")["Alert"].tolist()
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error] \
        + [i.value for i in at.info] + [s.value for s in at.success]
    assert not any("evil.example" in text or "onerror" in text for text in rendered)


def test_rules_are_checked_before_saving_and_every_save_is_audited(alerts_env):
    rules_file, audit_log = alerts_env["rules"], alerts_env["audit"]
    at = app_for(PAGE, role="ops_lead", username="olivia").run()
    assert table_with(at, "Watches")["Rule"].tolist() == ["breached", "unacknowledged", "stale"]
    editor = at.text_area[0]
    assert editor.value == RULES
    editor.input("rules:\n  - {id: breached, kind: sla_cases, at_least: lots}\n").run()
    at.button(key="alerts_rules_save").click().run()
    assert [e.value for e in at.error] == ["These rules cannot be used; nothing was saved."]
    assert any("at_least must be a whole number" in c.value for c in at.code)
    assert rules_file.read_text() == RULES and not audit_log.exists()

    changed = RULES.replace("{id: stale, kind: freshness, older_than_minutes: 30, severity: medium}",
                            "{id: stale, kind: freshness, older_than_minutes: 45, severity: medium}") \
        + "  - {id: spikes, kind: spike, scope: {region: MARS}}\n"
    at.text_area[0].input(changed).run()
    at.button(key="alerts_rules_check").click().run()
    assert any("region 'MARS' is not in the warehouse" in c.value for c in at.code)
    assert rules_file.read_text() == RULES  # checking saves nothing
    at.button(key="alerts_rules_save").click().run()
    assert not at.exception and not at.error
    assert rules_file.read_text() == changed
    assert any(c.value == "added spikes; changed stale" for c in at.code)
    [entry] = [json.loads(line) for line in audit_log.read_text().splitlines()]
    assert (entry["user"], entry["role"], entry["action"], entry["reason"]) == (
        "olivia", "ops_lead", "alert_rules", "added spikes; changed stale")
    assert table_with(at, "Watches")["Rule"].tolist() == ["breached", "unacknowledged", "stale", "spikes"]


def test_a_save_over_someone_elses_is_refused(alerts_env):
    rules_file = alerts_env["rules"]
    at = app_for(PAGE, role="admin").run()
    rules_file.write_text(RULES + "  - {id: theirs, kind: spike}\n")  # another lead saved meanwhile
    at.text_area[0].input(RULES + "  - {id: mine, kind: spike}\n").run()
    at.button(key="alerts_rules_save").click().run()
    assert any("changed since you opened them" in c.value for c in at.code)
    assert "theirs" in rules_file.read_text() and "mine" not in rules_file.read_text()


@pytest.mark.parametrize("role", ["analyst", "vendor_manager", "executive"])
def test_only_ops_leads_and_admins_edit_rules(alerts_env, role):
    at = app_for(PAGE, role=role).run()
    assert not at.exception and len(table_with(at, "Watches")) == 3
    assert not [t for t in at.text_area]


def test_the_page_before_the_worker_ever_ran(hand_env, tmp_path, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_ALERT_STORE", str(tmp_path / "never.sqlite"))
    monkeypatch.setenv("WATCHFLOOR_ALERT_RULES", str(tmp_path / "none.yaml"))
    at = app_for(PAGE, role="ops_lead").run()
    assert not at.exception
    assert any("has not run yet" in w.value for w in at.warning)
    assert any("No alert is open" in i.value for i in at.info)
    assert len(table_with(at, "Watches")) == 10  # the built-in rules
    assert not (tmp_path / "never.sqlite").exists()  # looking creates nothing
