"""The alert worker: every interval, evaluate every rule, bring the alerts up to date, queue the
notices that are due and send them.

One cycle (`Worker.cycle(now)`):
1. Each enabled rule is evaluated by its kind's adapter. A rule that cannot be evaluated (the
   warehouse is busy or a query fails) is reported and its alerts stay as they are.
2. The store gets one open alert per rule and scope: new findings open alerts, findings that stay
   update their figures, open alerts no longer found are resolved.
3. Notices: an alert's 'opened' notice once it is past the rule's cooldown since the last notice
   of the same rule and scope; a 'reminder' every renotify interval while it stays open,
   unacknowledged and not snoozed; a 'resolved' notice when it clears (only if its 'opened'
   notice went out). Quiet hours hold every notice of the rule until they end.
4. Digests due (once per scheduled time), then every delivery due is sent (watchfloor.alerting.delivery).
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TextIO

from watchfloor.alerting import digests, kinds, messages
from watchfloor.alerting.channels import Channels, load_channels, mask
from watchfloor.alerting.delivery import DeliveryReport, Sender, apprise_sender, deliver_due
from watchfloor.alerting.findings import Context
from watchfloor.alerting.messages import query_string
from watchfloor.alerting.rules import Rule, RulesError, RuleSet, load
from watchfloor.alerting.settings import AlertSettings
from watchfloor.alerting.store import Alert, AlertStore, Outgoing, stamp
from watchfloor.config import Settings
from watchfloor.warehouse import first_line


class WorkerBusy(RuntimeError):
    """Another worker holds the store's worker lock."""


@dataclass
class CycleReport:
    at: datetime
    rules: int = 0
    findings: int = 0
    errors: dict[str, str] = field(default_factory=dict)  # rule id -> why it could not be evaluated
    opened: list[int] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)
    notices: list[tuple[int | None, str]] = field(default_factory=list)  # (alert id, notice)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    def summary(self) -> str:
        d = self.delivery
        return (f"{self.at:%Y-%m-%d %H:%M:%S} UTC: {self.rules} rules, {self.findings} findings, "
                f"{len(self.opened)} opened, {len(self.resolved)} resolved, {len(self.notices)} notices queued, "
                f"{len(d.sent)} sent, {len(d.retrying)} to retry, {len(d.failed)} failed"
                + (f", {len(d.skipped)} to channels without a URL" if d.skipped else "")
                + (f", {len(self.errors)} rules not evaluated" if self.errors else ""))


def outgoing_for(channels: Channels, names: tuple[str, ...], title: str, body: str, notify_type: str,
                 attachment: str | None = None) -> list[Outgoing]:
    """One delivery per URL of each channel; a channel without a URL still gets one (it is
    recorded as skipped, so the page shows that nobody was told)."""
    out = []
    for name in names:
        urls = channels.targets(name)
        if not urls:
            out.append(Outgoing(name, 0, "no URL", title, body, notify_type, attachment))
        for index, url in enumerate(urls):
            out.append(Outgoing(name, index, mask(url), title, body, notify_type, attachment))
    return out


