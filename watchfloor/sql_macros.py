"""The SQL macros shared by the named queries and the summary builds (`queries/macros/*.sql`): the
one reader of their files.

The query layer (queries/sql_files.py) parses them and creates the ones a query needs on its
cursor; the summary builds (watchfloor/summaries.py) create whole files on their connection, so
that a summary is built with the very definitions the pages' queries use. The reader lives in the
core so that the core never imports the query layer.
"""

from __future__ import annotations

from pathlib import Path

MACRO_DIR = Path(__file__).resolve().parent.parent / "queries" / "macros"


def macro_files() -> list[str]:
    """The macro files' names, in order."""
    return sorted(p.name for p in MACRO_DIR.glob("*.sql"))


def macro_text(file: str) -> str:
    """The SQL text of one macro file (`sla.sql`, ...)."""
    return (MACRO_DIR / file).read_text(encoding="utf-8")
