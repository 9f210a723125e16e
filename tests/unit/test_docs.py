"""The docs state facts the code decides; these tests keep the two in step."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from watchfloor import roles

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _access_table() -> dict[str, set[str]]:
    lines = (DOCS / "configuration.md").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| page |"))
    columns = [c.strip() for c in lines[header].strip("|").split("|")][1:]
    by_title = {spec.title: spec.key for spec in roles.PAGES}
    seen: dict[str, set[str]] = {role: set() for role in columns}
    for line in lines[header + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        for title in cells[0].split(", "):
            for role, mark in zip(columns, cells[1:]):
                if mark == "✓":
                    seen[role].add(by_title[title])
    return seen


def test_configuration_doc_lists_the_same_access_as_the_code():
    documented = _access_table()
    assert set(documented) == set(roles.ROLES)
    for role in roles.ROLES:
        assert documented[role] == {spec.key for spec in roles.pages_for(role)}, role


def test_configuration_doc_names_the_reveal_roles():
    text = (DOCS / "configuration.md").read_text()
    line = next(line for line in text.splitlines() if line.startswith("Revealing blurred case content"))
    assert {r for r in roles.ROLES if r in line} == set(roles.REVEAL_ROLES)


def _make_targets() -> set[str]:
    """The targets the Makefile defines (its rules, not its file targets such as $(BIN)/python)."""
    text = (DOCS.parent / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9-]*):(?!=)", text, flags=re.M))


def test_make_help_lists_every_target():
    shown = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=DOCS.parent, capture_output=True,
                           text=True, check=True).stdout
    listed = set(re.findall(r"^make ([a-z][a-z0-9-]*) ", shown, flags=re.M))
    targets = _make_targets()
    assert {"run", "test", "help", "eval-spikes"} <= targets  # the reading of the Makefile found its rules
    assert listed == targets, (targets - listed, listed - targets)
