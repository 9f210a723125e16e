"""components.plain: text from data shown as text. The browser test (tests/e2e/test_hostile_text.py)
checks what Chromium makes of it; these check the markdown and the chart specs themselves."""

from __future__ import annotations

import re

import plotly.graph_objects as go
import pytest

from components import plain
from tests.app.conftest import shown

HOSTILE = [
    "![x](http://attacker.invalid/p.png)",
    "[Your session expired - sign in again](http://attacker.invalid/phish)",
    "see http://attacker.invalid/bare or HTTPS://attacker.invalid and www.attacker.invalid",
    "mail bob@attacker.invalid",
    "<img src='http://attacker.invalid/h.png'> <a href='http://attacker.invalid/a'>click</a>",
    "[js](javascript:alert(1))",
    "<http://attacker.invalid/auto>",
    ":red[red] :material/home: $x^2$ &amp; **bold** `code` # heading",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_reads_as_the_text_and_holds_no_link_pattern(text):
    source = plain.md(text)
    assert shown(source) == text
    # every ASCII punctuation character is escaped
    assert not re.search(r"(?<!\\)[\[\]()<>!*`#:&$@]", source.replace("\\\\", ""))
    # nothing a GFM autolink or an icon directive would match in the text after parsing
    text_after_parsing = re.sub(r"\\(.)", r"\1", source)
    assert not re.search(r"(?i)https?://|www\.|\w@\w|:material", text_after_parsing)


def test_markdown_is_one_line_and_can_be_cut():
    assert plain.md("a\n\n    b\r\nc") == "a b c"
    assert shown(plain.md("x" * 100, limit=10)) == "x" * 10 + "…"
    assert plain.md(None) == ""
    assert plain.md(12.5) == "12\\.5"


def test_chart_text_is_escaped_but_own_templates_are_kept():
    hostile = "<a href='http://attacker.invalid'>x</a>"
    fig = go.Figure(go.Bar(x=[1], y=[hostile], name=hostile, customdata=[[hostile]], text=[hostile],
                           hovertemplate="%{y}<br>%{fullData.name}<extra></extra>"))
    fig.update_yaxes(tickvals=[hostile], ticktext=[hostile], categoryarray=[hostile])
    fig.add_annotation(text=hostile, x=1, y=0)
    spec = plain.figure(fig).to_dict()
    trace, layout = spec["data"][0], spec["layout"]
    escaped = "&lt;a href='http://attacker.invalid'&gt;x&lt;/a&gt;"
    assert list(trace["y"]) == [escaped] and trace["name"] == escaped and list(trace["text"]) == [escaped]
    assert [list(row) for row in trace["customdata"]] == [[escaped]]
    assert list(layout["yaxis"]["tickvals"]) == [escaped] and list(layout["yaxis"]["ticktext"]) == [escaped]
    assert list(layout["yaxis"]["categoryarray"]) == [escaped]
    assert layout["annotations"][0]["text"] == escaped
    assert trace["hovertemplate"] == "%{y}<br>%{fullData.name}<extra></extra>"
    assert "<a" not in str({k: v for k, v in spec.items()}).replace("<extra></extra>", "").replace("<br>", "")


def test_a_line_break_in_chart_text_is_the_only_markup_kept():
    fig = go.Figure(go.Sankey(node=dict(label=["Actioned: account\nsuspended", "<b>x</b>\n<a href='h'>y</a>"]),
                              link=dict(source=[0], target=[1], value=[1])))
    labels = list(plain.figure(fig).to_dict()["data"][0]["node"]["label"])
    assert labels == ["Actioned: account<br>suspended", "&lt;b&gt;x&lt;/b&gt;<br>&lt;a href='h'&gt;y&lt;/a&gt;"]


def test_chart_keeps_numbers_dates_and_colours():
    from datetime import datetime

    fig = go.Figure(go.Scatter(x=[datetime(2026, 1, 1)], y=[3], marker=dict(color="#c92a2a"), name="Fraud & scams"))
    trace = plain.figure(fig).to_dict()["data"][0]
    assert list(trace["y"]) == [3] and trace["marker"]["color"] == "#c92a2a"
    assert trace["name"] == "Fraud &amp; scams"  # plotly shows the entity as "&"


def test_a_drawn_chart_gives_the_same_dict_once_and_is_not_changed_after():
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[4.0, None, 6.0], name="<b>EMEA</b>", uid="fixed"))
    fig.update_layout(title_text="Cases")
    drawn = plain.figure(fig)
    drawn.add_hline(y=5)  # still being built: allowed
    expected = go.Figure(drawn.to_dict()).to_dict()  # an independent figure from the same data
    first = drawn.to_dict()
    assert drawn.to_dict() is first  # made once, at the first draw
    assert "uid" not in first["data"][0]
    assert first["data"][0]["name"] == "&lt;b&gt;EMEA&lt;/b&gt;"
    expected["data"][0].pop("uid", None)
    assert first == expected
    for change in (lambda f: f.update_layout(height=200), lambda f: f.add_vrect(x0=1, x1=2),
                   lambda f: f.add_trace(go.Bar(x=[1], y=[1])), lambda f: f.update_traces(opacity=0.5)):
        with pytest.raises(RuntimeError, match="not changed after it has been drawn"):
            change(drawn)
    assert drawn.to_dict() is first and first["layout"].get("height") is None
