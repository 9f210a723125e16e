"""The digests: a daily operations digest (Home's figures and the open alerts) and a weekly
executive summary (the Executive summary page's figures, with its HTML export attached).

Both are computed by the same queries and functions as their pages, over the whole operation
(no filters), and sent to the channels the rules file names for them (`digests:`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from queries import plans
from watchfloor import executive as ex
from watchfloor import executive_export as export
from watchfloor.alerting.messages import alert_url, page_url
from watchfloor.alerting.store import Alert
from watchfloor.compare import describe_count_change, describe_share_change
from watchfloor.filters import default_filters
from watchfloor.formatting import format_count, format_duration, format_share, format_value
from watchfloor.home_figures import rising_categories, summarise_day
from watchfloor.spike_record import multiplier_text

DIGESTS = {"daily": "Daily operations digest", "weekly": "Weekly executive summary"}
GRACE = timedelta(hours=12)  # a digest more than this late (the worker was down) is skipped, not sent late
OPEN_ALERTS_LISTED = 15


@dataclass(frozen=True)
class DigestMessage:
    name: str
    title: str
    body: str
    attachment: Path | None = None


def _with_change(text: str, change: str | None) -> str:
    return f"{text} ({change} vs a week earlier)" if change else text


def daily(as_of: datetime, open_alerts: list[Alert], base_url: str, warehouse: str | None = None) -> DigestMessage:
    """Home's daily health for the last 24 hours, its spikes, and every open alert."""
    data = plans.fetch(plans.home(as_of, default_filters(as_of.date())), warehouse=warehouse)
    health = summarise_day(data["flow"], data["sla"], data["sla_week_before"], data["incidents"], data["backlog"],
                           data["now"])
    rising = rising_categories(plans.spike_record(data["watched"], as_of), data["watched"], as_of)
    lines = [
        f"The last 24 hours to {as_of:%Y-%m-%d %H:%M} UTC, against the same 24 hours a week earlier.",
        "Inflow " + _with_change(format_count(health.inflow.current), describe_count_change(health.inflow))
        + " · Resolved " + _with_change(format_count(health.resolved.current), describe_count_change(health.resolved))
        + " · Backlog now " + _with_change(format_count(health.backlog.current), describe_count_change(health.backlog)),
        "First-action SLA " + _with_change(format_share(health.first_action_attainment.current),
                                           describe_share_change(health.first_action_attainment))
        + " · Resolution SLA " + _with_change(format_share(health.resolution_attainment.current),
                                              describe_share_change(health.resolution_attainment)),
        f"Breached now {health.breached_now.get('any', 0):,} · At risk now {health.at_risk_now.get('any', 0):,}",
        f"Open incidents {health.open_incidents_total:,}"
        + (" (" + ", ".join(f"{s} {n}" for s, n in health.open_incidents.items() if n) + ")" if health.open_incidents_total else ""),
    ]
    if rising.height:
        lines.append("Spikes in the last 24 hours: " + "; ".join(
            f"{r['label']} ({r['state']}, from {r['onset']:%m-%d %H:%M}, {r['cases']:,.0f} cases against "
            f"{r['expected']:,.0f} expected{multiplier_text(r['multiplier'])})" for r in rising.iter_rows(named=True)))
    else:
        lines.append("Spikes in the last 24 hours: none; every category stayed within its expected range.")
    lines.append("")
    if open_alerts:
        lines.append(f"Open alerts ({len(open_alerts)}):")
        for alert in open_alerts[:OPEN_ALERTS_LISTED]:
            state = (f"acknowledged by {alert.acknowledged_by}" if alert.acknowledged_at else "not acknowledged")
            lines.append(f"- [{alert.severity.upper()}] {alert.title} (open {format_duration((as_of - alert.opened_at).total_seconds())}, "
                         f"{state}) {alert_url(base_url, alert.id)}")
        if len(open_alerts) > OPEN_ALERTS_LISTED:
            lines.append(f"- and {len(open_alerts) - OPEN_ALERTS_LISTED} more on the Alerts page")
    else:
        lines.append("Open alerts: none.")
    lines += ["", f"Home: {page_url(base_url, 'home')}", f"Alerts: {page_url(base_url, 'alerts')}"]
    return DigestMessage("daily", f"{DIGESTS['daily']}, {as_of:%Y-%m-%d}", "\n".join(lines))


def weekly_period(as_of: datetime) -> ex.Period:
    """The last complete calendar week (Monday to Sunday) before `as_of`."""
    return ex.calendar_period(ex.WEEK, as_of.date() - timedelta(days=7), as_of)


def weekly(as_of: datetime, base_url: str, folder: Path, warehouse: str | None = None) -> DigestMessage:
    """The Executive summary of the last complete week: its figures in the message, the page's
    one-page HTML export attached (and kept in `folder`)."""
    period = weekly_period(as_of)
    filters = default_filters(as_of.date())
    data = plans.fetch(plans.executive(as_of, filters, period), warehouse=warehouse)
    figures = ex.headline(data["cases"], data["sla"], data["escalations"], data["incidents"], data["appeals"])
    enforcement = ex.enforcement_by_action(data["cases"])
    notices = ex.notices_by_category(data["cases"])
    rising = ex.top_rising_categories(data["cases"])
    spikes = ex.top_spikes(plans.spike_record(data["watched"], as_of), period)
    severe = ex.severe_incidents(data["incidents"], ex.CURRENT)
    severe_before = ex.severe_incidents(data["incidents"], ex.PREVIOUS).height
    html = export.to_html(period, figures, enforcement, notices, severe, severe_before, rising, as_of, "", spikes)
    folder.mkdir(parents=True, exist_ok=True)
    attachment = folder / f"executive-summary-{period.start:%Y%m%d}-{period.end:%Y%m%d}.html"
    attachment.write_text(html, encoding="utf-8")
    lines = [f"{period.label} against {period.previous_label} (UTC)."]
    for figure in figures:
        change = ex.describe_change(figure)
        lines.append(f"{figure.label}: {format_value(figure.change.current, figure.kind)}"
                     + (f" ({change})" if change else "") + (f" · {figure.note}" if figure.note else ""))
    if severe.height:
        lines.append("SEV0 and SEV1 incidents: " + "; ".join(
            f"{r['severity']} {r['incident_id']} {r['title']} ({r['status']})" for r in severe.iter_rows(named=True)))
    lines += ["", "The one-page summary is attached (HTML).",
              f"Executive summary: {page_url(base_url, 'executive')}"]
    return DigestMessage("weekly", f"{DIGESTS['weekly']}, {period.label}", "\n".join(lines), attachment)
