"""Display names for the warehouse's codes. Unknown codes still read well: 'new_thing' -> 'New thing'."""

from __future__ import annotations

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
