"""Display names for the warehouse's codes (unknown codes still read well: 'new_thing' ->
'New thing'), and counts and durations as people read them."""

from __future__ import annotations

import math

CATEGORY_LABELS = {
    "fraud_scams": "Fraud & scams",
    "spam": "Spam",
    "harassment": "Harassment",
    "hate": "Hate",
    "violent_extremism": "Violent extremism",
    "self_harm": "Self-harm",
    "child_safety": "Child safety",
    "sexual_content": "Sexual content",
    "cyber_abuse": "Cyber abuse",
    "cbrn": "CBRN",
    "election_integrity": "Election integrity",
    "impersonation": "Impersonation",
    "privacy": "Privacy",
    "ip": "Intellectual property",
}


def humanise(code: str | None) -> str:
    if not code:
        return "–"
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def category_label(code: str | None) -> str:
    return CATEGORY_LABELS.get(code or "", humanise(code))


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 entry', '2 entries', '1,204 cases': a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def coarse_duration(seconds: float | None) -> str:
    """A response time at a glance: '25 min' under 90 minutes, then hours with one decimal
    ('7.5 h') under two days, then days ('3.0 d'); '–' when unknown (None, NaN or negative)."""
    if seconds is None or math.isnan(float(seconds)) or seconds < 0:
        return "–"
    seconds = float(seconds)
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
