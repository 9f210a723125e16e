"""What a notice says: what, where, how bad, since when, and links to the page that shows it
(with the filters that show it; the link survives the login) and to the alert itself."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from watchfloor.alerting.rules import Rule
from watchfloor.alerting.store import Alert
from watchfloor.formatting import format_duration

# apprise's notification types: the colour or icon a service shows.
NOTIFY_TYPES = {"critical": "failure", "high": "failure", "medium": "warning", "low": "info"}
RESOLVED_TYPE = "success"
NOTICES = ("opened", "reminder", "resolved")


def query_string(params: dict[str, list[str]]) -> str:
    return urlencode([(k, v) for k, values in params.items() for v in values])


def page_url(base_url: str, page: str, query: str = "") -> str:
    return f"{base_url.rstrip('/')}/{page}" + (f"?{query}" if query else "")


def alert_url(base_url: str, alert_id: int) -> str:
    return page_url(base_url, "alerts", urlencode({"alert": alert_id}))


def _when(moment: datetime | None) -> str:
    return "–" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def notice(alert: Alert, rule: Rule, kind: str, now: datetime, base_url: str) -> tuple[str, str, str]:
    """(title, body, apprise notification type) of an 'opened', 'reminder' or 'resolved' notice."""
    level = alert.severity.upper()
    if kind == "resolved":
        lasted = format_duration(((alert.resolved_at or now) - alert.opened_at).total_seconds())
        title = f"[RESOLVED] {alert.title}"
        head = f"Resolved at {_when(alert.resolved_at)}, {lasted} after it opened."
        notify_type = RESOLVED_TYPE
    elif kind == "reminder":
        title = f"[{level}] Still open, not acknowledged: {alert.title}"
        head = f"Open for {format_duration((now - alert.opened_at).total_seconds())} and nobody has acknowledged it."
        notify_type = NOTIFY_TYPES[alert.severity]
    else:
        title = f"[{level}] {alert.title}"
        head = ""
        notify_type = NOTIFY_TYPES[alert.severity]
    since = alert.since or alert.opened_at
    lines = [
        *( [head] if head else []),
        f"What: {rule.name} ({alert.title})",
        f"Where: {alert.where_text}",
        f"How bad: {alert.severity} · {alert.measure}",
        f"Since: {_when(since)}" + ("" if alert.since is None else f" (alert opened {_when(alert.opened_at)})"),
        f"See it: {page_url(base_url, alert.page, alert.link_query)}",
        f"Acknowledge or snooze: {alert_url(base_url, alert.id)}",
        f"Rule: {rule.id}",
    ]
    return title, "\n".join(lines), notify_type
