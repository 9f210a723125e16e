"""The layering rules, read from the code's own import statements: no import circle among the
application's modules (an import inside a function counts: it only puts the circle off until the
function runs), no module name in two layers, and the core reading neither the pages' drawing
pieces nor their queries, except where the alert rules run the pages' named queries."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_files import ROOT

PACKAGES = ("watchfloor", "queries", "components", "app_pages")
LAYERS = ("watchfloor", "queries", "components")  # a module's name says which layer it is in
CORE = "watchfloor"
# The alert rules evaluate the pages' named queries (queries.plans), so that an alert and the page
# it links to show the same figures: the one place the core reads a layer above it.
CORE_READS_QUERIES = "watchfloor.alerting"


def module_files() -> dict[str, Path]:
    """{dotted module name: its file} for every module of the application's packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement asks for (a relative import resolved against `module`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    # `from a import b` imports the module a.b when there is one, else a name defined in a
    return [f"{base}.{alias.name}" for alias in node.names]


def _targets(module: str, name: str, files: dict[str, Path]) -> set[str]:
    """The application's modules that importing `name` from `module` runs: the module that holds the
    name, and the packages above it, except those `module` itself sits in (they are already being
    run when it is: a package's own submodules importing each other make no circle through it)."""
    while name and name not in files:  # a name defined in a module: the module
        name = name.rpartition(".")[0]
    parts = name.split(".")
    found = set()
    for i in range(1, len(parts) + 1):
        target = ".".join(parts[:i])
        above_module = i < len(parts) and module.startswith(target + ".")
        if target in files and target != module and not above_module:
            found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    """{module: the application's modules it imports, anywhere in its file}; importing a.b.c also
    runs a and a.b first, so those count as imported too."""
    files = module_files()
    graph: dict[str, set[str]] = {name: set() for name in files}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported_names(node, module, path.name == "__init__.py"):
                graph[module] |= _targets(module, name, files)
    return graph


def test_a_package_face_over_its_own_modules_is_no_circle_but_importing_the_face_is():
    files = dict.fromkeys(("queries", "queries.runner", "queries.on_server", "components", "components.shell"), Path())
    assert _targets("queries.runner", "queries.on_server", files) == {"queries.on_server"}
    assert _targets("queries.runner", "queries.run", files) == {"queries"}  # a name the face defines
    assert _targets("components.shell", "queries.on_server", files) == {"queries", "queries.on_server"}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others."""
    reach = {module: reachable(graph, module) for module in graph}
    found: list[list[str]] = []
    placed: set[str] = set()
    for module in sorted(graph):
        if module in placed or module not in reach[module]:
            continue
        group = sorted(m for m in reach[module] if module in reach[m])
        placed.update(group)
        found.append(group)
    return found


def test_the_circle_finder_finds_a_circle_through_a_function_import():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert circles(graph) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def imports_inside_functions() -> list[tuple[str, str]]:
    """(module, what it imports) for every import statement inside a function."""
    found = []
    for module, path in module_files().items():
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                found += [(module, name) for node in ast.walk(function) if isinstance(node, ast.Import | ast.ImportFrom)
                          for name in _imported_names(node, module, path.name == "__init__.py")]
    return found


def test_the_graph_counts_imports_inside_functions():
    graph, files = import_graph(), module_files()
    inner = [(module, name) for module, name in imports_inside_functions() if name in files and name != module]
    assert inner  # the CLI imports its heavy sub-commands inside functions (start-up cost)
    missing = [(module, name) for module, name in inner if name not in graph[module]]
    assert not missing, missing


def test_no_import_circle():
    found = circles(import_graph())
    assert not found, "modules that import each other (imports inside functions count):\n" + "\n".join(
        ", ".join(group) for group in found)


def test_no_module_name_in_two_layers():
    layers_of: dict[str, set[str]] = {}
    for layer in LAYERS:
        for path in (ROOT / layer).rglob("*.py"):
            if path.name != "__init__.py":
                layers_of.setdefault(path.name, set()).add(layer)
    twice = {name: sorted(layers) for name, layers in layers_of.items() if len(layers) > 1}
    assert not twice, f"module names in more than one layer (a page would import them under aliases): {twice}"


def test_the_core_reads_no_layer_above_it():
    upward = []
    for module, targets in import_graph().items():
        if module.split(".")[0] != CORE:
            continue
        for target in sorted(targets):
            layer = target.split(".")[0]
            if layer in ("components", "app_pages") or (layer == "queries" and not module.startswith(CORE_READS_QUERIES)):
                upward.append(f"{module} -> {target}")
    assert not upward, "the core imports a layer above it:\n" + "\n".join(upward)


def test_imports_go_one_way_down_the_layers():
    """app_pages -> components -> queries -> watchfloor: the query layer reads no drawing piece or page,
    and a drawing piece no page (the core's own rule is the test above)."""
    above = {"queries": ("components", "app_pages"), "components": ("app_pages",)}
    upward = [f"{module} -> {target}" for module, targets in import_graph().items()
              for target in sorted(targets) if target.split(".")[0] in above.get(module.split(".")[0], ())]
    assert not upward, "a layer imports one above it:\n" + "\n".join(upward)


def test_the_core_and_the_queries_never_import_streamlit():
    files = module_files()
    found = []
    for module, path in files.items():
        if module.split(".")[0] not in (CORE, "queries"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{module}:{node.lineno}" for name in names if name.split(".")[0] == "streamlit"]
    assert not found, found
