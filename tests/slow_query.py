"""A named query that takes minutes, for the tests of the queries' time limit."""

from __future__ import annotations

from pathlib import Path

import duckdb


def slow_query(folder: Path) -> str:
    """In a test's queries folder (the query_folder fixture), a named query that takes minutes (a count
    over ten billion rows) and a quick one; returns an empty warehouse to run them on."""
    (folder / "slow.sql").write_text("SELECT count(*) AS n FROM range(10000000000) r(a) WHERE a % 7 = $x")
    (folder / "quick.sql").write_text("SELECT 42 AS n")
    db = folder / "w.duckdb"
    duckdb.connect(str(db)).close()
    return str(db)
