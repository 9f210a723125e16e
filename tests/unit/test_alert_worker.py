"""The worker's state machine and deliveries, with apprise posting to a real HTTP receiver on
localhost: one open alert per rule and scope, no repeats while open, a resolved notice when it
clears, cooldown, reminders, acknowledge, snooze, quiet hours, and a failing channel retried with
back-off without holding up the others. What each rule finds is scripted here (the adapters are
tested against hand-built warehouses in test_alert_evaluation.py); time is passed in, so the
tests check order and state, never seconds of wall-clock time."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import datetime, timedelta

import pytest

from watchfloor.alerting import delivery, kinds
from watchfloor.alerting.findings import Finding
from watchfloor.alerting.settings import load_alert_settings
from watchfloor.alerting.store import AlertStore
from watchfloor.alerting.worker import Worker, WorkerBusy
from watchfloor.config import load_settings

T0 = datetime(2026, 11, 18, 12, 0)
MIN = timedelta(minutes=1)


def finding(key: str, title: str | None = None) -> Finding:
    return Finding(key=key, title=title or f"Trouble in {key}", where=f"queue {key}", measure="3 breached",
                         since=None, page="queue_health", link={"region": ["EMEA"]})


@pytest.fixture
def scripted(monkeypatch):
    """What each rule finds: {rule id: [findings]}; a rule id mapped to an exception raises it."""
    found: dict[str, object] = {}

    def evaluate(rule, context):
        value = found.get(rule.id, [])
        if isinstance(value, Exception):
            raise value
        return value

    monkeypatch.setattr(kinds, "evaluate", evaluate)
    return found


@pytest.fixture
def make_worker(tmp_path, monkeypatch, receiver, hand_env):
    monkeypatch.setenv("WATCHFLOOR_ALERT_STORE", str(tmp_path / "alerts.sqlite"))
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(tmp_path / "secrets.toml"))
    monkeypatch.setenv("WATCHFLOOR_BASE_URL", "https://watchfloor.example.org")
    monkeypatch.setenv("WATCHFLOOR_ALERT_URLS", f"ops={receiver.url('ops')},oncall={receiver.url('oncall')}")

    def make(rules_text: str) -> Worker:
        path = tmp_path / "rules.yaml"
        path.write_text(rules_text)
        settings = load_settings()
        alerts = load_alert_settings(settings=settings)
        return Worker(settings, alerts, path, sender=delivery.apprise_sender(alerts.base_url), log=lambda line: None)

    return make


ONE_RULE = """
rules:
  - id: breached
    kind: sla_cases
    severity: high
    channels: [ops]
    cooldown_minutes: 30
    renotify_minutes: 60
