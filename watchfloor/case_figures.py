"""The Case page's logic: finding a case, its SLA clocks, timeline, reviews, appeals and related
cases in readable form, and when a look at a case counts as a new view (for the audit log).

The frames come from queries/case_*.sql (plans.case). The clocks are computed with the reference
SLA clock (watchfloor/sla.py) from the case's own events, so the Case page needs no scan of the
other cases; tests/unit/test_case_view.py checks them against hand-worked values.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from watchfloor import sla
from watchfloor.formatting import format_duration, format_share, format_time_left
from watchfloor.labels import calendar_label, category_label, category_labels, humanise, humanised, texts_of, vendor_label
from watchfloor.sla_figures import timeline_states

SEARCH_MAX_CHARS = 100
SEARCH_ROW_LIMIT = 50
RELATED_ROW_LIMIT = 50

CLOCK_LABELS = {sla.FIRST_ACTION: "First action", sla.RESOLUTION: "Resolution"}
STATE_LABELS = {
    "met": "Met", "breached": "Breached", "on_track": "On track", "warning": "Warning", "at_risk": "At risk",
}
MATCH_LABELS = {"case": "Case id", "account": "Account", "organisation": "Organisation"}

# The timeline chart's lanes, top to bottom: where the case is after each kind of event.
LANES = {
    "created": "Intake", "routed": "Intake",
    "assigned": "Review", "first_action": "Review", "decided": "Review", "enforced": "Review",
    "pending_info": "Pending info", "info_received": "Pending info",
    "escalated": "Escalation",
    "resolved": "Closed", "reopened": "Closed",
}
LANE_ORDER = ("Intake", "Review", "Pending info", "Escalation", "Closed")


# --------------------------------------------------------------------------- search


def search_term(text: str | None) -> str | None:
    """What to search for: the text trimmed, or None when it cannot be a case, account or
    organisation id (empty, longer than SEARCH_MAX_CHARS, or holding control characters).
    Anything else is searched as typed, as a bound value: quotes and SQL are just text."""
    term = (text or "").strip()
    if not term or len(term) > SEARCH_MAX_CHARS:
        return None
    if any(unicodedata.category(ch).startswith("C") for ch in term):
        return None
    return term


@dataclass(frozen=True)
class SearchOutcome:
    case_id: str | None  # open this case directly
    matches: pl.DataFrame  # otherwise list these (empty: not found)
    total: int


def search_outcome(found: pl.DataFrame) -> SearchOutcome:
    """A search result (case_search.sql): a case-id match opens that case; account or
    organisation matches are listed; nothing found is 'not found'."""
    if found.height == 0:
        return SearchOutcome(None, found, 0)
    total = int(found["total_matches"][0])
    by_id = found.filter(pl.col("matched_on") == "case")
    if by_id.height >= 1:
        return SearchOutcome(by_id["case_id"][0], found, total)
    return SearchOutcome(None, found, total)


def search_display(found: pl.DataFrame) -> pl.DataFrame:
    return found.select(
        pl.col("case_id").alias("Case"),
        pl.col("matched_on").replace_strict(MATCH_LABELS, default="").alias("Found by"),
        pl.col("created_at").alias("Created"),
        category_labels("category").alias("Category"),
        pl.col("priority").alias("Priority"),
        humanised("status").alias("Status"),
        pl.col("queue_name").alias("Queue"),
        pl.col("account_id").alias("Account"),
        pl.col("org_id").alias("Organisation"),
    )


# --------------------------------------------------------------------------- views (audit)


def is_new_view(shown_before: str | None, arrived: bool, case_id: str | None) -> bool:
    """Whether drawing `case_id` now is a new view of it, to be written to the audit log once.

    A view is opening a case: arriving on the Case page with it (from a link, a deep link, the
    menu and a search), or switching to another case on the page. Reruns while the same case
    stays open (a widget, a refresh) are the same view. `shown_before` is the case the page
    showed on its previous run in this visit; `arrived` says this run starts a new visit."""
    if not case_id:
        return False
    return arrived or shown_before != case_id


def revealed_after(revealed: str | None, arrived: bool, case_id: str | None) -> str | None:
    """The case whose content stays revealed: only the case still open in the same visit.
    Leaving the page or opening another case blurs it again."""
    if arrived or not case_id or revealed != case_id:
        return None
    return revealed


# --------------------------------------------------------------------------- header


def utc_stamp(moment: datetime) -> str:
    """'2026-03-08 14:00 UTC': how a time reads by default (a page passes its reader's zone's)."""
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def header_facts(case: dict, stamp: Callable[[datetime], str] = utc_stamp) -> dict[str, str]:
    """The case header, in the users' words."""
    return {
        "Category": category_label(case["category"]) + (f" · {humanise(case['subcategory'])}" if case.get("subcategory") else ""),
        "Priority": case["priority"],
        "Status": humanise(case["status"]),
        "Queue": case.get("queue_name") or case["queue_id"],
        "Vendor": vendor_label(case.get("vendor_id"), case.get("vendor_name")),
        "Reviewer": case.get("reviewer_id") or "Not assigned",
        "Source": humanise(case["source"]),
        "Surface": humanise(case["surface"]),
        "Region": case["region"],
        "Language": case["language"],
        "Account": case.get("account_id") or "–",
        "Organisation": case.get("org_id") or "–",
        "Created": stamp(case["created_at"]),
    }


