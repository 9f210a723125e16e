"""Every download button leaves the page alone when clicked.

By default a click on `st.download_button` reruns the page, and the browser sends the rerun
before it asks for the file. A button whose file is written on the click (a callable `data`)
gets a new file id in that rerun and the old id is dropped, so the browser's request can find
nothing: no download, only "Deferred file ... not found" under the button. It happened in CI on
a busy machine. `on_click="ignore"` keeps the page and the id as they are; for a file sent
with the page it spares a whole page run."""

from __future__ import annotations

import ast

from tests.source_files import ROOT, serving_files


def buttons_that_rerun(source: str) -> list[int]:
    """Lines of `download_button(...)` calls that do not pass on_click="ignore"."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        if name != "download_button":
            continue
        on_click = next((k.value for k in node.keywords if k.arg == "on_click"), None)
        if not (isinstance(on_click, ast.Constant) and on_click.value == "ignore"):
            lines.append(node.lineno)
    return lines


def test_the_check_finds_a_button_that_reruns():
    code = ('st.download_button("a", data=f, key="a")\n'
            'st.download_button("b", data=f, key="b", on_click="ignore")\n'
            'st.download_button("c", data=f, key="c", on_click="rerun")\n')
    assert buttons_that_rerun(code) == [1, 3]


def test_no_download_button_reruns_the_page():
    found = [f"{path.relative_to(ROOT)}:{line}"
             for path in serving_files() for line in buttons_that_rerun(path.read_text(encoding="utf-8"))]
    assert found == [], "download buttons that rerun the page on a click:\n" + "\n".join(found)


def test_the_check_sees_every_download_button():
    count = sum(path.read_text(encoding="utf-8").count("download_button(") for path in serving_files())
    assert count >= 5  # vendors (2), executive (2), capacity (1)
