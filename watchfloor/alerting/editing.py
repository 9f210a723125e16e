"""Changing the rules from the Alerts page: validated before saving, and every change written to
the audit log (watchfloor.audit) with who made it and what it changed."""

from __future__ import annotations

from pathlib import Path

from watchfloor import audit
from watchfloor.alerting import rules

AUDIT_SUBJECT = "alert-rules"  # the audit entry's subject (its case_id field) for a change to the rules


def save_rules(path: Path, text: str, expected_version: str | None, user: str, role: str,
               audit_log: Path) -> tuple[rules.RuleSet, str]:
    """Validate and save the new rules, then record the change; returns (the rules saved, what changed).

    RulesError when the text does not validate or the file changed meanwhile (nothing written).
    AuditError when the change cannot be recorded: the previous file is put back, so no change
    goes unrecorded."""
    existed = Path(path).exists()
    try:
        before = rules.load(path)
    except rules.RulesError:  # a broken file (edited by hand) is being replaced
        before = rules.RuleSet(rules=(), text=Path(path).read_text(encoding="utf-8", errors="replace"))
    after = rules.save(path, text, expected_version)
    changes = rules.describe_changes(before, after)
    try:
        audit.AuditLog(audit_log).append(user=user, role=role, action=audit.ALERT_RULES, case_id=AUDIT_SUBJECT,
                                         reason=changes[:480])
    except audit.AuditError:
        if existed:
            Path(path).write_text(before.text, encoding="utf-8")
        else:
            Path(path).unlink(missing_ok=True)
        raise
    return after, changes