"""


def test_first_cycle_notifies_once_and_a_cleared_condition_sends_resolved(make_worker, scripted, receiver):
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding("q1", "3 breached cases in Queue one")]
    report = worker.cycle(T0)
    opened = report.opened
    assert len(opened) == 1 and report.notices == [(opened[0], "opened")]
    [payload] = receiver.delivered("ops")
    assert payload["title"] == "[HIGH] 3 breached cases in Queue one" and payload["type"] == "failure"
    body = payload["message"]
    for part in ("What: ", "Where: queue q1", "How bad: high · 3 breached", "Since: 2026-11-18 12:00 UTC",
                 "See it: https://watchfloor.example.org/queue_health?region=EMEA",
                 f"Acknowledge or snooze: https://watchfloor.example.org/alerts?alert={report.opened[0]}"):
        assert part in body
    # still found on the next cycles: no repeat (reminders start only after 60 minutes)
    for minutes in (1, 2, 59):
        assert worker.cycle(T0 + minutes * MIN).notices == []
    assert len(receiver.delivered("ops")) == 1
    assert len(worker.store.open_alerts()) == 1
    scripted["breached"] = []
    report = worker.cycle(T0 + 59 * MIN + 30 * timedelta(seconds=1))
    assert report.resolved == opened and report.notices == [(opened[0], "resolved")]
    assert [p["title"] for p in receiver.delivered("ops")] == ["[HIGH] 3 breached cases in Queue one",
                                                               "[RESOLVED] 3 breached cases in Queue one"]
    assert receiver.delivered("ops")[1]["type"] == "success"
    assert worker.store.open_alerts() == []
    assert worker.cycle(T0 + 61 * MIN).notices == []  # nothing more


def test_one_open_alert_per_rule_and_scope(make_worker, scripted, receiver):
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding("q1"), finding("q2")]
    worker.cycle(T0)
    scripted["breached"] = [finding("q1", "Worse in q1"), finding("q2")]
    worker.cycle(T0 + MIN)
    alerts = {a.scope_key: a for a in worker.store.open_alerts()}
    assert set(alerts) == {"q1", "q2"} and alerts["q1"].title == "Worse in q1"  # figures kept fresh
    assert len(receiver.delivered("ops")) == 2
    # the database itself refuses a second open alert for the same rule and scope
    with sqlite3.connect(worker.store.path) as con, pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO alerts (rule_id, scope_key, severity, title, where_text, measure, page, link_query, "
                    "opened_at, last_seen_at) VALUES ('breached', 'q1', 'high', 't', 'w', 'm', 'p', '', 'x', 'x')")


def test_cooldown_holds_a_notice_for_a_condition_that_comes_back_soon(make_worker, scripted, receiver):
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding("q1")]
    worker.cycle(T0)
    scripted["breached"] = []
    worker.cycle(T0 + 5 * MIN)  # resolved notice at 12:05
    scripted["breached"] = [finding("q1")]
    worker.cycle(T0 + 10 * MIN)  # back within 30 minutes of the last notice: a new alert, held
    assert len(worker.store.open_alerts()) == 1 and worker.store.open_alerts()[0].notified_at is None
    worker.cycle(T0 + 34 * MIN)
    assert len(receiver.delivered("ops")) == 2
    worker.cycle(T0 + 35 * MIN)  # 30 minutes after the resolved notice
    assert [p["title"].split("]")[0] for p in receiver.delivered("ops")] == ["[HIGH", "[RESOLVED", "[HIGH"]


def test_reminders_until_acknowledged_and_snooze_holds_them(make_worker, scripted, receiver):
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding("q1"), finding("q2")]
    worker.cycle(T0)
    worker.cycle(T0 + 59 * MIN)
    assert len(receiver.delivered("ops")) == 2
    worker.cycle(T0 + 60 * MIN)
    titles = receiver.titles("ops")
    assert titles[2:] == ["[HIGH] Still open, not acknowledged: Trouble in q1",
                          "[HIGH] Still open, not acknowledged: Trouble in q2"]
    q1, q2 = sorted(worker.store.open_alerts(), key=lambda a: a.scope_key)
    assert worker.store.acknowledge(q1.id, "alice", T0 + 70 * MIN)
    assert not worker.store.acknowledge(q1.id, "bob", T0 + 71 * MIN)  # already acknowledged: alice stays
    assert worker.store.snooze(q2.id, "bob", T0 + 200 * MIN, T0 + 70 * MIN)
    worker.cycle(T0 + 120 * MIN)
    worker.cycle(T0 + 180 * MIN)
    assert len(receiver.delivered("ops")) == 4  # neither reminded: one acknowledged, one snoozed
    worker.cycle(T0 + 200 * MIN)  # the snooze is over
    assert receiver.titles("ops")[-1] == "[HIGH] Still open, not acknowledged: Trouble in q2"
    alert = worker.store.alert(q1.id)
    assert (alert.acknowledged_by, alert.acknowledged_at) == ("alice", T0 + 70 * MIN)
    snoozed = worker.store.alert(q2.id)
    assert (snoozed.snoozed_by, snoozed.snoozed_at, snoozed.snoozed_until) == ("bob", T0 + 70 * MIN, T0 + 200 * MIN)
    events = worker.store.events_frame(q2.id)
    assert events.filter(events["kind"] == "snoozed")["actor"].to_list() == ["bob"]
    # the acknowledged alert still says when it is resolved
    scripted["breached"] = [finding("q2")]
    worker.cycle(T0 + 201 * MIN)
    assert receiver.titles("ops")[-1] == "[RESOLVED] Trouble in q1"


QUIET = """
rules:
  - id: breached
    kind: sla_cases
    channels: [ops]
    cooldown_minutes: 0
    renotify_minutes: 0
    quiet_hours: {from: '12:30', to: '13:00', timezone: UTC}
