"""The Alerts page's rules: a table of the rules in force and, for operations leads and
administrators, the rules file to edit (checked before it is saved; every save is audited)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

import queries
from components import tables
from watchfloor import audit, roles
from watchfloor.alerting import editing, rules
from watchfloor.alerting.rules import KINDS, RuleSet

# Plain session keys (they survive a run cut short; a widget's own key may not): the version and
# text the editor started from. The text box is drawn with that text as its default, keyed by the
# version, so a save (or a discard) starts a fresh box.
_VERSION = "alert_rules_version"
_START = "alert_rules_start_text"
_FLASH = "alert_rules_flash"


def _setting(value) -> str:
    if isinstance(value, tuple):
        return "/".join(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _threshold(rule: rules.Rule) -> str:
    return ", ".join(f"{key} {_setting(v)}" for key, v in rule.params.items() if v is not None)


def rules_table(ruleset: RuleSet) -> None:
    rows = [{
        "Rule": r.id, "Name": r.name, "Watches": KINDS[r.kind].label, "Settings": _threshold(r),
        "Scope": "; ".join(f"{k} {' / '.join(v)}" for k, v in r.scope.items()) or "everything",
        "Severity": r.severity.title(), "Channels": ", ".join(r.channels) or "page only",
        "Cooldown": f"{r.cooldown.total_seconds() / 60:g} min",
        "Reminders": f"every {r.renotify.total_seconds() / 60:g} min" if r.renotify else "none",
        "Quiet hours": r.quiet_hours.describe() if r.quiet_hours else "–",
        "On": r.enabled,
    } for r in ruleset.rules]
    tables.table(pl.DataFrame(rows), hide_index=True, key="alerts_rules_table",
                 column_config={"Settings": st.column_config.TextColumn(width="medium"),
                                "On": st.column_config.CheckboxColumn(help="Disabled rules are kept but not evaluated.")})
    if ruleset.digests:
        tables.table(pl.DataFrame([{"Digest": d.name.title(), "When": d.describe(),
                                    "Channels": ", ".join(d.channels) or "none"} for d in ruleset.digests.values()]),
                     hide_index=True, key="alerts_digests_table")


def _known_scope_values() -> dict[str, set[str]]:
    frame = queries.run("alert_scope_values")
    known: dict[str, set[str]] = {}
    for scope, value in frame.iter_rows():
        known.setdefault(scope, set()).add(value)
    return known


def _problem(title: str, message: str) -> None:
    st.error(title)
    st.code(message, language=None)  # plain text: the message may quote what was typed


def editor(ruleset: RuleSet, path: Path, user, audit_log: Path) -> None:
    """The rules file in a text box: Check validates it, Save validates, saves and audits it."""
    message = st.session_state.pop(_FLASH, None)
    if message:
        st.success(message[0])
        st.code(message[1], language=None)
    if _VERSION not in st.session_state or _START not in st.session_state:
        st.session_state[_VERSION] = ruleset.version
        st.session_state[_START] = ruleset.text
    st.caption(f"Saved to {path}" + ("" if path.exists() else " (created on the first save; until then the "
                                                               "built-in rules apply)")
               + ". The worker picks up a saved change at its next run.")
    text = st.text_area("Rules (YAML)", value=st.session_state[_START], height=420, max_chars=rules.MAX_FILE_BYTES,
                        key=f"alert_rules_text_{st.session_state[_VERSION]}")
    check_column, save_column, reload_column = st.columns([1, 1, 4])
    checked = check_column.button("Check", key="alerts_rules_check", icon=":material/rule:")
    saved = save_column.button("Save", key="alerts_rules_save", type="primary", icon=":material/save:")
    if reload_column.button("Discard my edits", key="alerts_rules_reload"):
        st.session_state.pop(_VERSION, None)
        st.session_state.pop(_START, None)
        st.rerun()
    if not (checked or saved):
        return
    try:
        candidate = rules.parse(text, "the rules")
    except rules.RulesError as exc:
        _problem("These rules cannot be used; nothing was saved." if saved else "These rules cannot be used.", str(exc))
        return
    try:
        warnings = rules.unknown_scope_values(candidate, _known_scope_values())
    except Exception:  # the warehouse may be busy: the warning is a courtesy, the check itself passed
        warnings = []
    if warnings:
        st.warning("Some scope values are not in the warehouse:")
        st.code("\n".join(warnings), language=None)
    if checked:
        st.success(f"The rules are valid: {len(candidate.rules)} rules, {len(candidate.digests)} digests. "
                   f"Against the rules in force: {rules.describe_changes(ruleset, candidate)}.".replace("*", "\\*"))
        return
    try:
        after, changes = editing.save_rules(path, text, st.session_state[_VERSION], user.username, user.role, audit_log)
    except rules.RulesError as exc:
        _problem("Nothing was saved.", str(exc))
        return
    except audit.AuditError as exc:
        _problem("Nothing was saved: the change could not be written to the audit log.", str(exc))
        return
    except OSError as exc:
        _problem("Nothing was saved: the rules file cannot be written.", str(exc))
        return
    st.session_state[_VERSION], st.session_state[_START] = after.version, after.text
    st.session_state[_FLASH] = ("Saved, and recorded in the audit log:", changes)
    st.rerun()


def rules_section(path: Path, user, audit_log: Path) -> None:
    try:
        ruleset = rules.load(path)
    except rules.RulesError as exc:
        _problem("The rules file cannot be used (the worker refuses it too):", str(exc))
        ruleset = None
    if ruleset is not None:
        st.caption(f"{len(ruleset.active())} of {len(ruleset.rules)} rules on, from {ruleset.source}. "
                   "Definitions: docs/metrics.md, 'Alert rules'.")
        rules_table(ruleset)
    if not roles.can_edit_alert_rules(user.role):
        return
    with st.expander("Edit the rules", icon=":material/edit:", expanded=_FLASH in st.session_state):
        editor(ruleset or RuleSet(rules=(), text=Path(path).read_text(encoding="utf-8", errors="replace")),
               Path(path), user, audit_log)
