"""Watchfloor's colours, each written once: the charts (components/chart_style.py) and the exports
draw with these. Plain constants, named by what they look like; which colour means what is decided
where it is drawn."""

from __future__ import annotations

# The theme's accent. Streamlit reads it from .streamlit/config.toml (primaryColor), which holds
# the same value: change both together.
THEME = "#3b5bdb"

# The series colours (Tableau 10), a chart's lines and bars.
BLUE = "#4c78a8"
ORANGE = "#f58518"
GREEN = "#54a24b"
RED = "#e45756"
TEAL = "#72b7b2"
PURPLE = "#b279a2"
YELLOW = "#eeca3b"
BROWN = "#9d755d"

# Neutrals.
INK = "#1f2933"  # near-black: the observed or overall line, a target line
SLATE = "#4a5568"  # dark grey text
CHARCOAL = "#495057"
GREY = "#6b7280"
MID_GREY = "#868e96"
SLATE_GREY = "#9aa5b1"
LIGHT_GREY = "#cbd2d9"
PALE_GREY = "#f4f4f4"
PALE_BLUE = "#c9d6e8"
WHITE = "#ffffff"

# Deeper tones, for states and severities that must read against the series colours.
CRIMSON = "#c92a2a"
DEEP_RED = "#c53030"
BRICK = "#c0392b"
DEEP_ORANGE = "#e8590c"
RUST = "#c05621"
AMBER = "#f59f00"
OCHRE = "#b7791f"
DEEP_GREEN = "#2e7d32"
FOREST = "#2f9e44"
SEA_GREEN = "#2f8f4e"
DEEP_TEAL = "#087f5b"
DEEP_BLUE = "#1971c2"
VIOLET = "#7048e8"

# A red-to-green scale's steps between RED and its green end.
SCALE_AMBER = "#f2b447"
SCALE_YELLOW = "#f6e08a"
SCALE_LIGHT_GREEN = "#9fd19f"
SCALE_GREEN = "#2e8b57"

# Light fills behind a status (green, amber, red) in printed tables and bars.
FILL_GREEN = "#d6efd8"
FILL_AMBER = "#fbdcb8"
FILL_RED = "#f8d0cf"


def translucent(colour: str, alpha: float) -> str:
    """'#4c78a8', 0.18 -> 'rgba(76,120,168,0.18)': the colour seen through, for bands and links."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