def outcome_facts(case: dict, stamp: Callable[[datetime], str] = utc_stamp) -> dict[str, str]:
    """Decision and enforcement."""
    return {
        "Decision": humanise(case.get("decision")) if case.get("decision") else "Not decided yet",
        "Enforcement": humanise(case.get("enforcement_action")) if case.get("enforcement_action") else "–",
        "Decided by": "Automation" if case.get("automated") else (case.get("reviewer_id") or "–"),
        "Escalated": "Yes" if case.get("escalated") else "No",
        "First action": stamp(case["first_action_at"]) if case.get("first_action_at") else "–",
        "Resolved": stamp(case["resolved_at"]) if case.get("resolved_at") else "–",
    }


def classifier_score(case: dict) -> float | None:
    """The case's classifier score, or None when it has none or holds no number (NaN or infinite:
    the loader refuses those, but a warehouse filled another way may hold them)."""
    score = case.get("classifier_score")
    if score is None or not math.isfinite(float(score)):
        return None
    return float(score)


def signal_facts(case: dict) -> dict[str, str]:
    """Classifier signals: which classifier flagged the case and how sure it was."""
    score = classifier_score(case)
    given = case.get("classifier_score")
    return {
        "Classifier": case.get("classifier_name") or "None",
        "Score": f"{score:.2f}" if score is not None else ("–" if given is None else f"not a number ({given})"),
        "Found by": humanise(case["source"]),
    }


# --------------------------------------------------------------------------- SLA clocks


def policy_of(case: dict) -> sla.Policy | None:
    if case.get("first_action_target_min") is None or case.get("resolution_target_min") is None:
        return None
    return sla.Policy(
        first_action_target_min=case["first_action_target_min"],
        resolution_target_min=case["resolution_target_min"],
        calendar=case["calendar"],
        pause_on_pending=bool(case["pause_on_pending"]),
        business_start_hour=int(case.get("business_start_hour") or 9),
        business_end_hour=int(case.get("business_end_hour") or 17),
    )


CLOCK_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "clock": pl.String, "label": pl.String, "target_seconds": pl.Float64, "elapsed_seconds": pl.Float64,
    "paused_seconds": pl.Float64, "used_share": pl.Float64, "state": pl.String, "stopped_at": pl.Datetime("us"),
    "due_at": pl.Datetime("us"), "breach_at": pl.Datetime("us"), "seconds_left": pl.Float64,
}


