"""Text from the warehouse, a link or a user, shown on a page as exactly that text.

Streamlit reads markdown in st.markdown, alerts, captions, headings, metric labels, expander and
tab labels and radio or segmented-control options; text from data put there would become images,
links and icons. Escaping the markdown is not enough: GitHub-flavoured markdown finds bare URLs,
`www.` names and e-mail addresses in the text after it has been parsed and links them anyway.

`md` escapes every ASCII punctuation character (CommonMark's backslash escape) and puts an
invisible word joiner (U+2060) into whatever a URL, e-mail or icon pattern would match, so the text
reads as typed and never turns into a link, an image, HTML or an icon. Plotly reads `<a href>`,
`<b>` and `<br>` in chart labels: `figure` escapes every text value of a chart (hover templates,
which Watchfloor writes itself, excepted). Tables (st.dataframe) and select boxes show plain text
already.
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
    """A text value for a plotly label or hover text: its tags shown, not followed."""
    return html.escape(value, quote=False) if isinstance(value, str) else value


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


def figure(fig: go.Figure) -> go.Figure:
    """The chart with every text value from its data (axis values, names, texts, custom data, tick
    labels) escaped, so that a category or title holding `<a href=...>` shows as text."""
    spec = fig.to_dict()
    return go.Figure({"data": [_escape(trace) for trace in spec.get("data", [])],
                      "layout": _escape(spec.get("layout", {}))})
