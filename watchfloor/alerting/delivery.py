"""Sending queued notices through apprise, one lane per channel URL.

Each notice is queued once per URL of each of its channels (store.deliveries). A lane (one URL)
sends its notices in the order they were queued. A failed send is tried again after a back-off
(BACKOFF: 30 s, 1, 2, 5, 10, 20 min) and given up after MAX_ATTEMPTS tries; while a lane waits,
its later notices wait behind it (a 'resolved' never arrives before its 'opened'). Lanes are
independent and run side by side, so a failing or slow channel never holds up the others.
Every failure is reported: in the worker's log, and on the Alerts page (the deliveries table).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from watchfloor.alerting.channels import Channels
from watchfloor.alerting.store import AlertStore, Delivery

BACKOFF = (timedelta(seconds=30), timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=5),
           timedelta(minutes=10), timedelta(minutes=20))
MAX_ATTEMPTS = len(BACKOFF) + 1
SERVICE_TIMEOUT_S = 20.0  # one service's budget per send, retries inside apprise included
MAX_LANES_AT_ONCE = 8


class Sender(Protocol):
    def __call__(self, url: str, title: str, body: str, notify_type: str, attachment: str | None) -> str | None:
        """Send one notice to one URL: None when it was accepted, else one line saying why not."""


def retry_delay(attempts_made: int) -> timedelta:
    """The wait after the `attempts_made`-th failed try."""
    return BACKOFF[min(attempts_made, len(BACKOFF)) - 1]


def apprise_sender(base_url: str, timeout: float = SERVICE_TIMEOUT_S) -> Sender:
    import apprise  # start-up cost: about 70 ms of plugins, paid only by a process that sends notices

    asset = apprise.AppriseAsset(app_id="Watchfloor", app_desc="Trust & Safety operations", app_url=base_url,
                                 service_timeout=timeout)

    def send(url: str, title: str, body: str, notify_type: str, attachment: str | None) -> str | None:
        notifier = apprise.Apprise(asset=asset)
        if not notifier.add(url):
            return "apprise does not recognise this URL (check the service name and its parts)"
        result = notifier.notify(body=body, title=title, notify_type=notify_type,
                                 body_format=apprise.NotifyFormat.TEXT, attach=attachment)
        if result:
            return None
        said = [entry.message for entry in result.logs() if entry.level in ("WARNING", "ERROR", "CRITICAL")]
        return (said[0] if said else "the service did not accept the notice").splitlines()[0][:300]

    return send


@dataclass
class DeliveryReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[tuple[int, str]] = field(default_factory=list)  # (delivery id, error)
    failed: list[tuple[int, str]] = field(default_factory=list)  # given up
    skipped: list[tuple[int, str]] = field(default_factory=list)  # the channel has no URL
    lines: list[str] = field(default_factory=list)  # what the worker logs


def deliver_due(store: AlertStore, channels: Channels, now: datetime, sender: Sender,
                log: Callable[[str], None] = lambda line: None) -> DeliveryReport:
    report = DeliveryReport()
    lanes: dict[tuple[str, int], list[Delivery]] = {}
    for delivery in store.due_deliveries(now):
        lanes.setdefault((delivery.channel, delivery.target), []).append(delivery)
    if not lanes:
        return report

    def run_lane(queue: list[Delivery]) -> None:
        for delivery in queue:
            urls = channels.targets(delivery.channel)
            if delivery.target >= len(urls):
                no_url = f"channel '{delivery.channel}' has no URL (set WATCHFLOOR_ALERT_URLS or [alert_channels])"
                store.record_attempt(delivery.id, now, skipped=True, error=no_url)
                report.skipped.append((delivery.id, no_url))
                continue
            try:
                error = sender(urls[delivery.target], delivery.title, delivery.body, delivery.notify_type,
                               delivery.attachment)
            except Exception as exc:  # a plugin's own error must not stop the worker
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            if error is None:
                store.record_attempt(delivery.id, now, sent=True)
                report.sent.append(delivery.id)
                continue
            made = delivery.attempts + 1
            where = f"{delivery.notice} notice to channel '{delivery.channel}' ({delivery.target_label})"
            if made >= MAX_ATTEMPTS:
                store.record_attempt(delivery.id, now, error=error)
                report.failed.append((delivery.id, error))
                report.lines.append(f"gave up on the {where} after {made} tries: {error}")
                continue
            wait = retry_delay(made)
            store.record_attempt(delivery.id, now, error=error, retry_at=now + wait)
            report.retrying.append((delivery.id, error))
            report.lines.append(f"the {where} failed (try {made} of {MAX_ATTEMPTS}, next in "
                                f"{int(wait.total_seconds())} s): {error}")
            return  # the lane waits: its later notices stay behind this one

    with ThreadPoolExecutor(max_workers=min(MAX_LANES_AT_ONCE, len(lanes)), thread_name_prefix="alert-lane") as pool:
        for future in [pool.submit(run_lane, queue) for queue in lanes.values()]:
            future.result()
    for line in report.lines:
        log(line)
    return report
