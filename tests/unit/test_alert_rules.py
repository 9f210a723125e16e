"""The alert rules file: the shipped defaults, validation (one line naming the problem), quiet
hours, digest schedules, and saving with a check that nobody saved meanwhile."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from watchfloor.alerting import rules

MINIMAL = "rules:\n  - {id: breached, kind: sla_cases}\n"


def test_the_shipped_defaults_cover_every_kind_and_validate():
    ruleset = rules.load(None)
    assert ruleset.source == "built-in default rules"
    assert {r.kind for r in ruleset.rules} == set(rules.KINDS)
    by_id = ruleset.by_id()
    # defaults apply unless a rule sets its own
    assert by_id["sla-breached"].channels == ("ops",) and by_id["sla-breached"].cooldown == timedelta(minutes=30)
    assert by_id["forgotten-case"].channels == ()
    assert by_id["severe-incident-unacknowledged"].params["unacknowledged_minutes"] == 15
    assert by_id["severe-incident-unacknowledged"].renotify == timedelta(minutes=15)
    assert by_id["severe-incident-open"].renotify is None  # renotify_minutes: 0 means never
    assert set(ruleset.digests) == {"daily", "weekly"}
    assert ruleset.digests["weekly"].weekday == 0


def test_a_missing_file_means_the_defaults(tmp_path):
    assert rules.load(tmp_path / "nope.yaml").source == "built-in default rules"


def test_kind_settings_take_their_defaults_and_are_checked():
    ruleset = rules.parse(MINIMAL)
    rule = ruleset.rules[0]
    assert rule.params == {"state": "breached", "at_least": 1}
    assert rule.severity == "high" and rule.channels == () and rule.renotify == timedelta(minutes=120)
    assert rule.name == rules.KINDS["sla_cases"].label


@pytest.mark.parametrize("text, problem", [
    ("rules: [", "not valid YAML at line 1"),
    ("- just a list", "needs a list under 'rules:'"),
    ("rules:\n  - {id: Bad Id, kind: spike}", "rule 1: id must be"),
    ("rules:\n  - {id: a, kind: nonsense}", "rule 'a': kind must be one of spike, sla_cases"),
    ("rules:\n  - {id: a, kind: sla_cases, at_least: 0}", "rule 'a': at_least must be from 1"),
    ("rules:\n  - {id: a, kind: sla_cases, at_least: .nan}", "rule 'a': at_least must be a whole number"),
    ("rules:\n  - {id: a, kind: sla_cases, threshold: 3}", "rule 'a': unknown key 'threshold'"),
    ("rules:\n  - {id: a, kind: sla_cases, scope: {category: spam}}", "cannot be scoped by 'category'"),
    ("rules:\n  - {id: a, kind: sla_cases, severity: urgent}", "severity must be one of critical, high"),
    ("rules:\n  - {id: a, kind: sla_cases, channels: ['slack://x/y']}", "not URLs"),
    ("rules:\n  - {id: a, kind: sla_cases, quiet_hours: {from: '25:00', to: '07:00'}}", "must be a time of day"),
    ("rules:\n  - {id: a, kind: sla_cases, quiet_hours: {from: '22:00', to: '07:00', timezone: Mars/Base}}",
     "unknown timezone 'Mars/Base'"),
    ("rules:\n  - {id: a, kind: sla_cases}\n  - {id: a, kind: spike}", "rule id 'a' is used twice"),
    ("rules:\n  - {id: a, kind: incident, severities: [SEV9]}", "severities must be one or more of SEV0"),
    ("rules: []\nalerts: 1", "unknown top-level key 'alerts'"),
    ("rules: []\ndigests: {hourly: {}}", "only 'daily' and 'weekly'"),
    ("rules: []\ndigests: {weekly: {day: someday}}", "day must be a weekday name"),
    ("rules:\n  - {id: a, kind: sla_cases, name: \"x\\0y\"}", "name must be a short text"),
    ("rules: []\x00", "the file holds NUL bytes"),
])
def test_a_malformed_file_names_the_problem_in_one_line(text, problem):
    with pytest.raises(rules.RulesError) as raised:
        rules.parse(text, "rules.yaml")
    message = str(raised.value)
    assert message.startswith("rules.yaml: ") and problem in message
    assert "\n" not in message


def test_a_file_that_is_not_text_is_refused(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"\xff\xfe rules")
    with pytest.raises(rules.RulesError, match="not UTF-8"):
        rules.load(path)


def test_quiet_hours_across_midnight_in_a_time_zone():
    rule = rules.parse("rules:\n  - id: a\n    kind: freshness\n    quiet_hours: {from: '22:00', to: '07:00', "
                       "timezone: Europe/Dublin}\n").rules[0]
    # November: Dublin is on UTC
    assert rule.quiet(datetime(2026, 11, 18, 23, 30)) and rule.quiet(datetime(2026, 11, 18, 6, 59))
    assert not rule.quiet(datetime(2026, 11, 18, 7, 0)) and not rule.quiet(datetime(2026, 11, 18, 21, 59))
    # July: Dublin is UTC+1, so 21:30 UTC is 22:30 local
    assert rule.quiet(datetime(2026, 7, 1, 21, 30)) and not rule.quiet(datetime(2026, 7, 1, 6, 30))
    # an unquoted 07:00 is read by YAML as minutes; it still means seven o'clock
    unquoted = rules.parse("rules:\n  - id: a\n    kind: freshness\n    quiet_hours: {from: 22:00, to: 07:00}\n")
    assert unquoted.rules[0].quiet_hours.end == time(7, 0)


def test_digest_schedules_find_the_latest_time_due():
    ruleset = rules.parse("rules: []\ndigests:\n  daily: {channels: [ops], at: '08:00', timezone: America/New_York}\n"
                          "  weekly: {channels: [leads], day: monday, at: '09:30'}\n")
    daily, weekly = ruleset.digests["daily"], ruleset.digests["weekly"]
    # 08:00 New York is 13:00 UTC in November
    assert daily.due_at(datetime(2026, 11, 18, 13, 30)) == datetime(2026, 11, 18, 13, 0)
    assert daily.due_at(datetime(2026, 11, 18, 12, 59)) == datetime(2026, 11, 17, 13, 0)
    # Wednesday 2026-11-18: the latest Monday 09:30 is 11-16
    assert weekly.due_at(datetime(2026, 11, 18, 12, 0)) == datetime(2026, 11, 16, 9, 30)
    assert weekly.due_at(datetime(2026, 11, 16, 9, 29)) == datetime(2026, 11, 9, 9, 30)


def test_save_validates_first_and_refuses_a_file_changed_meanwhile(tmp_path):
    path = tmp_path / "rules.yaml"
    defaults = rules.load(path)
    with pytest.raises(rules.RulesError):
        rules.save(path, "rules: [", defaults.version)
    assert not path.exists()  # nothing written
    saved = rules.save(path, MINIMAL, defaults.version)
    assert path.read_text() == MINIMAL and rules.load(path).version == saved.version
    with pytest.raises(rules.RulesError, match="changed since you opened them"):
        rules.save(path, MINIMAL + "  - {id: other, kind: spike}\n", defaults.version)
    assert path.read_text() == MINIMAL


def test_describe_changes_names_rules_added_removed_and_changed():
    before = rules.parse("rules:\n  - {id: a, kind: sla_cases}\n  - {id: b, kind: spike}\n")
    after = rules.parse("rules:\n  - {id: a, kind: sla_cases, at_least: 3}\n  - {id: c, kind: freshness}\n")
    assert rules.describe_changes(before, after) == "added c; removed b; changed a"
    assert rules.describe_changes(before, before) == "no rule changed (layout or comments only)"


def test_unknown_scope_values_are_named():
    ruleset = rules.parse("rules:\n  - {id: a, kind: sla_cases, scope: {region: [EMEA, EMEAA]}}\n")
    assert rules.unknown_scope_values(ruleset, {"region": {"EMEA", "AMER"}}) == [
        "rule 'a': region 'EMEAA' is not in the warehouse, so the rule never fires there"]
