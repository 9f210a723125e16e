"""Nothing the dashboard runs calls Python back from inside Polars.

With several sessions at once, a Python callback run by Polars' worker threads (`map_elements`,
`map_batches`, `pl.fold`, ...) waits for the interpreter lock while a session thread that holds
the lock waits for those workers (Polars' `to_pandas` does exactly that): the server hangs at 0 %
CPU. So these calls are refused everywhere the server's code lives: the entry point, app_pages/,
components/, queries/ and watchfloor/. The simulator is the exception: it runs only in its own
processes (`watchfloor seed`, `watchfloor simulate --live`), one thread each, and the test below
checks that nothing the server imports reaches it.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_files import NOT_SERVED, PACKAGES, ROOT, serving_files

# Polars methods that run a Python function inside Polars, and the two ways out to pandas
# (to_pandas holds the interpreter lock while Polars' threads convert; .style is a pandas Styler,
# which needs that conversion).
CALLBACKS = {
    "map_elements", "map_batches", "map_groups", "map_rows", "rolling_map", "apply", "fold", "reduce",
    "cum_fold", "cum_reduce", "register_io_source", "scan_pyarrow_dataset", "to_pandas", "style",
}


def callbacks_in(source: str) -> list[tuple[int, str]]:
    """(line, name) of every attribute named like a Polars callback (or a way out to pandas)."""
    return [(node.lineno, node.attr) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Attribute) and node.attr in CALLBACKS]


def test_the_check_finds_a_callback():
    code = ('frame.select(pl.col("a").map_elements(str.upper, return_dtype=pl.String))\n'
            'frame.to_pandas().style.apply(f)\n'
            'pl.fold(0, lambda acc, x: acc + x, [pl.col("a")])\n')
    assert sorted(callbacks_in(code)) == [(1, "map_elements"), (2, "apply"), (2, "style"), (2, "to_pandas"),
                                          (3, "fold")]


def test_no_polars_callback_where_the_server_runs():
    found = []
    for path in serving_files():
        for line, name in callbacks_in(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}:{line}: .{name}")
    assert found == [], "Python callbacks inside Polars (or a pandas Styler) on the serving path:\n" + "\n".join(found)


def _module_file(name: str) -> Path | None:
    base = ROOT / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path) -> set[str]:
    """The project modules a file imports, at any depth of the file (also inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in PACKAGES and _module_file(n))
    return found


def server_modules() -> set[Path]:
    """Every project file the server can run: the entry point, the pages and what they import."""
    todo = [ROOT / "Home.py", *sorted((ROOT / "app_pages").glob("*.py"))]
    seen: set[Path] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _imports(path):
            # Importing a.b.c runs a/__init__.py and a/b/__init__.py too.
            parts = name.split(".")
            for depth in range(1, len(parts) + 1):
                file = _module_file(".".join(parts[:depth]))
                if file is not None:
                    todo.append(file)
    return seen


def test_the_simulator_is_not_on_the_serving_path():
    served = {p.relative_to(ROOT).as_posix() for p in server_modules()}
    assert "app_pages/sla.py" in served and "watchfloor/sla_figures.py" in served and "queries/plans.py" in served
    assert not [p for p in served if p.startswith(NOT_SERVED)]
    # ... and everything it does run is checked above.
    assert served <= {p.relative_to(ROOT).as_posix() for p in serving_files()}
