"""Display names for the warehouse's codes (unknown codes still read well: 'new_thing' ->
'New thing'), and counts and durations as people read them.

Tables get their labels from Polars expressions (`humanised`, `category_labels`) or from plain
Python run on a column's collected values (`texts_of`), never from a Python callback inside Polars
(`map_elements`): with several sessions at once, Polars' worker threads wait for the interpreter
lock while a session thread that holds it waits for them, and the server hangs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

CATEGORY_LABELS = {
    "fraud_scams": "Fraud & scams",
    "spam": "Spam",
    "harassment": "Harassment",
    "hate": "Hate",
    "violent_extremism": "Violent extremism",
    "self_harm": "Self-harm",
    "child_safety": "Child safety",
    "sexual_content": "Sexual content",
    "cyber_abuse": "Cyber abuse",
    "cbrn": "CBRN",
    "election_integrity": "Election integrity",
    "impersonation": "Impersonation",
    "privacy": "Privacy",
    "ip": "Intellectual property",
}


# Surfaces as users name them: "API", "Image gen" (one spelling on every page).
SURFACE_LABELS = {"api": "API", "image_gen": "Image gen", "chat": "Chat", "voice": "Voice", "plugins": "Plugins"}


def surface_labels(column: str) -> pl.Expr:
    """The surface codes of a text column in the users' words; null stays null."""
    return pl.col(column).replace_strict(SURFACE_LABELS, default=humanised(column), return_dtype=pl.String)


def humanise(code: str | None) -> str:
    if not code:
        return "–"
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def category_label(code: str | None) -> str:
    return CATEGORY_LABELS.get(code or "", humanise(code))


def humanised(column: str) -> pl.Expr:
    """humanise() of a text column as an expression; null stays null."""
    code = pl.col(column)
    text = code.str.replace_all("_", " ", literal=True).str.strip_chars()
    return (pl.when(code == "").then(pl.lit("–"))
            .otherwise(text.str.slice(0, 1).str.to_uppercase() + text.str.slice(1)).alias(column))


def category_labels(column: str) -> pl.Expr:
    """category_label() of a text column as an expression; null stays null."""
    return pl.col(column).replace_strict(CATEGORY_LABELS, default=humanised(column), return_dtype=pl.String)


def texts_of(frame: pl.DataFrame, format_row: Callable[..., Any], *columns: str,
             skip_nulls: bool = True) -> pl.Series:
    """`format_row(*values)` for each row of `columns`, as a text column (named after the first):
    for display text easier written in Python than as an expression. Runs on the collected values
    in the caller's thread. With one column and `skip_nulls`, a null stays null, as it would
    in an expression."""
    values = zip(*(frame.get_column(c).to_list() for c in columns))
    skip = skip_nulls and len(columns) == 1
    return pl.Series(columns[0], [None if skip and row[0] is None else format_row(*row) for row in values],
                     dtype=pl.String)


def versus(now: float | None, before: float | None) -> str:
    """'13,038 vs 2,346': two counts with separators ('–' where unknown)."""
    return " vs ".join("–" if v is None else f"{v:,.0f}" for v in (now, before))


def signed_count(n: float | None) -> str:
    """'+4,266', '-8,441', '0': a change in cases with its sign and separators."""
    if n is None:
        return "–"
    return "0" if round(n) == 0 else f"{n:+,.0f}"


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 entry', '2 entries', '1,204 cases': a count with its noun in the right number."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def coarse_duration(seconds: float | None) -> str:
    """A response time at a glance: '25 min' under 90 minutes, then hours with one decimal
    ('7.5 h') under two days, then days ('3.0 d'); '–' when unknown (None, NaN or negative)."""
    if seconds is None or math.isnan(float(seconds)) or seconds < 0:
        return "–"
    seconds = float(seconds)
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