"""


def test_quiet_hours_hold_notices_until_they_end(make_worker, scripted, receiver):
    worker = make_worker(QUIET)
    scripted["breached"] = [finding("q1")]
    worker.cycle(T0 + 35 * MIN)  # 12:35, quiet
    assert receiver.delivered("ops") == [] and len(worker.store.open_alerts()) == 1
    worker.cycle(T0 + 60 * MIN)  # 13:00, quiet hours over
    assert receiver.titles("ops") == ["[HIGH] Trouble in q1"]
    # opened and cleared inside the quiet hours of the next day: nobody is told
    scripted["breached"] = []
    worker.cycle(T0 + 61 * MIN)
    scripted["breached"] = [finding("q9")]
    worker.cycle(T0 + timedelta(days=1, minutes=31))
    scripted["breached"] = []
    worker.cycle(T0 + timedelta(days=1, minutes=40))
    worker.cycle(T0 + timedelta(days=1, minutes=61))
    assert receiver.titles("ops") == ["[HIGH] Trouble in q1", "[RESOLVED] Trouble in q1"]


TWO_CHANNELS = """
rules:
  - id: breached
    kind: sla_cases
    channels: [oncall, ops]
    cooldown_minutes: 0
    renotify_minutes: 0
"""


def test_a_failing_channel_is_retried_with_back_off_and_holds_up_nobody(make_worker, scripted, receiver):
    worker = make_worker(TWO_CHANNELS)
    receiver.failing.add("/oncall")
    scripted["breached"] = [finding("q1")]
    report = worker.cycle(T0)
    assert receiver.titles("ops") == ["[HIGH] Trouble in q1"]  # delivered although oncall failed
    assert receiver.tries("oncall") == 1 and len(report.delivery.retrying) == 1
    assert "Internal server error" in report.delivery.retrying[0][1]
    # the back-off: 30 s, then 1 min, then 2 min after each failed try
    worker.cycle(T0 + timedelta(seconds=29))
    assert receiver.tries("oncall") == 1
    worker.cycle(T0 + timedelta(seconds=30))
    assert receiver.tries("oncall") == 2
    worker.cycle(T0 + timedelta(seconds=89))
    assert receiver.tries("oncall") == 2
    worker.cycle(T0 + timedelta(seconds=90))
    assert receiver.tries("oncall") == 3
    # the condition clears while oncall is down: its resolved notice waits behind the opened one
    scripted["breached"] = []
    worker.cycle(T0 + timedelta(seconds=100))
    assert receiver.titles("ops") == ["[HIGH] Trouble in q1", "[RESOLVED] Trouble in q1"]
    assert receiver.tries("oncall") == 3
    receiver.failing.clear()
    worker.cycle(T0 + timedelta(seconds=210))  # the opened notice's next try is due at 90 + 120 s
    assert receiver.titles("oncall") == ["[HIGH] Trouble in q1", "[RESOLVED] Trouble in q1"]
    deliveries = worker.store.deliveries_frame(T0 - MIN)
    assert set(deliveries["status"]) == {"sent"}
    oncall_opened = deliveries.filter((deliveries["channel"] == "oncall") & (deliveries["notice"] == "opened"))
    assert oncall_opened["attempts"].to_list() == [4]


def test_a_channel_that_keeps_failing_is_given_up_and_reported(make_worker, scripted, receiver):
    worker = make_worker(TWO_CHANNELS)
    receiver.failing.add("/oncall")
    scripted["breached"] = [finding("q1")]
    moment = T0
    worker.cycle(moment)
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        moment += timedelta(hours=1)  # past every back-off
        worker.cycle(moment)
    assert receiver.tries("oncall") == delivery.MAX_ATTEMPTS
    deliveries = worker.store.deliveries_frame(T0 - MIN)
    oncall = deliveries.filter(deliveries["channel"] == "oncall")
    assert oncall["status"].to_list() == ["failed"] and "Internal server error" in oncall["last_error"][0]
    worker.cycle(moment + timedelta(hours=1))
    assert receiver.tries("oncall") == delivery.MAX_ATTEMPTS  # given up: no more tries
    assert receiver.titles("ops") == ["[HIGH] Trouble in q1"]


def test_a_channel_without_a_url_is_recorded_and_other_channels_still_get_it(make_worker, scripted, receiver, monkeypatch):
    monkeypatch.setenv("WATCHFLOOR_ALERT_URLS", f"ops={receiver.url('ops')}")
    worker = make_worker(TWO_CHANNELS)
    scripted["breached"] = [finding("q1")]
    report = worker.cycle(T0)
    assert receiver.titles("ops") == ["[HIGH] Trouble in q1"]
    assert [error for _, error in report.delivery.skipped] == [
        "channel 'oncall' has no URL (set WATCHFLOOR_ALERT_URLS or [alert_channels])"]
    statuses = worker.store.deliveries_frame(T0 - MIN).select("channel", "status").sort("channel").rows()
    assert statuses == [("oncall", "skipped"), ("ops", "sent")]


def test_urls_from_the_secrets_file_and_the_default_channel(make_worker, scripted, receiver, monkeypatch, tmp_path):
    monkeypatch.setenv("WATCHFLOOR_ALERT_URLS", receiver.url("fallback"))  # no name: the default channel
    (tmp_path / "secrets.toml").write_text(f'[alert_channels]\noncall = ["{receiver.url("pager")}"]\n')
    worker = make_worker(TWO_CHANNELS)
    scripted["breached"] = [finding("q1")]
    worker.cycle(T0)
    assert receiver.titles("pager") == ["[HIGH] Trouble in q1"]
    assert receiver.titles("fallback") == ["[HIGH] Trouble in q1"]  # ops has no URL of its own


def test_a_rule_that_cannot_be_evaluated_keeps_its_alerts(make_worker, scripted, receiver):
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding("q1")]
    worker.cycle(T0)
    scripted["breached"] = RuntimeError("query 'queue_flow' failed: the warehouse is busy")
    report = worker.cycle(T0 + MIN)
    assert report.errors == {"breached": "query 'queue_flow' failed: the warehouse is busy"}
    assert len(worker.store.open_alerts()) == 1 and receiver.titles("ops") == ["[HIGH] Trouble in q1"]


def test_removing_a_rule_closes_its_alerts_quietly(make_worker, scripted, receiver, tmp_path):
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding("q1")]
    worker.cycle(T0)
    (tmp_path / "rules.yaml").write_text("rules:\n  - {id: other, kind: freshness}\n")
    os.utime(tmp_path / "rules.yaml", ns=(1, 1))  # a new stamp: the worker re-reads the file
    worker.cycle(T0 + MIN)
    assert worker.store.open_alerts() == [] and receiver.titles("ops") == ["[HIGH] Trouble in q1"]
    # a rules file broken by hand later is reported and the rules before it stay
    (tmp_path / "rules.yaml").write_text("rules: [")
    os.utime(tmp_path / "rules.yaml", ns=(2, 2))
    assert [r.id for r in worker.rules().rules] == ["other"]


def test_the_store_is_private_and_one_worker_runs_at_a_time(make_worker, scripted):
    worker = make_worker(ONE_RULE)
    worker.cycle(T0)
    assert stat.S_IMODE(os.stat(worker.store.path).st_mode) == 0o600
    worker.acquire()
    try:
        second = make_worker(ONE_RULE)
        with pytest.raises(WorkerBusy):
            second.acquire()
    finally:
        worker.release()


def test_sessions_acknowledge_while_the_worker_runs(make_worker, scripted, receiver):
    """The worker's cycles and many sessions acknowledging and snoozing at once: every write lands,
    and there is never more than one open alert per rule and scope."""
    worker = make_worker(ONE_RULE)
    scripted["breached"] = [finding(f"q{i}") for i in range(8)]
    worker.cycle(T0)
    ids = [a.id for a in worker.store.open_alerts()]
    errors: list[BaseException] = []

    def session(n: int) -> None:
        try:
            store = AlertStore(worker.store.path)
            for alert_id in ids:
                store.snooze(alert_id, f"user{n}", T0 + 90 * MIN, T0 + MIN)
                store.acknowledge(alert_id, f"user{n}", T0 + MIN)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for minute in range(2, 6):
        worker.cycle(T0 + minute * MIN)
    for thread in threads:
        thread.join()
    assert errors == []
    alerts = worker.store.open_alerts()
    assert len(alerts) == 8 and len({a.scope_key for a in alerts}) == 8
    assert all(a.acknowledged_by and a.acknowledged_by.startswith("user") for a in alerts)
    events = worker.store.events_frame(ids[0])
    assert events.filter(events["kind"] == "acknowledged").height == 1  # exactly one session got there first
    assert events.filter(events["kind"] == "snoozed").height == 4
