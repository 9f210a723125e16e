"""The query files apply the sidebar's scope one way: the four lists ($regions, $verticals,
$priorities, $vendors) are bound only as the leading arguments of the scope macros of
queries/macros/filters.sql, and a macro meant for the queue's region is given a queue's region (a
macro for the case's region, anything else)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
import sqlglot
from sqlglot import exp

import queries

QUERY_DIR = Path(queries.__file__).resolve().parent
SCOPE_LISTS = ("regions", "verticals", "priorities", "vendors")

# Each scope macro: the lists it takes first, in order, and which region its region argument is
# (None: it takes no region).
SCOPE_MACROS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "wf_in_case_scope": (("regions", "verticals", "priorities", "vendors"), "case"),
    "wf_in_case_scope_but_vertical": (("regions", "priorities", "vendors"), "case"),
    "wf_in_vertical_scope": (("verticals",), None),
    "wf_in_queue_scope": (("regions", "verticals", "priorities", "vendors"), "queue"),
    "wf_in_queue_scope_but_vendor": (("regions", "verticals", "priorities"), "queue"),
    "wf_in_shift_scope": (("regions", "verticals", "vendors"), "queue"),
    "wf_in_vendor_scope": (("vendors",), None),
    "wf_scope_is_all": (("regions", "verticals", "priorities", "vendors"), None),
}


def scope_mistakes(sql: str) -> list[str]:
    """What in `sql` binds a scope list outside the scope macros, or gives a macro the wrong region."""
    mistakes = []
    for tree in sqlglot.parse(sql, read="duckdb"):
        if tree is None:
            continue
        queue_aliases = {t.alias_or_name.lower() for t in tree.find_all(exp.Table) if t.name.lower() == "queues"}
        for marker in tree.find_all(exp.Placeholder):
            if marker.name not in SCOPE_LISTS:
                continue
            call = cast(exp.Expr, marker.parent)  # a placeholder parsed from a query always has a parent
            name = call.name.lower() if isinstance(call, exp.Anonymous) else ""
            lists = SCOPE_MACROS.get(name, ((), None))[0]
            index = marker.index  # an argument's place in its call (set for every item of "expressions")
            if marker.arg_key != "expressions" or index is None or index >= len(lists) or lists[index] != marker.name:
                mistakes.append(f"${marker.name} outside the scope macros: {call.sql('duckdb')[:100]}")
        for call in tree.find_all(exp.Anonymous):
            if call.name.lower() not in SCOPE_MACROS:
                continue
            lists, region = SCOPE_MACROS[call.name.lower()]
            given = [a.name if isinstance(a, exp.Placeholder) else a.sql("duckdb") for a in call.expressions[:len(lists)]]
            arity = len(queries.macro_library()[call.name.lower()].parameters)
            if given != list(lists) or len(call.expressions) != arity:
                mistakes.append(f"{call.name} takes {', '.join('$' + x for x in lists)} and a value for each: "
                                f"{call.sql('duckdb')[:100]}")
                continue
            if region is not None:
                column = call.expressions[len(lists)]
                is_queue = isinstance(column, exp.Column) and column.table.lower() in queue_aliases
                if is_queue != (region == "queue"):
                    mistakes.append(f"{call.name} is for the {region}'s region, given {column.sql('duckdb')}")
    return mistakes


def query_files() -> list[Path]:
    return sorted(QUERY_DIR.glob("*.sql")) + sorted((QUERY_DIR / "macros").glob("*.sql"))


@pytest.mark.parametrize("path", query_files(), ids=lambda p: str(p.relative_to(QUERY_DIR)))
def test_a_query_file_binds_the_scope_only_through_the_scope_macros(path):
    assert scope_mistakes(path.read_text(encoding="utf-8")) == []


def test_the_scope_macros_are_those_of_the_filters_file():
    library = queries.macro_library()
    for name, (lists, _) in SCOPE_MACROS.items():
        assert library[name].file == "filters.sql"
        assert list(library[name].parameters[:len(lists)]) == list(lists)


def test_the_check_finds_a_list_bound_outside_the_macros():
    assert scope_mistakes("SELECT 1 FROM cases c WHERE wf_in($regions, c.region)") == [
        "$regions outside the scope macros: WF_IN($regions, c.region)"]
    # the lists in another order
    assert scope_mistakes(
        "SELECT 1 FROM cases c JOIN queues q USING (queue_id) "
        "WHERE wf_in_case_scope($verticals, $regions, $priorities, $vendors, c.region, q.vertical, c.priority, c.vendor_id)")


def test_the_check_finds_the_wrong_region():
    case_scope = ("SELECT 1 FROM cases c JOIN queues q USING (queue_id) "
                  "WHERE wf_in_case_scope($regions, $verticals, $priorities, $vendors, {}, q.vertical, c.priority, c.vendor_id)")
    assert scope_mistakes(case_scope.format("c.region")) == []
    assert scope_mistakes(case_scope.format("q.region")) == [
        "wf_in_case_scope is for the case's region, given q.region"]
    queue_scope = ("SELECT 1 FROM cases c JOIN queues q USING (queue_id) JOIN sla_policies p USING (sla_policy_id) "
                   "WHERE wf_in_queue_scope_but_vendor($regions, $verticals, $priorities, {}, q.vertical, p.priority)")
    assert scope_mistakes(queue_scope.format("q.region")) == []
    assert scope_mistakes(queue_scope.format("c.region")) == [
        "wf_in_queue_scope_but_vendor is for the queue's region, given c.region"]
