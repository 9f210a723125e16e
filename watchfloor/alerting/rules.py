"""The alert rules: a YAML file, validated into Rule objects before anything runs.

A rules file has `rules:` (a list) and optionally `defaults:` (values every rule takes unless it
sets its own) and `digests:` (the daily and weekly digests). docs/configuration.md ("Alert rules")
describes every key; `RulesError` names the first problem in one line (the file, the rule, the key).

Each rule has an id, a kind (KINDS), the kind's own settings (KINDS[kind].params), a scope that
narrows what it watches (region, vertical, queue, vendor, category: the ones its kind allows), a
severity, the channels it notifies, a cooldown, a re-notification interval and optional quiet hours.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

SEVERITIES = ("critical", "high", "medium", "low")  # worst first, as the spike detector's levels
SEVERITY_RANK = {name: i for i, name in enumerate(SEVERITIES)}
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_CHANNEL = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_CLOCK_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
SCOPE_KEYS = ("region", "vertical", "queue", "vendor", "category")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_FILE_BYTES = 1_000_000


class RulesError(ValueError):
    """A rules file that cannot be used; the message is one line naming the problem."""


# --------------------------------------------------------------------------- parameter checks


def _number(low: float, high: float, whole: bool = False) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"must be a {'whole number' if whole else 'number'} from {low:g} to {high:g}")
        if whole and value != int(value):
            raise ValueError(f"must be a whole number from {low:g} to {high:g}")
        if not low <= value <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return int(value) if whole else float(value)
    return check


def _choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}")
        return value
    return check


def _choices(*options: str) -> Callable[[Any], tuple[str, ...]]:
    def check(value: Any) -> tuple[str, ...]:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, (list, tuple)) or not values or any(v not in options for v in values):
            raise ValueError(f"must be one or more of {', '.join(options)}")
        return tuple(dict.fromkeys(values))
    return check


@dataclass(frozen=True)
class Param:
    check: Callable[[Any], Any]
    default: Any
    help: str


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # what it watches, in the users' words
    scope: tuple[str, ...]  # the scope keys it allows
    params: dict[str, Param]


GRADED_FIGURES = ("throughput_per_hour", "aht_seconds", "occupancy", "first_action_sla", "sla_adherence", "qa_accuracy",
                  "golden_accuracy", "overturn_rate")

KINDS: dict[str, Kind] = {k.key: k for k in (
    Kind("spike", "A spike found by the spike detector", ("region", "vertical", "category"), {
        "min_severity": Param(_choice(*SEVERITIES), "medium", "the least severe spike that fires"),
    }),
    Kind("sla_cases", "Breached or at-risk cases in a queue", ("region", "vertical", "queue", "vendor"), {
        "state": Param(_choice("breached", "at_risk", "breached_or_at_risk"), "breached", "which cases count"),
        "at_least": Param(_number(1, 1_000_000, whole=True), 1, "fires when a queue has this many or more"),
    }),
    Kind("oldest_case", "A queue's oldest case past a share of its target", ("region", "vertical", "queue", "vendor"), {
        "share": Param(_number(0.01, 100), 0.75, "fires when the oldest open case's age reaches this share of the target"),
        "target": Param(_choice("first_action", "resolution"), "resolution", "the queue's target it is held to"),
    }),
    Kind("time_to_clear", "A queue's projected time to clear beyond its target", ("region", "vertical", "queue", "vendor"), {
        "target": Param(_choice("first_action", "resolution"), "first_action", "the queue's target it is held to"),
        "min_backlog": Param(_number(1, 1_000_000, whole=True), 1, "queues with a smaller backlog are left alone"),
    }),
    Kind("attainment", "SLA attainment over the last hours below target", ("region", "vertical", "vendor"), {
        "hours": Param(_number(1, 168, whole=True), 24, "the window: the last this many hours"),
        "clock": Param(_choice("first_action", "resolution"), "resolution", "which SLA clock"),
        "below": Param(_number(0, 1), 0.9, "fires when attainment is below this share"),
        "min_clocks": Param(_number(1, 1_000_000, whole=True), 20, "groups with fewer counted clocks are left alone"),
        "by": Param(_choice("all", "queue", "priority", "vendor", "region"), "all", "one alert overall, or one per group"),
    }),
    Kind("vendor", "A vendor below a contract target", ("region", "vertical", "vendor"), {
        "figures": Param(_choices(*GRADED_FIGURES), GRADED_FIGURES, "the scorecard figures held to their targets"),
        "days": Param(_number(1, 90, whole=True), 7, "the period: the last this many days (today included)"),
        "level": Param(_choice("amber", "red"), "red", "amber: any miss; red: a miss past the amber band"),
    }),
    Kind("incident", "A SEV0/SEV1 incident open, or not acknowledged in time", (), {
        "severities": Param(_choices("SEV0", "SEV1", "SEV2", "SEV3"), ("SEV0", "SEV1"), "incident severities watched"),
        "unacknowledged_minutes": Param(_number(0, 10_080, whole=True), None,
                                        "fires only once an incident has waited this long for an acknowledgement; "
                                        "without it, every open incident fires"),
    }),
    Kind("freshness", "The warehouse stale: no new event for a while", (), {
        "older_than_minutes": Param(_number(1, 100_000), 60.0, "fires when the newest event is this old"),
    }),
)}

RULE_KEYS = {"id", "name", "kind", "scope", "severity", "channels", "cooldown_minutes", "renotify_minutes",
             "quiet_hours", "enabled"}
DEFAULT_KEYS = {"severity", "channels", "cooldown_minutes", "renotify_minutes", "quiet_hours"}
BUILT_IN_DEFAULTS = {"severity": "high", "channels": [], "cooldown_minutes": 30, "renotify_minutes": 120,
                     "quiet_hours": None}


# --------------------------------------------------------------------------- the rule objects


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time
    zone: str

    def active(self, moment: datetime) -> bool:
        """Whether `moment` (naive UTC) falls in the quiet hours, read on the zone's wall clock."""
        local = moment.replace(tzinfo=UTC).astimezone(ZoneInfo(self.zone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # across midnight

    def describe(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M} {self.zone}"


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    name: str
    params: dict[str, Any]
    scope: dict[str, tuple[str, ...]]
    severity: str
    channels: tuple[str, ...]
    cooldown: timedelta
    renotify: timedelta | None  # None: no reminders
    quiet_hours: QuietHours | None = None
    enabled: bool = True

    def quiet(self, moment: datetime) -> bool:
        return self.quiet_hours is not None and self.quiet_hours.active(moment)

    def scope_values(self, key: str) -> list[str]:
        return list(self.scope.get(key, ()))


@dataclass(frozen=True)
class Digest:
    name: str  # 'daily' or 'weekly'
    channels: tuple[str, ...]
    at: time
    zone: str
    weekday: int | None = None  # weekly: 0 = Monday

    def due_at(self, moment: datetime) -> datetime:
        """The latest scheduled send at or before `moment` (naive UTC in, naive UTC out)."""
        zone = ZoneInfo(self.zone)
        local = moment.replace(tzinfo=UTC).astimezone(zone)
        day = local.date()
        for _ in range(8):
            candidate = datetime.combine(day, self.at, tzinfo=zone)
            if candidate <= local and (self.weekday is None or day.weekday() == self.weekday):
                return candidate.astimezone(UTC).replace(tzinfo=None)
            day -= timedelta(days=1)
        raise AssertionError("a weekly schedule repeats within eight days")

    def describe(self) -> str:
        when = f"{WEEKDAYS[self.weekday].title()}s" if self.weekday is not None else "every day"
        return f"{when} at {self.at:%H:%M} {self.zone}"


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    digests: dict[str, Digest] = field(default_factory=dict)
    source: str = ""  # the file read, or 'built-in defaults'
    text: str = ""  # the YAML as read (the page edits it)

    @property
    def version(self) -> str:
        """A fingerprint of the text: a save is refused if the file changed since it was read."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:16]

    def active(self) -> list[Rule]:
        return [r for r in self.rules if r.enabled]

    def by_id(self) -> dict[str, Rule]:
        return {r.id: r for r in self.rules}

    def channels(self) -> set[str]:
        named = {c for r in self.rules for c in r.channels}
        return named | {c for d in self.digests.values() for c in d.channels}


# --------------------------------------------------------------------------- parsing


def _fail(where: str, message: str) -> RulesError:
    return RulesError(f"{where}: {message}")


def _quiet_hours(value: Any, where: str) -> QuietHours | None:
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"from", "to", "timezone"} or not {"from", "to"} <= set(value):
        raise _fail(where, "quiet_hours needs 'from' and 'to' (HH:MM) and may have 'timezone'")
    start, end = _clock_time(value["from"], f"{where}: quiet_hours from"), _clock_time(value["to"], f"{where}: quiet_hours to")
    if start == end:
        raise _fail(where, "quiet_hours 'from' and 'to' are the same time")
    return QuietHours(start, end, _zone(value.get("timezone", "UTC"), where))


def _clock_time(value: Any, where: str) -> time:
    # YAML reads an unquoted 08:00 as a number of minutes (sexagesimal); accept it as meant.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return time(value // 60, value % 60)
    if not isinstance(value, str) or not _CLOCK_TIME.match(value.strip()):
        raise RulesError(f"{where} must be a time of day as HH:MM, got {value!r}")
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


def _zone(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"timezone must be a time-zone name such as Europe/Dublin, got {value!r}")
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(where, f"unknown timezone {value!r} (use a name such as Europe/Dublin or UTC)") from None
    return value.strip()


def _channels(value: Any, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if values is None:
        return ()
    if not isinstance(values, list) or any(not isinstance(v, str) or not _CHANNEL.match(v) for v in values):
        raise _fail(where, "channels must be a list of channel names (lower-case letters, digits, - and _), "
                           "not URLs: URLs belong in WATCHFLOOR_ALERT_URLS or the secrets file")
    return tuple(dict.fromkeys(values))


def _minutes(value: Any, where: str, key: str, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or value < 0 or value > 100_000 or (value == 0 and not allow_zero):
        raise _fail(where, f"{key} must be a number of minutes from {0 if allow_zero else 1} to 100000, got {value!r}")
    return float(value)


def _scope(value: Any, kind: Kind, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(where, "scope must be a mapping such as {region: EMEA}")
    scope = {}
    for key, raw in value.items():
        if key not in kind.scope:
            allowed = ", ".join(kind.scope) or "none"
            raise _fail(where, f"a {kind.key} rule cannot be scoped by {key!r} (allowed: {allowed})")
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or any(
                not isinstance(v, str) or not v.strip() or "\x00" in v or len(v) > 200 for v in values):
            raise _fail(where, f"scope {key} must be a value or a list of values")
        scope[key] = tuple(dict.fromkeys(v.strip() for v in values))
    return scope


def _rule(raw: Any, index: int, defaults: dict[str, Any]) -> Rule:
    where = f"rule {index + 1}"
    if not isinstance(raw, dict):
        raise _fail(where, "must be a mapping with at least id and kind")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise _fail(where, "id must be lower-case letters, digits, - and _ (up to 64), e.g. sla-breached")
    where = f"rule {rule_id!r}"
    kind = KINDS.get(raw.get("kind"))  # type: ignore[arg-type]
    if kind is None:
        raise _fail(where, f"kind must be one of {', '.join(KINDS)}, got {raw.get('kind')!r}")
    unknown = set(raw) - RULE_KEYS - set(kind.params)
    if unknown:
        allowed = ", ".join(sorted(set(kind.params))) or "none"
        raise _fail(where, f"unknown key {sorted(unknown)[0]!r} (a {kind.key} rule's own settings: {allowed})")
    params = {}
    for key, spec in kind.params.items():
        value = raw.get(key, spec.default)
        if value is None:
            params[key] = None if spec.default is None else spec.default
            continue
        try:
            params[key] = spec.check(value)
        except ValueError as exc:
            raise _fail(where, f"{key} {exc}, got {value!r}") from None
    merged = {**defaults, **{k: raw[k] for k in DEFAULT_KEYS if k in raw}}
    severity = merged.get("severity")
    if severity not in SEVERITIES:
        raise _fail(where, f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
    renotify = _minutes(merged.get("renotify_minutes"), where, "renotify_minutes")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise _fail(where, f"enabled must be true or false, got {enabled!r}")
    name = raw.get("name", kind.label)
    if not isinstance(name, str) or not name.strip() or len(name) > 200 or "\x00" in name:
        raise _fail(where, "name must be a short text")
    return Rule(
        id=rule_id, kind=kind.key, name=name.strip(), params=params, scope=_scope(raw.get("scope"), kind, where),
        severity=severity, channels=_channels(merged.get("channels"), where),
        cooldown=timedelta(minutes=_minutes(merged.get("cooldown_minutes"), where, "cooldown_minutes")),
        renotify=timedelta(minutes=renotify) if renotify else None,
        quiet_hours=_quiet_hours(merged.get("quiet_hours"), where), enabled=enabled,
    )


def _digests(raw: Any) -> dict[str, Digest]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or set(raw) - {"daily", "weekly"}:
        raise RulesError("digests: only 'daily' and 'weekly' digests exist")
    out = {}
    for name, spec in raw.items():
        where = f"digest {name!r}"
        allowed = {"channels", "at", "timezone"} | ({"day"} if name == "weekly" else set())
        if not isinstance(spec, dict) or set(spec) - allowed:
            raise _fail(where, f"may have {', '.join(sorted(allowed))}")
        weekday = None
        if name == "weekly":
            day = str(spec.get("day", "monday")).lower()
            if day not in WEEKDAYS:
                raise _fail(where, f"day must be a weekday name (monday ... sunday), got {spec.get('day')!r}")
            weekday = WEEKDAYS.index(day)
        out[name] = Digest(name=name, channels=_channels(spec.get("channels"), where),
                           at=_clock_time(spec.get("at", "08:00"), f"{where}: at"),
                           zone=_zone(spec.get("timezone", "UTC"), where), weekday=weekday)
    return out


def parse(text: str, source: str = "rules") -> RuleSet:
    """Validate a rules document; RulesError names the first problem (prefixed with `source`)."""
    try:
        if "\x00" in text:
            raise RulesError("the file holds NUL bytes")
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "cannot be read"
            raise RulesError(f"not valid YAML{at}: {problem}") from None
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RulesError("needs a list under 'rules:'")
        unknown = set(data) - {"rules", "defaults", "digests"}
        if unknown:
            raise RulesError(f"unknown top-level key {sorted(map(str, unknown))[0]!r} (rules, defaults, digests)")
        given = data.get("defaults") or {}
        if not isinstance(given, dict) or set(given) - DEFAULT_KEYS:
            raise RulesError(f"defaults may set only {', '.join(sorted(DEFAULT_KEYS))}")
        defaults = {**BUILT_IN_DEFAULTS, **given}
        rules = [_rule(raw, i, defaults) for i, raw in enumerate(data["rules"])]
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise RulesError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        return RuleSet(rules=tuple(rules), digests=_digests(data.get("digests")), source=source, text=text)
    except RulesError as exc:
        raise RulesError(f"{source}: {exc}") from None


def default_text() -> str:
    """The rules that ship with Watchfloor (watchfloor/alerting/default_rules.yaml)."""
    return resources.files("watchfloor.alerting").joinpath("default_rules.yaml").read_text(encoding="utf-8")


def load(path: Path | None) -> RuleSet:
    """The rules in `path`; the built-in defaults if no path is given or the file does not exist."""
    if path is None or not Path(path).exists():
        return parse(default_text(), "built-in default rules")
    try:
        size = Path(path).stat().st_size
        if size > MAX_FILE_BYTES:
            raise RulesError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes; not a rules file")
        raw = Path(path).read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RulesError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise RulesError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse(text, str(path))


def file_version(path: Path) -> str | None:
    """The fingerprint of the file as it is now (None if it does not exist), valid or not."""
    try:
        text = Path(path).read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return None
    return RuleSet(rules=(), text=text).version


def save(path: Path, text: str, expected_version: str | None) -> RuleSet:
    """Validate `text` and write it to `path` in one step (a temporary file renamed over it).

    RulesError if it does not validate, or if the file changed since `expected_version` was read
    (someone else saved meanwhile): nothing is written then. While no file exists, the built-in
    rules' version is the one expected."""
    checked = parse(text, "the new rules")
    path = Path(path)
    current = file_version(path) or parse(default_text(), "built-in default rules").version
    if expected_version is not None and current != expected_version:
        raise RulesError("the rules changed since you opened them (someone else saved); reload and edit again")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    return RuleSet(rules=checked.rules, digests=checked.digests, source=str(path), text=text)


def describe_changes(before: RuleSet, after: RuleSet) -> str:
    """What a save changed, in one line for the audit log: rules added, removed and changed."""
    old, new = before.by_id(), after.by_id()
    parts = []
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    if added:
        parts.append("added " + ", ".join(added))
    if removed:
        parts.append("removed " + ", ".join(removed))
    if changed:
        parts.append("changed " + ", ".join(changed))
    if before.digests != after.digests:
        parts.append("changed the digests")
    return "; ".join(parts) or "no rule changed (layout or comments only)"


def unknown_scope_values(ruleset: RuleSet, known: dict[str, set[str]]) -> list[str]:
    """Scope values the warehouse does not know (a typo makes a rule that never fires), one line
    each; `known` maps scope keys (region, vertical, vendor, category, queue) to their values."""
    lines = []
    for rule in ruleset.rules:
        for key, values in rule.scope.items():
            if key not in known:
                continue
            for value in values:
                if value not in known[key]:
                    lines.append(f"rule {rule.id!r}: {key} {value!r} is not in the warehouse, so the rule never fires there")
    return lines
