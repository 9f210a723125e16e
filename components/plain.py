"""Text from the warehouse, a link or a user, shown on a page as exactly that text.

Streamlit reads markdown in st.markdown, alerts, captions, headings, metric labels, expander and
tab labels and radio or segmented-control options; text from data put there would become images,
links and icons. Escaping the markdown is not enough: GitHub-flavoured markdown finds bare URLs,
`www.` names and e-mail addresses in the text after it has been parsed and links them anyway.

`md` escapes every ASCII punctuation character (CommonMark's backslash escape) and puts an
invisible word joiner (U+2060) into whatever a URL, e-mail or icon pattern would match, so the text
reads as typed and never turns into a link, an image, HTML or an icon. Plotly reads `<a href>`,
`<b>` and `<br>` in chart labels: `figure` escapes every text value of a chart (hover templates,
which Watchfloor writes itself, excepted) and keeps only its line breaks, as `<br>`. Tables
(st.dataframe) and select boxes show plain text already.
"""

from __future__ import annotations

import html
import re
import string
from typing import Any

import plotly.graph_objects as go

WORD_JOINER = "\u2060"

_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
# Where a link or icon pattern would start: "scheme://", "www.", both sides of "@" (e-mail), and
# ":" before a letter (":material/...:" icons, ":red[...]" colours).
_PATTERN_BREAKS = re.compile(r"(?i)(?<=[a-z0-9])(?=://)|(?<=\bwww)(?=\.)|(?=@)|(?<=@)|(?<=:)(?=[a-z])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def md(value: Any, limit: int | None = None) -> str:
    """`value` as markdown that shows exactly its text (on one line, cut to `limit` characters with
    an ellipsis): for any Streamlit element that reads markdown."""
    if value is None:
        return ""
    text = _LINE_BREAKS.sub(" ", str(value))
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip() + "…"
    return _PUNCTUATION.sub(r"\\\1", _PATTERN_BREAKS.sub(WORD_JOINER, text))


def chart_text(value: Any) -> Any:
    """A text value for a plotly label or hover text: its tags shown, not followed; a line break
    in it shows as one (the only markup a value can carry)."""
    return html.escape(value, quote=False).replace("\n", "<br>") if isinstance(value, str) else value


# Plotly trace and layout keys whose text Watchfloor writes (with intended <br> and <extra>).
_OWN_MARKUP = frozenset({"hovertemplate", "texttemplate", "template"})


def _escape(value: Any) -> Any:
    if isinstance(value, str):
        return chart_text(value)
    if isinstance(value, dict):
        return {k: v if k in _OWN_MARKUP else _escape(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape(v) for v in value]
    if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in ("O", "U"):  # numpy text arrays
        return [_escape(v) for v in value.tolist()]
    return value


class DrawnFigure(go.Figure):
    """A finished chart. st.plotly_chart asks a figure for its dict on every draw, and plotly makes
    it as a deep copy of every point: for a chart kept with its data and drawn by every session on
    every run, that copy was a sixth of a warm page run. This figure makes its dict once, at its
    first draw; changing it after that would leave the drawing behind, so it is refused."""

    def to_dict(self) -> dict:
        made = self.__dict__.get("_drawn_dict")
        if made is None:
            made = super().to_dict()
            for trace in made.get("data", []):
                trace.pop("uid", None)  # plotly.io.to_json would remove it from the shared dict on every draw
            self.__dict__["_drawn_dict"] = made
        return made

    def _refuse_if_drawn(self, name: str) -> None:
        if "_drawn_dict" in self.__dict__:
            raise RuntimeError(f"a chart is not changed after it has been drawn ({name})")


def _refusing(name: str):
    def method(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse_if_drawn(name)
        return getattr(go.Figure, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


for _name in ("update", "update_layout", "update_traces", "update_xaxes", "update_yaxes", "add_trace", "add_traces",
              "add_shape", "add_vrect", "add_hrect", "add_vline", "add_hline", "add_annotation", "plotly_update",
              "plotly_relayout", "plotly_restyle"):
    setattr(DrawnFigure, _name, _refusing(_name))


def figure(fig: go.Figure) -> DrawnFigure:
    """The chart with every text value from its data (axis values, names, texts, custom data, tick
    labels) escaped, so that a category or title holding `<a href=...>` shows as text."""
    spec = fig.to_dict()
    return DrawnFigure({"data": [_escape(trace) for trace in spec.get("data", [])],
                        "layout": _escape(spec.get("layout", {}))})