def case_clocks(case: dict, events: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """Both SLA clocks of the case as of `as_of` (docs/metrics.md, "SLA clocks"): one row each.
    seconds_left: for a running clock, wall time from as_of to its due time (negative: overdue)."""
    policy = policy_of(case)
    if policy is None:
        return pl.DataFrame(schema=CLOCK_SCHEMA)
    pairs = list(zip(events["occurred_at"].to_list(), events["event_type"].to_list())) if events.height else []
    clocks = sla.clocks_for_case(case["created_at"], case.get("first_action_at"), case.get("resolved_at"),
                                 pairs, policy, case.get("timezone") or "UTC", as_of)
    if clocks is None:
        return pl.DataFrame(schema=CLOCK_SCHEMA)
    rows = []
    for clock in clocks:
        running = clock.stopped_at is None
        rows.append({
            "clock": clock.kind, "label": CLOCK_LABELS[clock.kind], "target_seconds": clock.target_seconds,
            "elapsed_seconds": clock.elapsed_seconds, "paused_seconds": clock.paused_seconds,
            "used_share": clock.used_share, "state": clock.state, "stopped_at": clock.stopped_at,
            "due_at": clock.due_at, "breach_at": clock.breach_at,
            "seconds_left": (clock.due_at - as_of).total_seconds() if running and clock.due_at else None,
        })
    return pl.DataFrame(rows, schema=CLOCK_SCHEMA)


def clock_summary(row: dict, stamp: Callable[[datetime], str] = utc_stamp) -> str:
    """One line under a clock's share: time left or overdue while running; how it ended once stopped."""
    if row["stopped_at"] is None:
        return format_time_left(row["seconds_left"]) + (" left" if (row["seconds_left"] or 0) >= 0 else "")
    if row["state"] == "breached":
        return f"breached at {stamp(row['breach_at'])}, stopped {stamp(row['stopped_at'])}"
    return f"met: stopped at {stamp(row['stopped_at'])}"


def clock_display(clocks: pl.DataFrame, stamp: Callable[[datetime], str] = utc_stamp) -> list[dict[str, str]]:
    """What each clock tile shows."""
    shown = []
    for row in clocks.iter_rows(named=True):
        shown.append({
            "label": row["label"],
            "state": STATE_LABELS.get(row["state"], humanise(row["state"])),
            "used": format_share(row["used_share"]),
            "summary": clock_summary(row, stamp),
            "counted": f"{format_duration(row['elapsed_seconds'])} of {format_duration(row['target_seconds'])}",
            "paused": format_duration(row["paused_seconds"]) if row["paused_seconds"] else "none",
        })
    return shown


# --------------------------------------------------------------------------- timeline


def timeline_display(events: pl.DataFrame) -> pl.DataFrame:
    """The events as a table: when, what, the state it leaves the case in, the time to the next event."""
    return events.select(
        pl.col("occurred_at").alias("When"),
        humanised("event_type").alias("Event"),
        pl.Series("Then", timeline_states(events["event_type"].to_list()), dtype=pl.String),
        texts_of(events, format_duration, "seconds_to_next").alias("Until next"),
        pl.col("actor_id").alias("By"),
        pl.coalesce("queue_name", "queue_id").alias("Queue"),
        pl.col("detail").alias("Detail"),
    )


def timeline_points(events: pl.DataFrame) -> pl.DataFrame:
    """The events as chart points: time, lane, label."""
    return events.select(
        pl.col("occurred_at").alias("at"),
        pl.col("event_type").replace_strict(LANES, default="Review").alias("lane"),
        humanised("event_type").alias("event"),
        pl.coalesce("actor_id", pl.lit("")).alias("actor"),
    )


# --------------------------------------------------------------------------- QA, appeals, related


@dataclass(frozen=True)
class QaSummary:
    reviews: int
    agreed: int
    golden: int


def qa_summary(reviews: pl.DataFrame) -> QaSummary:
    return QaSummary(reviews=reviews.height, agreed=int(reviews["agrees"].sum()) if reviews.height else 0,
                     golden=int(reviews["is_golden"].sum()) if reviews.height else 0)


def qa_display(reviews: pl.DataFrame) -> pl.DataFrame:
    return reviews.select(
        pl.col("reviewed_at").alias("Reviewed"),
        pl.col("reviewer_id").alias("Reviewer"),
        pl.col("qa_reviewer_id").alias("QA reviewer"),
        humanised("original_decision").alias("Decision"),
        humanised("qa_decision").alias("QA decision"),
        pl.col("agrees").alias("Agrees"),
        pl.col("is_golden").alias("Golden set"),
    )


def appeals_display(appeals: pl.DataFrame) -> pl.DataFrame:
    return appeals.select(
        pl.col("appeal_id").alias("Appeal"),
        pl.col("filed_at").alias("Filed"),
        pl.col("resolved_at").alias("Resolved"),
        humanised("outcome").alias("Outcome"),
        texts_of(appeals, format_duration, "seconds_to_resolve").alias("Took"),
    )


@dataclass(frozen=True)
class RelatedCounts:
    same_account: int
    same_organisation: int
    shown: int


def related_counts(related: pl.DataFrame) -> RelatedCounts:
    if related.height == 0:
        return RelatedCounts(0, 0, 0)
    return RelatedCounts(int(related["account_total"][0]), int(related["org_total"][0]), related.height)


def related_caption(counts: RelatedCounts, account_id: str | None, org_id: str | None,
                    escape=lambda text: text) -> str:
    """'2 other case(s) of account a, 1 of other accounts in organisation o.', leaving out what the
    case does not have; `escape` makes the ids safe for where the text is shown."""
    parts = []
    if account_id:
        parts.append(f"{counts.same_account:,} other case(s) of account {escape(account_id)}")
    if org_id:
        parts.append(f"{counts.same_organisation:,} of other accounts in organisation {escape(org_id)}")
    text = ", ".join(parts) + "." if parts else ""
    if counts.shown < counts.same_account + counts.same_organisation:
        text += f" The newest {counts.shown:,} are listed."
    return text.strip()


def policy_line(case: dict) -> str:
    """Which SLA policy runs the clocks and how it counts time."""
    if case.get("policy_name") is None:
        return ""
    pause = "pending info pauses the clocks" if case.get("pause_on_pending") else "pending info does not pause the clocks"
    calendar = calendar_label(case["calendar"], int(case.get("business_start_hour") or 9),
                              int(case.get("business_end_hour") or 17))
    where = f" ({case['timezone']})" if case["calendar"] == "business" and case.get("timezone") else ""
    return f"Policy {case['policy_name']}: {calendar}{where}; {pause}."


def related_display(related: pl.DataFrame) -> pl.DataFrame:
    return related.select(
        pl.col("case_id").alias("Case"),
        pl.col("relation").replace_strict({"account": "Same account", "organisation": "Same organisation"},
                                          default="").alias("Link"),
        pl.col("created_at").alias("Created"),
        category_labels("category").alias("Category"),
        pl.col("priority").alias("Priority"),
        humanised("status").alias("Status"),
        humanised("decision").alias("Decision"),
        humanised("enforcement_action").alias("Enforcement"),
    )


def incident_facts(case: dict, stamp: Callable[[datetime], str] = utc_stamp) -> dict[str, str] | None:
    if not case.get("incident_id"):
        return None
    if not case.get("incident_title"):
        return {"Incident": case["incident_id"], "Note": "not found in the incidents table"}
    facts = {
        "Incident": f"{case['incident_id']} · {case['incident_title']}",
        "Severity": case.get("incident_severity") or "–",
        "Status": humanise(case.get("incident_status")),
        "Started": stamp(case["incident_started_at"]) if case.get("incident_started_at") else "–",
        "Commander": case.get("incident_commander") or "–",
    }
    if case.get("incident_summary"):
        facts["Summary"] = case["incident_summary"]
    return facts