class Worker:
    def __init__(self, settings: Settings, alert_settings: AlertSettings, rules_path: Path | None,
                 sender: Sender | None = None, log: Callable[[str], None] = print):
        self.settings = settings
        self.alerts = alert_settings
        self.rules_path = rules_path
        self.store = AlertStore(alert_settings.store)
        self.sender = sender
        self.log = log
        self._rules: RuleSet | None = None
        self._rules_stamp: tuple | None = None
        self._lock_handle: TextIO | None = None
        self.last_report: CycleReport | None = None

    # ------------------------------------------------------------------ rules, reloaded when the file changes

    def _file_stamp(self) -> tuple | None:
        try:
            info = os.stat(self.rules_path) if self.rules_path else None
        except FileNotFoundError:
            return None
        return None if info is None else (info.st_mtime_ns, info.st_size)

    def rules(self) -> RuleSet:
        """The rules in force: read at start (RulesError if they cannot be), re-read when the file
        changes; a later file that does not validate is reported and the rules before it stay."""
        current = self._file_stamp()
        if self._rules is not None and current == self._rules_stamp:
            return self._rules
        try:
            loaded = load(self.rules_path)
        except RulesError as exc:
            if self._rules is None:
                raise
            self.log(f"the rules file changed but cannot be used, keeping the rules before it: {exc}")
            self._rules_stamp = current
            return self._rules
        if self._rules is not None:
            self.log(f"rules reloaded from {loaded.source}: {len(loaded.active())} active")
        self._rules, self._rules_stamp = loaded, current
        return loaded

    def channels(self) -> Channels:
        return load_channels(self.alerts.urls, self.alerts.secrets_file)

    # ------------------------------------------------------------------ the lock: one worker per store

    def acquire(self) -> None:
        path = Path(f"{self.alerts.store}.worker-lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise WorkerBusy(f"another alert worker is running on {self.alerts.store}") from None
        self._lock_handle = handle

    def release(self) -> None:
        if self._lock_handle is not None:
            fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None

    # ------------------------------------------------------------------ one cycle

    def cycle(self, now: datetime) -> CycleReport:
        ruleset = self.rules()
        channels = self.channels()
        report = CycleReport(at=now)
        active = ruleset.active()
        report.rules = len(active)
        context = Context(as_of=now.replace(second=0, microsecond=0), warehouse=self.settings.warehouse,
                                freshness_red_minutes=self.settings.freshness_red_minutes,
                                freshness_amber_minutes=self.settings.freshness_amber_minutes)
        for rule in active:
            try:
                findings = kinds.evaluate(rule, context)
            except Exception as exc:  # one rule's failure (a busy warehouse, a bad query) must not stop the others
                first = first_line(exc)
                report.errors[rule.id] = first
                self.log(f"rule {rule.id} could not be evaluated, its alerts stay as they are: {first}")
                continue
            report.findings += len(findings)
            opened, resolved = self.store.record_findings(rule.id, rule.severity, [
                {"scope_key": f.key, "title": f.title, "where_text": f.where, "measure": f.measure,
                 "page": f.page, "link_query": query_string(f.link), "since": f.since} for f in findings], now)
            report.opened += opened
            report.resolved += resolved
        self.store.close_for_rules_gone({r.id for r in active}, now)
        self._queue_alert_notices(ruleset, channels, now, report)
        self._queue_digests(ruleset, channels, now, report)
        sender = self.sender or apprise_sender(self.alerts.base_url)
        self.sender = sender
        report.delivery = deliver_due(self.store, channels, now, sender, self.log)
        self.store.set_meta("worker_seen_at", stamp(now))
        self.store.set_meta("worker_rules", f"{ruleset.source} ({len(active)} active)")
        return report

    def _queue(self, alert: Alert, rule: Rule, kind: str, channels: Channels, now: datetime, report: CycleReport) -> None:
        title, body, notify_type = messages.notice(alert, rule, kind, now, self.alerts.base_url)
        self.store.queue_notice(alert.id, kind, outgoing_for(channels, rule.channels, title, body, notify_type), now)
        report.notices.append((alert.id, kind))

    def _queue_alert_notices(self, ruleset: RuleSet, channels: Channels, now: datetime, report: CycleReport) -> None:
        rules = ruleset.by_id()
        for alert in self.store.open_alerts():
            rule = rules.get(alert.rule_id)
            if rule is None or rule.quiet(now):
                continue
            if alert.notified_at is None:
                last = self.store.last_notice(alert.rule_id, alert.scope_key, alert.id)
                if last is None or now - last >= rule.cooldown:
                    self._queue(alert, rule, "opened", channels, now, report)
            elif (alert.acknowledged_at is None and not alert.snoozed(now) and rule.renotify is not None
                  and alert.last_notified_at is not None and now - alert.last_notified_at >= rule.renotify):
                self._queue(alert, rule, "reminder", channels, now, report)
        for alert in self.store.unsent_resolutions():
            rule = rules.get(alert.rule_id)
            if rule is not None and not rule.quiet(now):
                self._queue(alert, rule, "resolved", channels, now, report)

    def _queue_digests(self, ruleset: RuleSet, channels: Channels, now: datetime, report: CycleReport) -> None:
        for digest in ruleset.digests.values():
            due = digest.due_at(now)
            if now - due > digests.GRACE or not digest.channels or self.store.digest_claimed(digest.name, due):
                continue
            try:
                message = self.build_digest(digest.name, now)
            except Exception as exc:
                self.log(f"the {digest.name} digest could not be built, trying again next cycle: {exc}")
                continue
            if self.store.claim_digest(digest.name, due, now):
                self.queue_digest(message, digest.channels, channels, now)
                report.notices.append((None, f"digest: {digest.name}"))

    def build_digest(self, name: str, now: datetime) -> digests.DigestMessage:
        as_of = now.replace(second=0, microsecond=0)
        if name == "daily":
            return digests.daily(as_of, self.store.open_alerts(), self.alerts.base_url, self.settings.warehouse)
        return digests.weekly(as_of, self.alerts.base_url, self.alerts.digest_dir, self.settings.warehouse)

    def queue_digest(self, message: digests.DigestMessage, names: tuple[str, ...], channels: Channels,
                     now: datetime) -> None:
        attachment = str(message.attachment) if message.attachment else None
        self.store.queue_notice(None, f"digest: {message.name}",
                                outgoing_for(channels, names, message.title, message.body, "info", attachment), now)

    def deliver(self, now: datetime) -> DeliveryReport:
        self.sender = self.sender or apprise_sender(self.alerts.base_url)
        return deliver_due(self.store, self.channels(), now, self.sender, self.log)

    # ------------------------------------------------------------------ the loop

    def run(self, clock: Callable[[], datetime], once: bool = False, stop: Callable[[], bool] = lambda: False,
            sleep: Callable[[float], None] = time.sleep) -> int:
        """Cycles every interval until `stop()` (or one with `once`); returns the cycles run."""
        cycles = 0
        while True:
            started = time.monotonic()
            report = self.last_report = self.cycle(clock())
            self.log(report.summary())
            cycles += 1
            if once or stop():
                return cycles
            wait = max(0.0, self.alerts.interval_seconds - (time.monotonic() - started))
            # Sleep in short steps so a stop request is seen promptly.
            while wait > 0 and not stop():
                step = min(wait, 1.0)
                sleep(step)
                wait -= step
            if stop():
                return cycles
