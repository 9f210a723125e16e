"""Display names for the warehouse's codes (unknown codes still read well: 'new_thing' ->
'New thing'), an SLA policy's calendar and pause, and a case's vendor. Numbers, shares and
durations are written by watchfloor.formatting.

Tables get their labels from Polars expressions (`humanised`, `category_labels`) or from plain
Python run on a column's collected values (`texts_of`), never from a Python callback inside Polars
(`map_elements`): with several sessions at once, Polars' worker threads wait for the interpreter
lock while a session thread that holds it waits for them, and the server hangs.
"""

from __future__ import annotations

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


# An SLA policy and a case's vendor, as the SLA and Case pages show them.
NO_VENDOR = "No vendor"


def calendar_label(calendar: str, start_hour: int, end_hour: int) -> str:
    """'24×7', or the business hours (read in each queue's own time zone)."""
    if calendar != "business":
        return "24×7"
    return f"Mon–Fri {start_hour:02d}:00–{end_hour:02d}:00 local"


def pause_label(pause_on_pending: bool) -> str:
    return "Pauses the clock" if pause_on_pending else "Clock keeps running"


def vendor_label(vendor_id: str | None, vendor_name: str | None) -> str:
    if vendor_id is None:
        return NO_VENDOR
    return vendor_name or vendor_id
